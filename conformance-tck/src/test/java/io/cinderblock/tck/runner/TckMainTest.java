package io.cinderblock.tck.runner;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cinderblock.tck.SimDevice;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The standalone entry point, run in-process: driver-sim's jar (a SIMULATED array) loaded in its own
 * class loader, flags, exit codes and the four report formats.
 */
class TckMainTest {
    private static final String SERVICES = "META-INF/services/io.cinderblock.sdk.spi.VolumeDriverProvider";

    @TempDir
    Path dir;

    private static final int KNOWN_GOOD_PASSED = 55;
    private static final java.util.Set<String> KNOWN_GOOD_SKIPPED = java.util.Set.of("CAP-1");

    private SimDevice device;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void startDevice() {
        device = SimDevice.start();
    }

    @AfterEach
    void stopDevice() {
        device.close();
    }

    private int run(String... args) {
        return TckMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    private Path config(Map<String, String> values) throws IOException {
        Properties properties = new Properties();
        properties.putAll(values);
        properties.put("volume_driver", "sim");
        properties.put("volume_backend_name", "tck-cli");
        Path file = dir.resolve("backend.properties");
        try (var writer = Files.newBufferedWriter(file)) {
            properties.store(writer, "test backend");
        }
        return file;
    }

    /**
     * A {@code --break-device}/{@code --heal-device} command for the simulated array: {@link
     * SimDeviceSwitch} in a JVM of its own, as a vendor's script would run; the key in the environment.
     */
    static String simDeviceCommand(SimDevice device, boolean up) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return "SIM_ACCESS_KEY='" + device.accessKey() + "' '" + java + "' -cp '" + System.getProperty("java.class.path")
                + "' " + SimDeviceSwitch.class.getName() + " " + device.port() + " " + SimDevice.DEVICE + " "
                + (up ? "UP" : "DOWN");
    }

    @Test
    void fullRunPassesAndWritesEveryReport() throws Exception {
        Path reports = dir.resolve("tck-report");
        Path driverJar = DriverJars.simJar(dir);
        assertThat(run("keygen", dir.resolve("vendor").toString())).as(err()).isEqualTo(TckMain.EXIT_PASSED);
        long start = System.nanoTime();
        int code = run("--driver-jar", driverJar.toString(), "--config", config(device.config()).toString(),
                "--report-dir", reports.toString(), "--expect-capabilities",
                "create_volume,extend_volume,snapshot,volume_from_snapshot,clone_volume,connection",
                "--break-device", simDeviceCommand(device, false), "--heal-device", simDeviceCommand(device, true),
                "--device-fault-name", "simulated controller failed",
                "--simulated-device", "driver-sim in-process server", "--sign", dir.resolve("vendor.pem").toString());
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.println("Standalone run against driver-sim took " + millis + " ms");

        assertThat(code).as("exit code; output:%n%s%n%s", out(), err()).isEqualTo(TckMain.EXIT_PASSED);
        assertThat(out()).contains("PASS", "capability snapshot", "CONFORMANT", "0 failed", "FAULT-8");
        KitReportChecks.junitXml(reports.resolve("TEST-cinderblock-kit.sim.xml"), "sim",
                KNOWN_GOOD_PASSED + KNOWN_GOOD_SKIPPED.size(), KNOWN_GOOD_SKIPPED.size());
        String json = Files.readString(reports.resolve("tck-report.json"));
        JsonNode report = ReportSchema.JSON.readTree(json);
        assertKnownGoodReport(report);
        KitReportChecks.certification(report, "standalone", driverJar, device.accessKey());
        assertThat(Files.readString(reports.resolve("tck-report.html"))).contains("<!DOCTYPE html>",
                "Conformant on a simulated device", "Simulated device:", "FAULT-8", "sim_access_key = ***")
                .doesNotContain("<script", "http://", "https://");
        List<Path> openXml;
        try (Stream<Path> files = Files.walk(reports)) {
            openXml = files.filter(p -> p.getFileName().toString().endsWith(".xml"))
                    .filter(p -> !p.getFileName().toString().startsWith("TEST-")).collect(Collectors.toList());
        }
        assertThat(openXml).as("Open Test Reporting XML in %s", reports).isNotEmpty();
        assertThat(Files.readString(openXml.get(0))).contains("events");
        assertThat(out() + err() + json).as("the access key never shows").doesNotContain(device.accessKey());

        // The genuine report verifies: signature with the vendor's published key, and the jar's digest.
        out.reset();
        assertThat(run("verify", reports.resolve("tck-report.json").toString(), "--public-key",
                dir.resolve("vendor.pub.pem").toString(), "--driver-jar", driverJar.toString()))
                .as("verify output:%n%s%n%s", out(), err()).isEqualTo(TckMain.EXIT_PASSED);
        assertThat(out()).contains("signature verified with", "matches the report", "verifies");
        KitReportChecks.tamperedReportsFail(reports.resolve("tck-report.json"), driverJar, dir,
                (args) -> {
                    out.reset();
                    err.reset();
                    int exit = run(args);
                    return new KitReportChecks.Outcome(exit, out() + err());
                });
    }

