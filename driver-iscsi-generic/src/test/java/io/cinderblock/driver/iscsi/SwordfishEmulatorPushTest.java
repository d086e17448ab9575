package io.cinderblock.driver.iscsi;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cinderblock.sdk.spi.BackendState;
import io.cinderblock.sdk.spi.VolumeDriver;
import io.cinderblock.sdk.testing.Await;
import io.cinderblock.sdk.testing.LocalPorts;
import io.cinderblock.sdk.testing.RecordingLogger;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Redfish event push against SNIA's Swordfish API Emulator (an independent implementation; see
 * {@link SwordfishEmulator}): it stores our {@code EventDestination} and, on every change to a
 * resource, really POSTs an event record over HTTP to its {@code Destination}. HTTPS with its CA and
 * session authentication for our requests; its deliveries come over plain HTTP from 127.0.0.1.
 *
 * <p>Bounds are generous (a loaded 2-core machine): they say "it arrived", not "how fast"; the
 * measured delay is printed.
 */
class SwordfishEmulatorPushTest {
    private static final Duration ARRIVAL = Duration.ofSeconds(10);
    private static SwordfishEmulator emulator;

    @BeforeAll
    static void startEmulator() {
        emulator = SwordfishEmulator.start();
    }

    @AfterAll
    static void stopEmulator() {
        if (emulator != null) {
            emulator.close();
        }
    }

    @AfterEach
    void healStorage() {
        if (emulator != null) {
            emulator.setStorageStatus("Enabled", "OK");
        }
    }

    private static SwordfishIscsiDriver open(int port, RecordingLogger context) {
        Map<String, String> options = new HashMap<>();
        options.put(SwordfishDriverProvider.STORAGE_ID, "SF1");
        options.put(SwordfishDriverProvider.EVENT_PORT, Integer.toString(port));
        options.put(SwordfishDriverProvider.EVENT_ADDRESS, "127.0.0.1");
        options.put(SwordfishDriverProvider.EVENT_CHECK_INTERVAL, "1s");
        return (SwordfishIscsiDriver) emulator.openDriver(options, context.context());
    }

    /** Waits for the background subscription; returns its resource path on the emulator. */
    private static String awaitSubscription(SwordfishIscsiDriver driver) throws InterruptedException {
        EventPush push = driver.eventPush().orElseThrow();
        return Await.until(ARRIVAL, push::subscription, java.util.Optional::isPresent, "the event subscription")
                .orElseThrow();
    }

    private static List<String> subscriptions() {
        List<String> paths = new java.util.ArrayList<>();
        emulator.get("/redfish/v1/EventService/Subscriptions").path("Members")
                .forEach(m -> paths.add(m.path("@odata.id").asText()));
        return paths;
    }

    @Test
    @DisplayName("subscribes with a Destination on our port; storage Critical, then StandbyOffline, is pushed DOWN; OK is re-read and pushed UP")
    void downAndRecovery() throws Exception {
        int port = LocalPorts.freeTcpPort();
        RecordingLogger context = new RecordingLogger("iscsi-test");
        RecordingListener listener = new RecordingListener();
        try (SwordfishIscsiDriver driver = open(port, context)) {
            assertThat(driver.publishTo(listener)).isTrue();
            String subscription = awaitSubscription(driver);
            JsonNode stored = emulator.get(subscription);
            String destination = stored.path("Destination").asText();
            assertThat(destination).startsWith("http://127.0.0.1:" + port + "/");
            assertThat(stored.path("Context").asText()).isEqualTo(destination.substring(destination.lastIndexOf('/') + 1))
                    .hasSizeGreaterThanOrEqualTo(32);
            assertThat(stored.path("Protocol").asText()).isEqualTo("Redfish");

            long start = System.nanoTime();
            emulator.setStorageStatus("Enabled", "Critical");
            BackendState down = listener.next(BackendState.Status.DOWN, ARRIVAL);
            long millis = (System.nanoTime() - start) / 1_000_000;
            System.out.println("Redfish event push: PATCH Critical -> DOWN pushed after " + millis + " ms");
            assertThat(down).as("DOWN pushed after the emulator's event").isNotNull();
            assertThat(down.reason()).contains("Storage 'SF1'", "announced a failure",
                    "ResourceStatusChangedCritical", "127.0.0.1:");

            listener.clear();
            emulator.setStorageStatus("Enabled", "OK");
            BackendState up = listener.next(BackendState.Status.UP, ARRIVAL);
            assertThat(up).as("UP pushed after re-reading the storage").isNotNull();
            assertThat(up.reason()).startsWith("After Redfish event").contains("Enabled, Health OK");

            listener.clear();
            emulator.setStorageStatus("StandbyOffline", "OK");
            BackendState offline = listener.next(BackendState.Status.DOWN, ARRIVAL);
            assertThat(offline).isNotNull();
            assertThat(offline.reason()).contains("ResourceStateChanged", "StandbyOffline");
            assertThat(driver.eventPush().orElseThrow().acceptedDeliveries()).isGreaterThanOrEqualTo(4);
            assertThat(listener.lost()).isEmpty();
            String token = stored.path("Context").asText();
            assertThat(context.records().stream().map(Object::toString).toList()).noneMatch(line -> line.contains(token));
        }
    }

