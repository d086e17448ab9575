package io.cinderblock.service.dist;

import static org.assertj.core.api.Assertions.assertThat;

import io.cinderblock.sdk.testing.Await;
import io.cinderblock.sdk.testing.LocalPorts;
import io.cinderblock.service.dist.Distribution.Result;
import io.cinderblock.service.dist.Distribution.Service;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution as an operator meets it: its layout and archive, the example configuration run
 * from another working directory, the banner's commands pasted into a shell (real {@code cinder} and
 * {@code openstack} clients, Debian's python3-cinderclient and python3-openstackclient), help on every
 * command, and the message when the service is not running. Backends here are on the SIMULATED
 * array driver; {@link RealDevicesTest} runs the real drivers against real servers.
 */
class DistributionTest {
    private static final Duration COMMAND = Duration.ofSeconds(60);
    private static final List<String> DRIVERS = List.of("sim", "lvm", "snmp-array", "iscsi-generic");

    @TempDir
    Path directory;

    @Test
    void layoutHasTheServiceItsLibrariesAndEveryDriverInItsOwnDirectory() throws IOException {
        Path home = Distribution.home();
        assertThat(names(home.resolve("lib"))).anyMatch(n -> n.startsWith("reference-service-"))
                .anyMatch(n -> n.startsWith("sdk-host-")).anyMatch(n -> n.startsWith("jetty-server-"))
                // The service's class path holds no driver and no driver's library: they load in
                // their own class loaders from drivers/.
                .noneMatch(n -> n.startsWith("driver-")).noneMatch(n -> n.startsWith("jsch-"))
                .noneMatch(n -> n.startsWith("snmp4j-"));
        assertThat(names(home.resolve("drivers"))).containsExactlyInAnyOrderElementsOf(DRIVERS);
        for (String id : DRIVERS) {
            assertThat(names(home.resolve("drivers").resolve(id))).as(id).anyMatch(n -> n.startsWith("driver-" + id))
                    .noneMatch(n -> n.startsWith("sdk-"));
        }
        assertThat(names(home.resolve("drivers/lvm"))).anyMatch(n -> n.startsWith("jsch-"));
        assertThat(names(home.resolve("drivers/snmp-array"))).anyMatch(n -> n.startsWith("snmp4j-"));

        String example = Files.readString(home.resolve("etc/cinder.conf.example"));
        for (String id : DRIVERS) {
            assertThat(example).as("a section for " + id).containsPattern("(?m)^#? ?volume_driver = " + id + "$");
        }

        // The archive holds the same tree under cinderblock-service/.
        Path archive = home.getParent().getParent().resolve("cinderblock-service.tar.gz");
        Result listing = Distribution.run(directory, List.of("tar", "tzvf", archive.toString()), COMMAND);
        assertThat(listing.code()).as(listing.err()).isZero();
        assertThat(listing.out()).contains("cinderblock-service/bin/cinderblock-service")
                .contains("cinderblock-service/etc/cinder.conf.example")
                .containsPattern("-rwxr-xr-x .* cinderblock-service/bin/cinderblock-service")
                .containsPattern("cinderblock-service/drivers/lvm/jsch-[0-9.]+\\.jar")
                .containsPattern("cinderblock-service/drivers/iscsi-generic/driver-iscsi-generic-.*-bundle\\.jar")
                .containsPattern("cinderblock-service/lib/reference-service-.*\\.jar");
    }

    @Test
    void helpOnEveryCommandAndAClearMessageWhenTheServiceIsNotRunning() {
        for (List<String> args : List.of(List.of("--help"), List.of("-h"), List.of("help"), List.of("serve", "--help"),
                List.of("serve", "-h"), List.of("help", "serve"), List.of("service-list", "--help"),
                List.of("help", "service-list"), List.of("backend-state", "-h"), List.of("help", "backend-state"),
                List.of("set-device", "--help"), List.of("help", "set-device"))) {
            Result help = Distribution.run(directory, command(args), COMMAND);
            assertThat(help.code()).as(args + ": " + help.all()).isZero();
            assertThat(help.out()).as(String.join(" ", args)).contains("Usage: ");
        }
        assertThat(Distribution.run(directory, command(List.of("help", "serve")), COMMAND).out())
                .contains("--port").contains("--role");

        int closed = LocalPorts.freeTcpPort();
        Result refused = Distribution.run(directory, command(List.of("service-list", "--endpoint",
                "http://127.0.0.1:" + closed + "/v3")), COMMAND);
        assertThat(refused.code()).isEqualTo(1);
        assertThat(refused.err()).contains("ERROR: cannot reach http://127.0.0.1:" + closed
                + "/v3/os-services: connection refused").doesNotContain("null");
    }

