package io.cinderblock.service.dist;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cinderblock.sdk.testing.Await;
import io.cinderblock.sdk.testing.LocalPorts;
import io.cinderblock.service.dist.Distribution.Result;
import io.cinderblock.service.dist.Distribution.Service;
import io.cinderblock.service.dist.DriverTestHelpers.Helper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service started from the distribution with one backend per real driver, against real
 * servers: {@code lvm} (OpenSSH sshd, LVM on loop devices, tgtd: driver-lvm's own helper),
 * {@code snmp-array} (net-snmp snmpd: driver-snmp-array's helper), {@code iscsi-generic} (SNIA's
 * Swordfish API emulator, {@code ../shared/swordfish-emulator} beside the repository), plus the
 * SIMULATED {@code sim}. The real {@code cinder service-list} shows every backend up; a real fault in
 * one server (sshd stopped, snmpd SIGSTOPped, the emulator stopped) turns exactly that backend down
 * with its reason (read from the status page's data), and it comes back up when healed. Needs root
 * and the Debian packages of {@code .ci/run}; a missing one fails the test.
 */
class RealDevicesTest {
    private static final Duration COMMAND = Duration.ofSeconds(60);
    private static final Duration CHANGE = Duration.ofSeconds(60);
    private static final Pattern ROW = Pattern.compile("\\| cinder-volume +\\| real-host@([a-z0-9-]+) +\\|.*\\| (up|down) +\\|$");

    @TempDir
    Path directory;

    @Test
    void oneBackendPerRealDriverUpThenEachFaultDownsExactlyItsBackend() throws Exception {
        try (Helper lvm = Helper.start("io.cinderblock.driver.lvm.LvmTestHost");
                Helper snmpd = Helper.start("io.cinderblock.driver.snmp.NetSnmpAgent");
                Swordfish swordfish = Swordfish.start(directory)) {
            lvm.call("startTgtd");
            Map<String, Map<String, String>> backends = new LinkedHashMap<>();
            Map<String, String> lvmOptions = new LinkedHashMap<>(Map.of("volume_driver", "lvm"));
            lvmOptions.putAll(lvm.options("driverConfig"));
            backends.put("lvm-1", lvmOptions);
            backends.put("snmp-1", snmpd.options("v3Config", "host-resources"));
            backends.put("array-1", swordfish.driverConfig());
            backends.put("sim-1", Map.of("volume_driver", "sim", "sim_port", String.valueOf(LocalPorts.freeTcpPort()),
                    "sim_device", "d1", "sim_start_server", "true", "sim_timeout", "1s"));
            Path config = writeConfig(backends);

            long started = System.nanoTime();
            try (Service service = Service.start(directory, "--config-file", config.toString(), "serve", "--port",
                    "0")) {
                String endpoint = service.awaitEndpoint(Duration.ofSeconds(90));
                String cinder = service.bannerLine("cinder ");
                Map<String, String> all = awaitStates(cinder, Map.of("lvm-1", "up", "snmp-1", "up", "array-1", "up",
                        "sim-1", "up"));
                System.out.printf("RealDevicesTest: start to a full list with every backend up: %.1f s (%s)%n",
                        (System.nanoTime() - started) / 1e9, all);
                String origin = endpoint.substring(0, endpoint.length() - "/v3".length());

                lvm.call("stopSsh");
                expectOnlyDown(cinder, origin, "lvm-1");
                lvm.call("startSsh");
                awaitStates(cinder, Map.of("lvm-1", "up", "snmp-1", "up", "array-1", "up", "sim-1", "up"));

                snmpd.call("pause");
                try {
                    expectOnlyDown(cinder, origin, "snmp-1");
                } finally {
                    snmpd.call("resume");
                }
                awaitStates(cinder, Map.of("lvm-1", "up", "snmp-1", "up", "array-1", "up", "sim-1", "up"));

                swordfish.stop();
                expectOnlyDown(cinder, origin, "array-1");
                swordfish.restart();
                awaitStates(cinder, Map.of("lvm-1", "up", "snmp-1", "up", "array-1", "up", "sim-1", "up"));
                assertThat(service.stderr()).doesNotContain("NoClassDefFoundError").doesNotContain("no such driver");
            }
        }
    }

    private void expectOnlyDown(String cinder, String origin, String backend) throws IOException {
        Map<String, String> expected = new LinkedHashMap<>(Map.of("lvm-1", "up", "snmp-1", "up", "array-1", "up",
                "sim-1", "up"));
        expected.put(backend, "down");
        awaitStates(cinder, expected);
        JsonNode rows = new ObjectMapper().readTree(Distribution.get(origin + "/status/data", "admin:admin").body());
        String reason = null;
        for (JsonNode row : rows.findParents("host")) {
            if (row.path("host").asText().equals("real-host@" + backend)) {
                reason = row.path("reason").asText(null);
            }
        }
        System.out.println("RealDevicesTest: " + backend + " down: " + reason);
        assertThat(reason).as(backend + "'s reason on the status page").isNotBlank();
    }

    /** Pastes the banner's cinder command until the Backend State column shows {@code expected}. */
    private Map<String, String> awaitStates(String cinder, Map<String, String> expected) {
        String[] last = {""};
        try {
            return Await.until(CHANGE, Distribution.POLL, () -> {
                Result result = Distribution.shell(directory, cinder, COMMAND);
                last[0] = result.all();
                return states(result);
            }, expected::equals, "cinder service-list Backend State " + expected);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\nlast output:\n" + last[0], e);
        }
    }

    private static Map<String, String> states(Result result) {
        Map<String, String> states = new LinkedHashMap<>();
        for (String line : result.out().lines().toList()) {
            Matcher m = ROW.matcher(line.strip());
            if (m.find()) {
                states.put(m.group(1), m.group(2));
            }
        }
        return states;
    }

    private Path writeConfig(Map<String, Map<String, String>> backends) throws IOException {
        StringBuilder ini = new StringBuilder("[DEFAULT]\nhost = real-host\nenabled_backends = ")
                .append(String.join(", ", backends.keySet()))
                .append("\nosapi_volume_listen = 127.0.0.1\nbackend_state_interval = 1\nreport_interval = 2\n"
                        + "service_down_time = 30\n[database]\nconnection = sqlite:///data/cb.db\n");
        backends.forEach((name, options) -> {
            ini.append('[').append(name).append("]\n");
            options.forEach((k, v) -> ini.append(k).append(" = ").append(v).append('\n'));
        });
        Path file = directory.resolve("cinder.conf");
        Files.writeString(file, ini);
        return file;
    }

    /**
     * SNIA's Swordfish API emulator (a real Redfish/Swordfish REST server in Python), started and
     * stopped with its fixture's scripts on a fixed port so a restart is the same endpoint.
     */
    static final class Swordfish implements AutoCloseable {
        private final Path fixture;
        private final Path workdir;
        private final int port;
        private final Map<String, String> values = new LinkedHashMap<>();

        private Swordfish(Path fixture, Path workdir, int port) {
            this.fixture = fixture;
            this.workdir = workdir;
            this.port = port;
        }

        static Swordfish start(Path directory) {
            String repo = System.getProperty("cinderblock.repo", ".");
            Path fixture = Path.of(repo).resolve("../shared/swordfish-emulator").normalize();
            assertThat(fixture.resolve("start.sh")).as("the Swordfish emulator fixture beside the repository")
                    .exists();
            Swordfish swordfish = new Swordfish(fixture, directory.resolve("swordfish"), LocalPorts.freeTcpPort());
            swordfish.restart();
            return swordfish;
        }

        /** Starts (again) on the same port: a fresh, seeded array. */
        void restart() {
            try {
                Process p = new ProcessBuilder("bash", fixture.resolve("start.sh").toString(),
                        String.valueOf(port), "--http-noauth", "--workdir", workdir.toString(), "--watch-pid",
                        Long.toString(ProcessHandle.current().pid()))
                        .redirectError(ProcessBuilder.Redirect.appendTo(workdir.resolveSibling("swordfish-start.log")
                                .toFile()))
                        .start();
                values.clear();
                try (BufferedReader out = p.inputReader()) {
                    out.lines().filter(l -> l.contains("=")).map(l -> l.split("=", 2))
                            .forEach(kv -> values.put(kv[0], kv[1]));
                }
                if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    throw new AssertionError("start.sh failed: "
                            + Files.readString(workdir.resolveSibling("swordfish-start.log")));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }

        Map<String, String> driverConfig() {
            Map<String, String> config = new LinkedHashMap<>();
            config.put("volume_driver", "iscsi-generic");
            config.put("swordfish_url", values.get("SWORDFISH_URL"));
            config.put("swordfish_user", values.get("SWORDFISH_USER"));
            config.put("swordfish_password", values.get("SWORDFISH_PASSWORD"));
            config.put("swordfish_auth", "basic");
            config.put("swordfish_storage_id", values.get("SWORDFISH_STORAGE_ID"));
            config.put("swordfish_connect_timeout", "1s");
            config.put("swordfish_request_timeout", "3s");
            return config;
        }

        void stop() {
            try {
                new ProcessBuilder("bash", fixture.resolve("stop.sh").toString(), workdir.toString())
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start()
                        .waitFor(30, TimeUnit.SECONDS);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void close() {
            stop();
        }
    }
}