    /**
     * The known-good driver's exact score, standalone: every requirement passes except CAP-1 (the sim
     * offers every capability); FAULT-8 runs through the fault commands. A regression
     * that turns a check into a skip, or blocks it, changes these numbers.
     */
    private static void assertKnownGoodReport(JsonNode report) {
        assertThat(ReportSchema.violations(report)).as("violations of tck-report.schema.json").isEmpty();
        assertThat(report.get("tck_version").asText()).isEqualTo("0.1.0-SNAPSHOT");
        assertThat(report.get("driver").get("id").asText()).isEqualTo("sim");
        assertThat(report.get("backend_name").asText()).isEqualTo("tck-cli");
        JsonNode summary = report.get("summary");
        assertThat(summary.get("verdict").asText()).isEqualTo("passed");
        assertThat(summary.get("passed").asInt()).as("passed").isEqualTo(KNOWN_GOOD_PASSED);
        assertThat(summary.get("failed").asInt()).as("failed").isZero();
        assertThat(summary.get("blocked").asInt()).as("blocked").isZero();
        assertThat(summary.get("skipped").asInt()).as("skipped").isEqualTo(KNOWN_GOOD_SKIPPED.size());
        Map<String, String> results = new java.util.TreeMap<>();
        report.get("requirements").forEach(r -> results.put(r.get("id").asText(), r.get("result").asText()));
        results.forEach((id, result) -> assertThat(result).as("result of %s", id)
                .isEqualTo(KNOWN_GOOD_SKIPPED.contains(id) ? "skipped" : "passed"));
        assertThat(report.get("tests")).hasSize(KNOWN_GOOD_PASSED + KNOWN_GOOD_SKIPPED.size());
    }

