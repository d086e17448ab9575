package io.cinderblock.tck.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import com.fasterxml.jackson.databind.JsonNode;
import io.cinderblock.driver.sim.SimulatedArrayDriverProvider;
import io.cinderblock.tck.DeviceUnderTest;
import io.cinderblock.tck.SimDevice;
import io.cinderblock.tck.TckFixture;
import io.cinderblock.tck.VolumeDriverConformanceKit;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;

/**
 * The embedded entry point writes the same reports as the standalone runner: a vendor's kit class
 * (here {@link SimKit}, driver-sim on a SIMULATED array with its device-level fault, so FAULT-8 runs)
 * launched on the JUnit Platform as a build tool launches it, with the listener the kit registers
 * through {@code META-INF/services}. The signed report verifies; tampering fails.
 */
class EmbeddedReportsTest {
    private static volatile SimDevice device;

    @TempDir
    Path dir;

    /** A vendor's test as the starter generates it. Static nested: Surefire does not run it on its own. */
    public static class SimKit extends VolumeDriverConformanceKit {
        @Override
        protected TckFixture fixture() {
            return device.fixture(new SimulatedArrayDriverProvider())
                    .device(DeviceUnderTest.simulated("driver-sim in-process server"))
                    .expectCapabilities(java.util.EnumSet.allOf(io.cinderblock.sdk.spi.Capability.class))
                    .build();
        }
    }

    @Test
    void embeddedRunWritesSignedReportsThatVerify() throws Exception {
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        PrintStream console = new PrintStream(text, true, StandardCharsets.UTF_8);
        assertThat(TckMain.run(new String[] {"keygen", dir.resolve("vendor").toString()}, console, console)).isZero();
        Path reports = dir.resolve("kit-reports");
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        try (SimDevice started = SimDevice.start()) {
            device = started;
            LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request()
                    .selectors(selectClass(SimKit.class))
                    .configurationParameter(EmbeddedReports.REPORT_DIR, reports.toString())
                    .configurationParameter(EmbeddedReports.SIGN_KEY, dir.resolve("vendor.pem").toString())
                    .build(), summary);
            String secret = started.accessKey();

            assertThat(summary.getSummary().getTotalFailureCount()).as("failures").isZero();
            Path sim = reports.resolve("sim");
            JsonNode report = ReportSchema.JSON.readTree(Files.readString(sim.resolve("tck-report.json")));
            assertThat(ReportSchema.violations(report)).as("violations of tck-report.schema.json").isEmpty();
            assertThat(report.get("summary").get("failed").asInt()).isZero();
            assertThat(report.get("summary").get("blocked").asInt()).isZero();
            long tests = summary.getSummary().getTestsFoundCount();
            assertThat(report.get("tests").size()).as("every test the platform ran").isEqualTo((int) tests);
            KitReportChecks.certification(report, "embedded", codeSource(), secret);
            KitReportChecks.junitXml(sim.resolve("TEST-cinderblock-kit.sim.xml"), "sim", (int) tests,
                    report.get("summary").get("skipped").asInt());
            assertThat(Files.readString(sim.resolve("tck-report.html"))).contains("Conformant on a simulated device")
                    .doesNotContain(secret);

            assertThat(TckMain.run(new String[] {"verify", sim.resolve("tck-report.json").toString(), "--public-key",
                    dir.resolve("vendor.pub.pem").toString(), "--driver-jar", codeSource().toString()}, console,
                    console)).as(text.toString(StandardCharsets.UTF_8)).isZero();
            KitReportChecks.tamperedReportsFail(sim.resolve("tck-report.json"), codeSource(), dir, args -> {
                text.reset();
                int exit = TckMain.run(args, console, console);
                return new KitReportChecks.Outcome(exit, text.toString(StandardCharsets.UTF_8));
            });
        } finally {
            device = null;
        }
    }

    /** Where driver-sim's classes come from in this build (a jar, or its classes directory). */
    private static Path codeSource() throws URISyntaxException {
        return Path.of(SimulatedArrayDriverProvider.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }
}