    @Test
    @DisplayName("a delivery with a wrong token, a wrong Context or from another address is ignored")
    void wrongTokenIgnored() throws Exception {
        int port = LocalPorts.freeTcpPort();
        RecordingLogger context = new RecordingLogger("iscsi-test");
        RecordingListener listener = new RecordingListener();
        try (SwordfishIscsiDriver driver = open(port, context)) {
            driver.publishTo(listener);
            String subscription = awaitSubscription(driver);
            String token = emulator.get(subscription).path("Context").asText();
            String critical = "{\"MessageId\": \"ResourceEvent.1.4.2.ResourceStatusChangedCritical\", "
                    + "\"MessageSeverity\": \"Critical\", \"OriginOfCondition\": {\"@odata.id\": \"/redfish/v1/Storage/SF1\"}%s}";

            assertThat(post(InetAddress.getByName("127.0.0.1"), port, "/" + "A".repeat(token.length()),
                    String.format(critical, ""))).isEqualTo(404);
            assertThat(post(InetAddress.getByName("127.0.0.1"), port, "/" + token,
                    String.format(critical, ", \"Context\": \"not-ours\""))).isEqualTo(404);
            assertThat(post(InetAddress.getByName("127.0.0.2"), port, "/" + token,
                    String.format(critical, ""))).isEqualTo(403);
            assertThat(listener.any(Duration.ofSeconds(1))).as("nothing pushed for ignored deliveries").isNull();
            assertThat(driver.eventPush().orElseThrow().ignoredDeliveries()).isEqualTo(3);
            assertThat(context.records().stream().map(Object::toString).toList()).filteredOn(line -> line.startsWith("DEBUG") && line.contains("ignored"))
                    .hasSize(3);

            // The same record on the right path and from the array's address is taken.
            assertThat(post(InetAddress.getByName("127.0.0.1"), port, "/" + token, String.format(critical, "")))
                    .isEqualTo(204);
            assertThat(listener.next(BackendState.Status.DOWN, ARRIVAL)).isNotNull();
        }
    }

