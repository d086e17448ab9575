package io.cinderblock.tck.runner;

import static java.util.Objects.requireNonNull;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.cinderblock.sdk.ApiStatus;
import io.cinderblock.tck.TckFixture;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TagFilter;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Runs the kit against one fixture on the JUnit Platform Launcher, outside any build tool: the
 * standalone runner's engine, also usable from code (the kit's own tests run its gallery of broken
 * drivers this way).
 *
 * <pre>{@code
 * RunResult result = ConformanceRun.of(fixture).include(List.of("faults")).execute();
 * }</pre>
 *
 * <p>The fixture reaches {@link StandaloneKit} through a static holder, so runs in one JVM are
 * serialized. Not thread-safe to configure: build and execute a run on one thread.
 *
 * @since 0.1
 */
@ApiStatus(value = ApiStatus.Status.EXPERIMENTAL, since = "0.1")
public final class ConformanceRun {
    private static final Object RUNNING = new Object();
    private static final AtomicReference<TckFixture> CURRENT = new AtomicReference<>();

    private final TckFixture fixture;
    private final List<String> include = new ArrayList<>();
    private final List<String> exclude = new ArrayList<>();
    private final List<TestExecutionListener> listeners = new ArrayList<>();
    private Path reportDir;
    private String entryPoint = "library";
    private List<Path> driverArtifacts = List.of();
    private PrintWriter diagnostics = new PrintWriter(System.err, true);

    private ConformanceRun(TckFixture fixture) {
        this.fixture = requireNonNull(fixture, "fixture is null");
    }

    /**
     * A run of every requirement against a fixture.
     *
     * @param fixture the driver and device to certify
     * @return the run, to configure and {@link #execute()}
     * @since 0.1
     */
    public static ConformanceRun of(TckFixture fixture) {
        return new ConformanceRun(fixture);
    }

    /**
     * The fixture of the run in progress, for {@link StandaloneKit}.
     *
     * @since 0.1
     */
    static Optional<TckFixture> currentFixture() {
        return Optional.ofNullable(CURRENT.get());
    }

    /**
     * Runs only tests with one of these tags; adds to earlier calls.
     *
     * @param tags group names ({@code faults}), requirement ids ({@code STATE-2}) or capability names
     * @return this run
     * @since 0.1
     */
    public ConformanceRun include(List<String> tags) {
        include.addAll(tags);
        return this;
    }

    /**
     * Skips tests with any of these tags; adds to earlier calls.
     *
     * @param tags group names, requirement ids or capability names
     * @return this run
     * @since 0.1
     */
    public ConformanceRun exclude(List<String> tags) {
        exclude.addAll(tags);
        return this;
    }

    /**
     * Also reports to a listener (progress output, say).
     *
     * @param listener called by the JUnit Platform on the run's thread
     * @return this run
     * @since 0.1
     */
    public ConformanceRun listener(TestExecutionListener listener) {
        listeners.add(requireNonNull(listener, "listener is null"));
        return this;
    }

    /**
     * Writes Open Test Reporting XML into a directory (the JUnit XML comes from {@link RunResult}, see the README).
     *
     * @param directory where the XML goes; created if absent
     * @return this run
     * @since 0.1
     */
    public ConformanceRun xmlReports(Path directory) {
        this.reportDir = requireNonNull(directory, "directory is null");
        return this;
    }

    /**
     * Names the entry point and the driver's jars for the report (default: {@code library} and the
     * code source of the provider's class).
     *
     * @param name {@code standalone} or {@code embedded}
     * @param artifacts the jars the driver was loaded from
     * @return this run
     * @since 0.1
     */
    ConformanceRun provenance(String name, List<Path> artifacts) {
        this.entryPoint = requireNonNull(name, "name is null");
        this.driverArtifacts = List.copyOf(artifacts);
        return this;
    }

    /**
     * Where the XML writers report their own problems; default standard error.
     *
     * @param writer the writer
     * @return this run
     * @since 0.1
     */
    public ConformanceRun diagnostics(PrintWriter writer) {
        this.diagnostics = requireNonNull(writer, "writer is null");
        return this;
    }

    /**
     * Runs the kit and returns what it found. Blocks until every selected test ended; runs in one
     * JVM wait for each other.
     *
     * @return every test's result and the run's context
     * @since 0.1
     */
    public RunResult execute() {
        synchronized (RUNNING) {
            CURRENT.set(fixture);
            try {
                LauncherDiscoveryRequestBuilder request = LauncherDiscoveryRequestBuilder.request()
                        .selectors(selectClass(StandaloneKit.class))
                        .configurationParameter("junit.jupiter.execution.parallel.enabled", "false");
                if (!include.isEmpty()) {
                    request.filters(TagFilter.includeTags(include));
                }
                if (!exclude.isEmpty()) {
                    request.filters(TagFilter.excludeTags(exclude));
                }
                List<TestExecutionListener> all = new ArrayList<>(listeners);
                ResultCollector collector = new ResultCollector();
                all.add(collector);
                if (reportDir != null) {
                    request.configurationParameter("junit.platform.reporting.open.xml.enabled", "true")
                            .configurationParameter("junit.platform.reporting.output.dir", reportDir.toString());
                }
                LauncherDiscoveryRequest discovery = request.build();
                Launcher launcher = LauncherFactory.create();
                Instant start = Instant.now();
                launcher.execute(discovery, all.toArray(new TestExecutionListener[0]));
                Instant end = Instant.now();
                return new RunResult(fixture.provider().descriptor(), fixture.backendName(), start, end,
                        collector.results(), RunContext.of(entryPoint, fixture, driverArtifacts));
            } finally {
                CURRENT.set(null);
            }
        }
    }
}