    @Test
    void failingDriverExitsWithOne() throws IOException {
        try {
            device.controllerFailure().breakDevice();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        int code = run("--driver-jar", DriverJars.simJar(dir).toString(), "--config", config(device.config()).toString(),
                "--report-dir", dir.resolve("r").toString(), "--include", "state");
        assertThat(code).as("output:%n%s", out()).isEqualTo(TckMain.EXIT_FAILED);
        assertThat(out()).contains("FAIL", "STATE-1", "NOT CONFORMANT");
        assertThat(Files.readString(dir.resolve("r/tck-report.json"))).contains("\"verdict\": \"failed\"");
    }

    @Test
    void listPrintsWhichRequirementsApply() throws IOException {
        int code = run("--driver-jar", DriverJars.simJar(dir).toString(), "--config", config(device.config()).toString(),
                "--list");
        assertThat(code).isEqualTo(TckMain.EXIT_PASSED);
        // The sim declares every capability (CAP-1 skipped) and no expectation is given (CAP-3 skipped); the
        // requirements that break the device itself wait for the fault commands.
        assertThat(out()).containsPattern("(?m)^STATE-2 +state +applies ")
                .containsPattern("(?m)^CAP-1 +capabilities +skipped .*\\[every capability declared\\]")
                .containsPattern("(?m)^CAP-3 +capabilities +skipped .*\\[no --expect-capabilities given\\]")
                .containsPattern("(?m)^PUSH-2 +push +applies .*BackendStatePublisher");
        for (String id : List.of("FAULT-8", "PUSH-1", "PUSH-3", "PUSH-4")) {
            assertThat(out()).containsPattern("(?m)^" + id + " +(faults|push) +needs-hooks .*\\[no --break-device/--heal-device");
        }
        assertThat(out()).contains("50 of 56 requirements apply; 4 need the device fault commands "
                + "(--break-device/--heal-device) and will be skipped without them; 2 skipped for capabilities, "
                + "endpoints or configuration");
        assertThat(dir.resolve("tck-report")).doesNotExist();

        out.reset();
        code = run("--driver-jar", DriverJars.simJar(dir).toString(), "--config", config(device.config()).toString(),
                "--break-device", "true", "--heal-device", "true", "--expect-capabilities", "create_volume", "--list");
        assertThat(code).as("output:%n%s", out()).isEqualTo(TckMain.EXIT_PASSED);
        assertThat(out()).containsPattern("(?m)^FAULT-8 +faults +applies ")
                .contains("55 of 56 requirements apply; 0 need the device fault commands")
                .contains("; 1 skipped for capabilities");
    }

    /** A UDP device without secrets and snapshots (an SNMP-like array): what --list says will not run, and why. */
    @Test
    void listSkipsWhatTheDriversEndpointsAndOptionsRuleOut() {
        io.cinderblock.sdk.spi.DriverDescriptor udp = io.cinderblock.sdk.spi.DriverDescriptor.builder("udp-array")
                .vendorName("kit self-test").driverVersion("1.0")
                .storageProtocol(io.cinderblock.sdk.spi.StorageProtocol.ISCSI)
                .option(io.cinderblock.sdk.spi.ConfigOption.builder("agent_host", io.cinderblock.sdk.spi.OptionType.STRING)
                        .required().description("SNMP agent address")
                        .endpoint(io.cinderblock.sdk.spi.EndpointRole.HOST, io.cinderblock.sdk.spi.Transport.UDP).build())
                .option(io.cinderblock.sdk.spi.ConfigOption.builder("agent_port", io.cinderblock.sdk.spi.OptionType.INTEGER)
                        .required().description("SNMP agent port")
                        .endpoint(io.cinderblock.sdk.spi.EndpointRole.PORT, io.cinderblock.sdk.spi.Transport.UDP).build())
                .capability(io.cinderblock.sdk.spi.Capability.CREATE_VOLUME)
                .build();
        java.util.Map<String, String> fates = new java.util.TreeMap<>();
        for (io.cinderblock.tck.Requirement r : io.cinderblock.tck.Requirements.ALL) {
            RequirementList.fate(r, udp, java.util.Optional.of(Map.of("agent_host", "127.0.0.1", "agent_port", "161")),
                    false, false).ifPresent(f -> fates.put(r.id(), f.kind() + ": " + f.reason()));
        }
        String udpReason = "SKIPPED: a UDP endpoint: no connection to reset, close or leave half-open";
        String hooks = "NEEDS_HOOKS: no --break-device/--heal-device commands given";
        assertThat(fates).containsEntry("FAULT-3", udpReason).containsEntry("FAULT-10", udpReason)
                .containsEntry("FAULT-11", udpReason)
                .containsEntry("FAULT-9", "SKIPPED: no secret option declared")
                .containsEntry("SEC-2", "SKIPPED: no secret option declared")
                .containsEntry("PROV-4", "SKIPPED: 'snapshot' not declared")
                .containsEntry("CONN-1", "SKIPPED: 'connection' not declared")
                .containsEntry("CAP-3", "SKIPPED: no --expect-capabilities given")
                .containsEntry("FAULT-8", hooks).containsEntry("PUSH-1", hooks).containsEntry("PUSH-3", hooks)
                .containsEntry("PUSH-4", hooks)
                .doesNotContainKeys("FAULT-2", "FAULT-4", "CAP-1", "CAP-4", "PROV-1", "PUSH-2");
        assertThat(fates).hasSize(3 + 2 + 4 + 2 + 1 + 4); // UDP, secrets, PROV-3..6, CONN-1..2, CAP-3, hooks
    }

    @Test
    void usageErrorsExitWithTwo() throws IOException {
        String jar = DriverJars.simJar(dir).toString();
        String config = config(device.config()).toString();
        assertThat(run()).isEqualTo(TckMain.EXIT_USAGE);
        assertThat(err()).contains("exactly one of --driver-jar and --driver-dir", "usage:");
        assertThat(run("--driver-jar", jar, "--config", config, "--bogus")).isEqualTo(TckMain.EXIT_USAGE);
        assertThat(err()).contains("Unknown argument '--bogus'");
        assertThat(run("--driver-jar", jar, "--config", config, "--include", "stats,snapshots")).isEqualTo(TckMain.EXIT_USAGE);
        assertThat(err()).contains("Unknown group, requirement or capability 'snapshots'");
        assertThat(run("--driver-jar", jar, "--config", config, "--expect-capabilities", "create_volume,clones"))
                .isEqualTo(TckMain.EXIT_USAGE);
        assertThat(err()).contains("Unknown capability 'clones' in --expect-capabilities");
        assertThat(run("--driver-jar", jar)).isEqualTo(TckMain.EXIT_USAGE);
        assertThat(err()).contains("--config is required");
        assertThat(run("--driver-jar", dir.resolve("missing.jar").toString(), "--config", config))
                .isEqualTo(TckMain.EXIT_USAGE);
        assertThat(run("--help")).isEqualTo(TckMain.EXIT_PASSED);
        assertThat(out()).contains("exit codes: 0 all passed", "1 failures", "2 usage or setup error");
    }

    @Test
    void unknownOrMissingOptionStopsAtOnce() throws IOException {
        String jar = DriverJars.simJar(dir).toString();
        Map<String, String> typo = new java.util.LinkedHashMap<>(device.config());
        typo.put("sim_prot", "1");
        assertThat(run("--driver-jar", jar, "--config", config(typo).toString())).isEqualTo(TckMain.EXIT_USAGE);
        assertThat(err()).contains("Unknown option 'sim_prot'", "did you mean 'sim_port'");
        Map<String, String> missing = new java.util.LinkedHashMap<>(device.config());
        missing.remove("sim_device");
        assertThat(run("--driver-jar", jar, "--config", config(missing).toString())).isEqualTo(TckMain.EXIT_USAGE);
        assertThat(err()).contains("Missing required option 'sim_device'");
        assertThat(err()).doesNotContain(device.accessKey());
        assertThat(out()).doesNotContain("Running");
    }

    @Test
    void zeroOrSeveralProvidersStopAtOnce() throws IOException {
        String config = config(device.config()).toString();
        Path none = DriverJars.jar(dir.resolve("none.jar"), Map.of(SERVICES, ""), List.of());
        assertThat(run("--driver-jar", none.toString(), "--config", config)).isEqualTo(TckMain.EXIT_USAGE);
        assertThat(err()).contains("No provider of io.cinderblock.sdk.spi.VolumeDriverProvider registered");
        Path two = DriverJars.jar(dir.resolve("two.jar"), Map.of(SERVICES,
                "io.cinderblock.driver.sim.SimulatedArrayDriverProvider\n" + OtherIdProvider.class.getName() + "\n"),
                List.of(OtherIdProvider.class));
        assertThat(run("--driver-jar", two.toString(), "--config", config)).isEqualTo(TckMain.EXIT_USAGE);
        assertThat(err()).contains("Several providers", "sim", "other-sim");
    }

    @Test
    void driverDirectoryWorksLikeAJar() throws IOException {
        Path drivers = Files.createDirectories(dir.resolve("drivers"));
        DriverJars.jar(drivers.resolve("driver-sim.jar"), Map.of(), List.of());
        int code = run("--driver-dir", drivers.toString(), "--config", config(device.config()).toString(),
                "--report-dir", dir.resolve("r").toString(), "--include", "descriptor");
        assertThat(code).as("output:%n%s%n%s", out(), err()).isEqualTo(TckMain.EXIT_PASSED);
        assertThat(out()).contains("DESC-1");
    }

    @Test
    void driverMissingALibraryIsOneSetupErrorWithTheFix() throws IOException {
        String config = config(device.config()).toString();
        Path jar = setupJar(dir.resolve("needs-library.jar"), SetupProviders.UsesLibraryInOpen.class);
        int code = run("--driver-jar", jar.toString(), "--config", config, "--report-dir", dir.resolve("r").toString());
        assertThat(code).as("output:%n%s%n%s", out(), err()).isEqualTo(TckMain.EXIT_USAGE);
        assertThat(err()).contains("Driver 'sim' cannot be linked", MissingLibrary.class.getName(),
                SetupProviders.UsesLibraryInOpen.class.getName(), "use --driver-dir with drivers/sim/");
        assertThat(err().lines().filter(l -> l.startsWith("error:"))).as("one root cause, one message").hasSize(1);
        assertThat(out()).as("no test ran").doesNotContain("PASS", "FAIL");
        assertThat(dir.resolve("r/tck-report.json")).doesNotExist();

        // The same driver with its library beside it in a drivers/<id>/ directory links and runs.
        Path drivers = Files.createDirectories(dir.resolve("drivers/sim"));
        Files.copy(jar, drivers.resolve("needs-library.jar"));
        DriverJars.classesJar(drivers.resolve("library.jar"), List.of(MissingLibrary.class));
        out.reset();
        err.reset();
        code = run("--driver-dir", drivers.toString(), "--config", config, "--report-dir", dir.resolve("r").toString(),
                "--include", "descriptor");
        assertThat(code).as("output:%n%s%n%s", out(), err()).isEqualTo(TckMain.EXIT_PASSED);
    }

    @Test
    void providerThatCannotBeCreatedIsOneSetupErrorWithItsCause() throws IOException {
        String config = config(device.config()).toString();
        Path eager = setupJar(dir.resolve("eager.jar"), SetupProviders.UsesLibraryInConstructor.class);
        assertThat(run("--driver-jar", eager.toString(), "--config", config)).isEqualTo(TckMain.EXIT_USAGE);
        assertThat(err()).contains("cannot be linked: class " + MissingLibrary.class.getName() + " is not in its jars",
                "use --driver-dir with drivers/<id>/");

        err.reset();
        Path invalid = setupJar(dir.resolve("invalid.jar"), SetupProviders.InvalidDescriptor.class);
        assertThat(run("--driver-jar", invalid.toString(), "--config", config)).isEqualTo(TckMain.EXIT_USAGE);
        String descriptorMessage;
        try {
            new SetupProviders.InvalidDescriptor();
            throw new AssertionError("the invalid descriptor was accepted");
        } catch (ExceptionInInitializerError e) {
            descriptorMessage = e.getCause().getMessage();
        }
        assertThat(err()).as("the descriptor's own message").contains(descriptorMessage, "Bad Id")
                .doesNotContain("could not be instantiated");

        err.reset();
        Path throwing = setupJar(dir.resolve("throwing.jar"), SetupProviders.ThrowingConstructor.class);
        assertThat(run("--driver-jar", throwing.toString(), "--config", config)).isEqualTo(TckMain.EXIT_USAGE);
        assertThat(err()).contains("IllegalStateException: licence file acme.lic not found")
                .doesNotContain("could not be instantiated");
        assertThat(out()).doesNotContain("PASS", "FAIL");
    }

    /** A jar of the sim's classes and {@link SetupProviders}, registering {@code provider}. */
    private static Path setupJar(Path target, Class<?> provider) throws IOException {
        List<Class<?>> classes = new java.util.ArrayList<>(List.of(SetupProviders.class));
        classes.addAll(List.of(SetupProviders.class.getDeclaredClasses()));
        return DriverJars.jar(target, Map.of(SERVICES, provider.getName() + "\n"), classes);
    }
}
