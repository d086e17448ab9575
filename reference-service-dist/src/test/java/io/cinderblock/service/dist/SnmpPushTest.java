package io.cinderblock.service.dist;

import io.cinderblock.sdk.testing.Await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cinderblock.service.dist.Distribution.Result;
import io.cinderblock.service.dist.Distribution.Service;
import io.cinderblock.service.dist.DriverTestHelpers.Helper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pushed state end to end with real net-snmp: the service started from the distribution with one
 * {@code snmp-array} backend (SNMPv3 authPriv against driver-snmp-array's {@code NetSnmpAgent}, a
 * real snmpd) listening for notifications. Net-snmp's {@code snmpinform} sends the profile's down
 * notification ({@code nsNotifyShutdown}) as v3 authPriv with the backend's user: the real {@code
 * cinder service-list} shows the backend {@code down}, its reason naming the notification (not a
 * probe's). Probing is slow here (every 30 s, every 6 s while down), so the list cannot have it
 * from a probe first. The next probe finds snmpd answering and the backend {@code up}; then snmpd
 * is SIGSTOPped, which it announces to nobody, and polling still turns the backend {@code down}.
 */
class SnmpPushTest {
    private static final String SHUTDOWN = "1.3.6.1.4.1.8072.4.0.2";
    private static final Duration COMMAND = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path directory;

    @Test
    void realInformTurnsTheListDownAtOnceAndPollingCatchesASilentAgent() throws Exception {
        try (Helper snmpd = Helper.start("io.cinderblock.driver.snmp.NetSnmpAgent")) {
            Map<String, String> options = new java.util.LinkedHashMap<>(snmpd.options("v3Config", "host-resources"));
            int trapPort = freeUdpPort();
            options.put("snmp_notification_port", Integer.toString(trapPort));
            options.put("snmp_notification_address", "127.0.0.1");
            Path config = writeConfig(options);
            try (Service service = Service.start(directory, "--config-file", config.toString(), "serve", "--port",
                    "0")) {
                String endpoint = service.awaitEndpoint(Duration.ofSeconds(90));
                String origin = endpoint.substring(0, endpoint.length() - "/v3".length());
                String cinder = service.bannerLine("cinder ");
                awaitListed(cinder, "up");
                assertThat(row(origin).path("push_lost").isNull()).as("the push channel is up").isTrue();

                Result inform = Distribution.run(directory, List.of("env", "MIBS=", "snmpinform", "-v", "3", "-u",
                        options.get("snmp_user"), "-l", "authPriv", "-a", "SHA-256", "-A", options.get("snmp_auth_key"),
                        "-x", "AES", "-X", options.get("snmp_priv_key"), "-t", "2", "-r", "2",
                        "127.0.0.1:" + trapPort, "", SHUTDOWN), COMMAND);
                assertThat(inform.code()).as("snmpinform acknowledged: " + inform.all()).isZero();
                String pushedReason = Await.until(Duration.ofSeconds(20), Distribution.POLL,
                        () -> row(origin).path("reason").asText(""), r -> r.contains(SHUTDOWN),
                        "the status page's reason to name the notification " + SHUTDOWN);
                System.out.println("SnmpPushTest: after the inform: " + pushedReason);
                awaitListed(cinder, "down");

                // snmpd did not really stop: the next (faster) probe sees it answer.
                awaitListed(cinder, "up");

                snmpd.call("pause");
                try {
                    awaitListed(cinder, "down");
                    String polled = row(origin).path("reason").asText("");
                    System.out.println("SnmpPushTest: silent agent found by polling: " + polled);
                    assertThat(polled).isNotBlank().doesNotContain(SHUTDOWN);
                } finally {
                    snmpd.call("resume");
                }
                awaitListed(cinder, "up");
                assertThat(service.stderr()).contains("pushes its state changes");
            }
        }
    }

    private static int freeUdpPort() throws SocketException {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static JsonNode row(String origin) {
        try {
            JsonNode body = JSON.readTree(Distribution.get(origin + "/status/data", "admin:admin").body());
            for (JsonNode row : body.path("services")) {
                if (row.path("host").asText().equals("push-host@snmp-1")) {
                    return row;
                }
            }
            throw new AssertionError("no status row for push-host@snmp-1: " + body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Pastes the banner's cinder command until snmp-1's Backend State is {@code expected}. */
    private void awaitListed(String cinder, String expected) {
        String[] last = {""};
        try {
            Await.until(Duration.ofSeconds(75), Distribution.POLL, () -> {
                Result result = Distribution.shell(directory, cinder, COMMAND);
                last[0] = result.all();
                return result.out().lines().map(String::strip)
                        .filter(l -> l.matches("\\| cinder-volume +\\| push-host@snmp-1 +\\|.*"))
                        .map(l -> l.replaceAll(".*\\| (up|down) +\\|$", "$1")).findFirst().orElse("");
            }, expected::equals, "cinder service-list Backend State of snmp-1 " + expected);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\nlast output:\n" + last[0], e);
        }
    }

    private Path writeConfig(Map<String, String> options) throws IOException {
        StringBuilder ini = new StringBuilder("[DEFAULT]\nhost = push-host\nenabled_backends = snmp-1\n"
                + "osapi_volume_listen = 127.0.0.1\nbackend_state_interval = 30\nbackend_stats_polling_interval = 600\n"
                + "report_interval = 2\nservice_down_time = 30\n[database]\nconnection = sqlite:///data/cb.db\n"
                + "[snmp-1]\nvolume_driver = snmp-array\n");
        options.forEach((k, v) -> ini.append(k).append(" = ").append(v).append('\n'));
        Path file = directory.resolve("cinder.conf");
        Files.writeString(file, ini);
        return file;
    }
}