    /** POSTs an event by hand from a chosen local address (127.0.0.2 is loopback too, but not the array's). */
    private static int post(InetAddress from, int port, String path, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(from, 0));
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            InputStream in = socket.getInputStream();
            String status = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
            return Integer.parseInt(status.substring(9, 12));
        }
    }

    @Test
    @DisplayName("an event storm (40 changes) becomes a few pushes: re-reads shared, identical pushes within 1 s dropped")
    void stormCoalesced() throws Exception {
        RecordingListener listener = new RecordingListener();
        try (SwordfishIscsiDriver driver = open(LocalPorts.freeTcpPort(), new RecordingLogger("iscsi-test"))) {
            driver.publishTo(listener);
            awaitSubscription(driver);
            for (int i = 0; i < 40; i++) {
                // Each PATCH makes the emulator POST a ResourceChanged event (a re-read each, if not coalesced).
                emulator.patch(emulator.storagePath(), "{\"Status\": {\"State\": \"Enabled\", \"Health\": \"OK\", "
                        + "\"HealthRollup\": \"OK\"}, \"Description\": \"storm " + i + "\"}");
            }
            Thread.sleep(1500); // let the last re-read finish
            EventPush push = driver.eventPush().orElseThrow();
            System.out.println("Redfish event storm: " + push.acceptedDeliveries() + " deliveries, "
                    + listener.pushedCount() + " pushes, " + push.coalescedEvents() + " coalesced");
            assertThat(push.acceptedDeliveries()).isGreaterThanOrEqualTo(40);
            assertThat(listener.pushedCount()).isPositive().isLessThan((int) push.acceptedDeliveries() / 2);
            assertThat(push.coalescedEvents()).isGreaterThan(0);
        }
    }

    @Test
    @DisplayName("close() deletes the subscription on the array, frees the port and ends the push threads")
    void closeDeletesSubscription() throws Exception {
        int port = LocalPorts.freeTcpPort();
        RecordingListener listener = new RecordingListener();
        String subscription;
        SwordfishIscsiDriver driver = open(port, new RecordingLogger("iscsi-test"));
        try {
            driver.publishTo(listener);
            subscription = awaitSubscription(driver);
            assertThat(subscriptions()).contains(subscription);
        } finally {
            driver.close();
        }
        assertThat(subscriptions()).doesNotContain(subscription);
        try (ServerSocket again = new ServerSocket()) {
            again.bind(new InetSocketAddress("127.0.0.1", port)); // the listener released its port
        }
        assertThat(Thread.getAllStackTraces().keySet()).filteredOn(Thread::isAlive)
                .noneMatch(t -> t.getName().startsWith("redfish-event"));
        emulator.setStorageStatus("Enabled", "Critical");
        assertThat(listener.any(Duration.ofSeconds(1))).as("no push after close").isNull();
    }

    @Test
    @DisplayName("a subscription the array lost (deleted behind our back, as a restart does) is noticed by a probe, reported lost, made again and restored")
    void resubscribesAfterTheArrayLostIt() throws Exception {
        RecordingListener listener = new RecordingListener();
        try (SwordfishIscsiDriver driver = open(LocalPorts.freeTcpPort(), new RecordingLogger("iscsi-test"))) {
            driver.publishTo(listener);
            String first = awaitSubscription(driver);
            emulator.delete(first);
            long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (listener.restored() == 0 && System.nanoTime() < end) {
                assertThat(driver.backendState().status()).isEqualTo(BackendState.Status.UP);
                Thread.sleep(500);
            }
            assertThat(listener.lost()).singleElement().asString().contains(first, "is gone", "subscribing again");
            assertThat(listener.restored()).isEqualTo(1);
            String second = driver.eventPush().orElseThrow().subscription().orElseThrow();
            assertThat(second).isNotEqualTo(first);
            assertThat(subscriptions()).contains(second).doesNotContain(first);

            listener.clear();
            emulator.setStorageStatus("Enabled", "Critical");
            assertThat(listener.next(BackendState.Status.DOWN, ARRIVAL)).as("events flow again").isNotNull();
        }
    }

    @Test
    @DisplayName("the array process restarted (a fresh emulator on the same port, no subscriptions): the first UP probe after the DOWN ones re-subscribes and events flow")
    void resubscribesAfterTheArrayRestarted() throws Exception {
        // Plain HTTP: a restarted emulator has a new CA, which the driver's configuration would not trust.
        SwordfishEmulator array = SwordfishEmulator.start("--http-noauth");
        RecordingListener listener = new RecordingListener();
        Map<String, String> options = new HashMap<>();
        options.put(SwordfishDriverProvider.STORAGE_ID, "SF1");
        options.put(SwordfishDriverProvider.EVENT_PORT, Integer.toString(LocalPorts.freeTcpPort()));
        options.put(SwordfishDriverProvider.EVENT_ADDRESS, "127.0.0.1");
        try (SwordfishIscsiDriver driver = (SwordfishIscsiDriver) array.openDriver(options, new RecordingLogger("iscsi-test").context())) {
            driver.publishTo(listener);
            String first = awaitSubscription(driver);
            assertThat(driver.backendState().status()).isEqualTo(BackendState.Status.UP);
            int port = array.port();
            array.close();
            assertThat(driver.backendState().status()).isEqualTo(BackendState.Status.DOWN);
            array = SwordfishEmulator.startOn(port, "--http-noauth");
            // The default check interval (60 s) is not what finds it: the DOWN -> UP transition is.
            assertThat(driver.backendState().status()).isEqualTo(BackendState.Status.UP);
            Await.until(ARRIVAL, listener::restored, n -> n > 0, "push restored");
            assertThat(listener.lost()).singleElement().asString().contains(first, "is gone");
            assertThat(listener.restored()).isEqualTo(1);
            assertThat(driver.eventPush().orElseThrow().subscription()).isPresent();

            listener.clear();
            array.setStorageStatus("Enabled", "Critical");
            assertThat(listener.next(BackendState.Status.DOWN, ARRIVAL)).as("events from the restarted array").isNotNull();
        } finally {
            array.close();
        }
    }

    @Test
    @DisplayName("a port in use is pushLost at once, naming the address and option; publishTo neither throws nor hangs")
    void portInUse() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = taken.getLocalPort();
            RecordingListener listener = new RecordingListener();
            try (SwordfishIscsiDriver driver = open(port, new RecordingLogger("iscsi-test"))) {
                assertThat(driver.publishTo(listener)).isTrue();
                assertThat(listener.lost()).singleElement().asString()
                        .contains("127.0.0.1:" + port, "redfish_event_port", "relying on polling")
                        .doesNotContain(emulator.value("SWORDFISH_PASSWORD"));
                assertThat(driver.eventPush().orElseThrow().subscription()).isEmpty();
                assertThat(driver.backendState().status()).isEqualTo(BackendState.Status.UP); // polling still works
            }
        }
    }

    @Test
    @DisplayName("without redfish_event_port, publishTo returns false and starts nothing")
    void pushOffByDefault() {
        try (VolumeDriver driver = emulator.openDriver(Map.of(SwordfishDriverProvider.STORAGE_ID, "SF1"),
                new RecordingLogger("iscsi-test").context())) {
            assertThat(((SwordfishIscsiDriver) driver).publishTo(new RecordingListener())).isFalse();
            assertThat(((SwordfishIscsiDriver) driver).eventPush()).isEmpty();
        }
    }
}