    @Test
    void theExampleConfigurationRunsFromAnotherDirectoryAndEveryPrintedCommandWorks() throws IOException {
        Path etc = Files.createDirectories(directory.resolve("etc"));
        Path config = etc.resolve("cinder.conf");
        Files.writeString(config, Files.readString(Distribution.home().resolve("etc/cinder.conf.example"))
                .replace("sim_port = 18790", "sim_port = " + LocalPorts.freeTcpPort()));
        Path elsewhere = Files.createDirectories(directory.resolve("elsewhere"));

        try (Service service = Service.start(elsewhere, "--config-file", config.toString(), "serve", "--port", "0")) {
            String endpoint = service.awaitEndpoint(Duration.ofSeconds(60));
            String origin = endpoint.substring(0, endpoint.length() - "/v3".length());

            // The data directory is absolute and next to the configuration, not in the working directory.
            assertThat(service.bannerLine("Database:")).contains("sqlite:///" + etc.toRealPath() + "/cinderblock-data/")
                    .contains("(data directory " + etc.toRealPath().resolve("cinderblock-data") + ")");
            assertThat(elsewhere.resolve("cinderblock-data")).doesNotExist();
            assertThat(service.bannerLine("Status page:")).contains(origin + "/status#token=admin:admin");
            assertThat(service.bannerLine("Health:")).contains(origin + "/healthz").contains(origin + "/readyz")
                    .contains(origin + "/metrics");
            for (String path : List.of("/healthz", "/readyz", "/metrics", "/status")) {
                assertThat(Distribution.get(origin + path, null).statusCode()).as(path).isEqualTo(200);
            }
            assertThat(Distribution.get(origin + "/status/data", "admin:admin").body()).contains("demo-sim");

            String cinder = service.bannerLine("cinder ");
            Await.until(Duration.ofSeconds(60), Distribution.POLL, () -> Distribution.shell(elsewhere, cinder, COMMAND).out(),
                    out -> out.contains("Backend State") && out.matches("(?s).*storage-01@demo-sim .*\\| up +\\|.*"),
                    "pasted '" + cinder + "' shows storage-01@demo-sim up");

            String openstack = service.bannerLine("openstack ");
            assertThat(openstack).endsWith("volume service list --long");
            Result long_ = Distribution.shell(elsewhere, openstack, COMMAND);
            assertThat(long_.code()).as(long_.all()).isZero();
            assertThat(long_.out()).contains("Disabled Reason").containsPattern("cinder-volume +\\| storage-01@demo-sim");
            Result short_ = Distribution.shell(elsewhere, openstack.replace(" --long", ""), COMMAND);
            assertThat(short_.code()).as(short_.all()).isZero();
            assertThat(short_.out()).doesNotContain("Disabled Reason").contains("storage-01@demo-sim");

            // The script's own commands, printed with absolute paths, work from any directory.
            String list = bannerCommand(service, " service-list");
            Result own = Distribution.shell(directory, list, COMMAND);
            assertThat(own.code()).as(own.all()).isZero();
            assertThat(own.out()).containsPattern("storage-01@demo-sim +\\|.*\\| up +\\|");

            String program = list.substring(0, list.indexOf(" service-list"));
            Result down = Distribution.shell(directory, program + " set-device demo-sim down \"controller failed\"",
                    COMMAND);
            assertThat(down.code()).as(down.all()).isZero();
            Await.until(Duration.ofSeconds(30), Distribution.POLL, () -> Distribution.shell(elsewhere, cinder, COMMAND).out(),
                    out -> out.matches("(?s).*storage-01@demo-sim .*\\| down +\\|.*"), "demo-sim down");
            assertThat(Distribution.shell(directory, program + " set-device demo-sim up", COMMAND).code()).isZero();

            // An operator's disable and enable leave an access line and an audit line each.
            Result disable = Distribution.shell(elsewhere, cinder.replace("service-list",
                    "service-disable --reason 'planned maintenance' storage-01@demo-sim cinder-volume"), COMMAND);
            assertThat(disable.code()).as(disable.all()).isZero();
            Result enable = Distribution.shell(elsewhere, cinder.replace("service-list",
                    "service-enable storage-01@demo-sim cinder-volume"), COMMAND);
            assertThat(enable.code()).as(enable.all()).isZero();
            String log = Await.until(Duration.ofSeconds(10), Distribution.POLL, service::stderr,
                    err -> err.contains("os-services/enable"), "the enable in the log");
            assertThat(log).containsPattern("INFO access - \\[req-[0-9a-f-]+ admin admin - - -\\] 127\\.0\\.0\\.1"
                    + " \"GET /v3/(?:[^ /]+/)?os-services HTTP/1\\.1\" status: 200 len: [0-9]+ time: [0-9.]+")
                    .containsPattern("INFO access - \\[req-[0-9a-f-]+ admin admin - - -\\] 127\\.0\\.0\\.1"
                    + " \"PUT /v3/(?:[^ /]+/)?os-services/disable-log-reason HTTP/1\\.1\" status: 200 ")
                    .containsPattern("INFO audit - \\[req-[0-9a-f-]+ admin admin - - -\\] PUT"
                    + " /v3/(?:[^ /]+/)?os-services/disable-log-reason: succeeded \\(200\\) host=\"storage-01@demo-sim\""
                    + " binary=\"cinder-volume\" status=\"disabled\" reason=\"planned maintenance\"")
                    .containsPattern("INFO audit - \\[req-[0-9a-f-]+ admin admin - - -\\] PUT"
                    + " /v3/(?:[^ /]+/)?os-services/enable: succeeded \\(200\\) host=\"storage-01@demo-sim\""
                    + " binary=\"cinder-volume\" status=\"enabled\"")
                    // The polled operations endpoints stay out of the INFO log.
                    .doesNotContain("\"GET /healthz").doesNotContain("\"GET /status/data");
            Await.until(Duration.ofSeconds(30), Distribution.POLL, () -> Distribution.shell(elsewhere, cinder, COMMAND).out(),
                    out -> out.matches("(?s).*storage-01@demo-sim .*\\| up +\\|.*"), "demo-sim up again");
        }
    }

