/**
 * The standalone runner ({@code java -jar conformance-tck-<version>-standalone.jar --driver-dir ...
 * --config ...}) and the reports both entry points write: JUnit XML, {@code tck-report.json},
 * {@code tck-report.html}, signed and verified with Ed25519.
 *
 * <p>{@link io.cinderblock.tck.runner.ConformanceRun} runs the kit from code and returns a
 * {@link io.cinderblock.tck.runner.RunResult}; the result types are EXPERIMENTAL. {@link
 * io.cinderblock.tck.runner.EmbeddedReports} and {@link io.cinderblock.tck.runner.StandaloneKit} are
 * public only for the JUnit Platform (INTERNAL).
 *
 * @since 0.1
 */
package io.cinderblock.tck.runner;
