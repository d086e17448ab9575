package io.cinderblock.tck.runner;

import io.cinderblock.sdk.ApiStatus;
import io.cinderblock.tck.TckFixture;
import io.cinderblock.tck.VolumeDriverConformanceKit;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * Writes the standalone runner's reports for embedded runs: every class extending {@link
 * VolumeDriverConformanceKit} that a build tool runs (Surefire, Gradle, an IDE) gets {@code
 * tck-report.json}, {@code tck-report.html} and {@code TEST-cinderblock-kit.<id>.xml} in {@code
 * target/cinderblock-kit/<driver id>/} (relative to the working directory, which is the module's
 * base directory under Maven).
 *
 * <p>Registered with the JUnit Platform through {@code META-INF/services}, so it needs no set-up.
 * Switches, as JUnit configuration parameters ({@code junit-platform.properties}, or Surefire's
 * {@code configurationParameters}) or system properties:
 * <ul>
 *   <li>{@code cinderblock.kit.report-dir}: the directory instead of {@code target/cinderblock-kit};
 *       {@code none} writes nothing</li>
 *   <li>{@code cinderblock.kit.sign-key}: an Ed25519 PEM key file to sign {@code tck-report.json}
 *       with (see the kit README)</li>
 * </ul>
 *
 * @since 0.1
 */
@ApiStatus(value = ApiStatus.Status.INTERNAL, since = "0.1")
public final class EmbeddedReports implements TestExecutionListener {
    /**
     * The configuration parameter (or system property) naming the report directory.
     *
     * @since 0.1
     */
    public static final String REPORT_DIR = "cinderblock.kit.report-dir";
    /**
     * The configuration parameter (or system property) naming a signing key.
     *
     * @since 0.1
     */
    public static final String SIGN_KEY = "cinderblock.kit.sign-key";
    /**
     * Where reports go by default, relative to the working directory.
     *
     * @since 0.1
     */
    public static final String DEFAULT_DIR = "target/cinderblock-kit";

    private static final Map<String, TckFixture> FIXTURES = new ConcurrentHashMap<>();

    private final Map<String, Run> runs = new ConcurrentHashMap<>();
    private volatile TestPlan plan;

    /**
     * Instantiated by the JUnit Platform's {@code ServiceLoader}.
     *
     * @since 0.1
     */
    public EmbeddedReports() {}

    /**
     * Called by {@link VolumeDriverConformanceKit} when its fixture is ready, so that the report can
     * name the driver, device and configuration. Not for vendors.
     *
     * @param kitClass the concrete kit class (the vendor's test)
     * @param fixture its fixture
     * @since 0.1
     */
    public static void fixtureReady(Class<?> kitClass, TckFixture fixture) {
        FIXTURES.put(kitClass.getName(), fixture);
    }

    private static final class Run {
        final ResultCollector collector = new ResultCollector();
        final Instant start = Instant.now();
    }

    @Override
    public void testPlanExecutionStarted(TestPlan testPlan) {
        this.plan = testPlan;
    }

    @Override
    public void executionStarted(TestIdentifier id) {
        kitClassOf(id).ifPresent(kit -> {
            if (isKitClass(id)) {
                Run run = new Run();
                run.collector.testPlanExecutionStarted(plan);
                runs.put(kit, run);
            }
            Optional.ofNullable(runs.get(kit)).ifPresent(run -> run.collector.executionStarted(id));
        });
    }

    @Override
    public void executionSkipped(TestIdentifier id, String reason) {
        kitClassOf(id).flatMap(kit -> Optional.ofNullable(runs.get(kit)))
                .ifPresent(run -> run.collector.executionSkipped(id, reason));
    }

    @Override
    public void executionFinished(TestIdentifier id, TestExecutionResult result) {
        Optional<String> kit = kitClassOf(id);
        if (kit.isEmpty()) {
            return;
        }
        Run run = runs.get(kit.get());
        if (run == null) {
            return;
        }
        run.collector.executionFinished(id, result);
        if (isKitClass(id)) {
            runs.remove(kit.get());
            write(kit.get(), run);
        }
    }

    private void write(String kitClass, Run run) {
        Optional<String> dir = parameter(REPORT_DIR);
        if (dir.isPresent() && dir.get().equals("none")) {
            return;
        }
        TckFixture fixture = FIXTURES.get(kitClass);
        if (fixture == null) {
            System.err.println("cinderblock kit: no report for " + kitClass + ": its fixture() did not return a"
                    + " fixture (see the test's failure)");
            return;
        }
        RunResult result = new RunResult(fixture.provider().descriptor(), fixture.backendName(), run.start,
                Instant.now(), run.collector.results(), RunContext.of("embedded", fixture, java.util.List.of()));
        Path directory = Path.of(dir.orElse(DEFAULT_DIR)).resolve(result.descriptor().id());
        try {
            Reports.write(result, directory, parameter(SIGN_KEY).map(Path::of));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the kit's reports to " + directory, e);
        }
        System.out.println("cinderblock kit: " + result.verdict() + " (" + result.count(TestResult.Status.PASSED)
                + " passed, " + result.count(TestResult.Status.FAILED) + " failed, "
                + result.count(TestResult.Status.BLOCKED) + " blocked, " + result.count(TestResult.Status.SKIPPED)
                + " skipped); reports in " + directory);
    }

    private Optional<String> parameter(String key) {
        Optional<String> value = plan == null ? Optional.empty() : plan.getConfigurationParameters().get(key);
        return value.or(() -> Optional.ofNullable(System.getProperty(key))).filter(v -> !v.isBlank());
    }

    /**
     * The kit class an identifier belongs to: its top-level class ancestor, if that class extends the kit.
     *
     * @since 0.1
     */
    private Optional<String> kitClassOf(TestIdentifier id) {
        TestPlan current = plan;
        if (current == null) {
            return Optional.empty();
        }
        TestIdentifier top = id;
        for (Optional<TestIdentifier> parent = current.getParent(top); parent.isPresent()
                && parent.get().getParentIdObject().isPresent(); parent = current.getParent(top)) {
            top = parent.get();
        }
        return top.getSource().filter(ClassSource.class::isInstance).map(s -> ((ClassSource) s).getClassName())
                .filter(EmbeddedReports::extendsKit);
    }

    private boolean isKitClass(TestIdentifier id) {
        return plan != null && id.getSource().filter(ClassSource.class::isInstance).isPresent()
                && plan.getParent(id).map(p -> p.getParentIdObject().isEmpty()).orElse(false);
    }

    private static final Map<String, Boolean> KIT_CLASSES = new ConcurrentHashMap<>();

    private static boolean extendsKit(String className) {
        return KIT_CLASSES.computeIfAbsent(className, name -> {
            if (name.equals(StandaloneKit.class.getName())) {
                return false; // the standalone runner writes its own reports
            }
            try {
                Class<?> type = Class.forName(name, false, Thread.currentThread().getContextClassLoader());
                return VolumeDriverConformanceKit.class.isAssignableFrom(type);
            } catch (ClassNotFoundException | LinkageError e) {
                return false;
            }
        });
    }
}