    @Test
    void underTheTokensStrategyThePrintedCommandsUseATokenFromTheFileWithoutPrintingIt() throws IOException {
        String token = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
        Files.writeString(directory.resolve("tokens.txt"), "# TOKEN USER PROJECT ROLES\n"
                + HexFormat.of().formatHex(new SecureRandom().generateSeed(16)) + " reader p-reader member\n"
                + token + " operator p-ops admin,member\n");
        Path config = directory.resolve("cinder.conf");
        Files.writeString(config, String.join("\n", "[DEFAULT]", "host = tokens-host", "enabled_backends = sim-1",
                "osapi_volume_listen = 127.0.0.1", "backend_state_interval = 1", "[database]",
                "connection = sqlite:///data/cb.db", "[auth]", "strategy = tokens", "tokens_file = tokens.txt",
                "[sim-1]", "volume_driver = sim", "sim_port = " + LocalPorts.freeTcpPort(), "sim_device = d1",
                "sim_start_server = true", "sim_timeout = 1s", ""));

        try (Service service = Service.start(directory, "--config-file", config.toString(), "serve", "--port", "0")) {
            String endpoint = service.awaitEndpoint(Duration.ofSeconds(60));
            assertThat(service.stdout() + service.stderr()).doesNotContain(token);
            String setup = service.bannerLine("TOKEN=");
            String cinder = service.bannerLine("cinder ");
            String openstack = service.bannerLine("openstack ");
            assertThat(cinder).contains("--os-auth-type admin_token").contains(endpoint);
            assertThat(service.bannerLine("Status page:")).contains("/status#token=$TOKEN");

            Await.until(Duration.ofSeconds(60), Distribution.POLL,
                    () -> Distribution.shell(directory, setup + "; " + cinder, COMMAND).out(),
                    out -> out.matches("(?s).*tokens-host@sim-1 .*\\| up +\\|.*"), "pasted cinder shows sim-1 up");
            Result own = Distribution.shell(directory, setup + "; " + bannerCommand(service, " service-list"), COMMAND);
            assertThat(own.code()).as(own.all()).isZero();
            assertThat(own.out()).contains("tokens-host@sim-1");
            Result os = Distribution.shell(directory, setup + "; " + openstack, COMMAND);
            assertThat(os.code()).as(os.all()).isZero();
            assertThat(os.out()).contains("tokens-host@sim-1");
            // The noauth form is refused here, as it should be.
            Result noauth = Distribution.shell(directory, cinder.replaceAll("--os-auth-type admin_token .*$",
                    "--os-auth-type noauth --os-endpoint " + endpoint + " --os-user-id admin --os-project-id admin"
                            + " service-list"), COMMAND);
            assertThat(noauth.code()).isNotZero();
            // A refused state change is audited too, with the user the token names.
            Result refused = Distribution.shell(directory, setup + "; " + cinder.replace("service-list",
                    "service-disable no-such-host cinder-volume"), COMMAND);
            assertThat(refused.code()).isNotZero();
            String log = Await.until(Duration.ofSeconds(10), Distribution.POLL, service::stderr, err -> err.contains("audit - "),
                    "the refused disable in the audit log");
            assertThat(log).containsPattern("INFO audit - \\[req-[0-9a-f-]+ operator p-ops - - -\\] PUT"
                    + " /v3/(?:[^ /]+/)?os-services/disable: refused \\(404\\)").doesNotContain(token);
        }
    }

    private static String bannerCommand(Service service, String part) {
        return service.stdout().lines().map(String::strip).filter(l -> l.contains(part))
                .filter(l -> l.contains("cinderblock-service")).findFirst()
                .orElseThrow(() -> new AssertionError("no '" + part + "' command in\n" + service.stdout()));
    }

    private static List<String> command(List<String> args) {
        return Stream.concat(Stream.of(Distribution.script().toString()), args.stream()).toList();
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            return list.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
