package ${package}.tck;

import ${package}.Simulated${classPrefix}Array;
import io.cinderblock.tck.runner.TckMain;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * The standalone conformance kit on the packaged driver, as a vendor's CI or a third party runs it
 * ({@code java -jar conformance-tck-...-standalone.jar --driver-dir target/drivers/${driverId} --config ...}),
 * run by {@code mvn verify} (exec-maven-plugin, phase {@code integration-test}). It checks what the
 * embedded run cannot: that {@code target/drivers/${driverId}/} loads on its own, in its own class
 * loader, with every library it needs. The device is the SIMULATED array, started here; the kit
 * writes its reports to {@code target/tck-report/}.
 *
 * <p>Arguments: the drivers directory of this driver, the report directory, {@code skipTests},
 * {@code maven.test.skip}.
 */
public final class StandaloneKitRun {
    private StandaloneKitRun() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 4) {
            throw new IllegalArgumentException("usage: StandaloneKitRun DRIVER_DIR REPORT_DIR SKIP_TESTS TEST_SKIP");
        }
        if (Boolean.parseBoolean(args[2]) || Boolean.parseBoolean(args[3])) {
            System.out.println("[WARNING] Tests skipped: the standalone conformance kit did not run.");
            return;
        }
        Path reportDir = Path.of(args[1]);
        Files.createDirectories(reportDir);
        try (Simulated${classPrefix}Array array = Simulated${classPrefix}Array.start()) {
            Properties config = new Properties();
            config.putAll(array.driverConfig());
            config.setProperty("volume_driver", "${driverId}");
            // The simulated array's password lives only as long as this run.
            Path file = reportDir.resolve("simulated-backend.properties");
            try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                config.store(out, "SIMULATED ${vendorName} array, for the standalone kit run only");
            }
            int exit = TckMain.run(new String[] {"--driver-dir", args[0], "--config", file.toString(),
                    "--report-dir", reportDir.toString(), "--expect-capabilities", "create_volume,extend_volume"},
                    System.out, System.err);
            Files.delete(file);
            if (exit != 0) {
                throw new IllegalStateException("The standalone conformance kit failed with exit code " + exit
                        + (exit == 2 ? " (set-up error: see the message above)" : " (see " + reportDir + ")"));
            }
        }
    }
}
