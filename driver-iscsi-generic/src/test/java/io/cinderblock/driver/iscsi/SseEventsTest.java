package io.cinderblock.driver.iscsi;

import static org.assertj.core.api.Assertions.assertThat;

import io.cinderblock.sdk.spi.BackendState;
import io.cinderblock.sdk.spi.DriverConfig;
import io.cinderblock.sdk.testing.Await;
import io.cinderblock.sdk.testing.LocalPorts;
import io.cinderblock.sdk.testing.RecordingLogger;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The Server-Sent Events transport against {@link SimulatedRedfishSseService}: a <b>simulated</b>
 * Redfish SSE endpoint (SNIA's emulator offers no {@code ServerSentEventUri}) that really streams
 * {@code text/event-stream} over HTTP. Bounds are generous (a loaded 2-core machine): they say "it
 * happened", not "how fast".
 */
class SseEventsTest {
    private static final Duration ARRIVAL = Duration.ofSeconds(10);
    private SimulatedRedfishSseService service;
    private final RecordingLogger log = new RecordingLogger("sse-backend");
    private final RecordingListener listener = new RecordingListener();

    @BeforeEach
    void startService() {
        service = SimulatedRedfishSseService.start();
        service.greetWith("retry: 100\n\n");
    }

    @AfterEach
    void stopService() {
        service.close();
    }

    private SwordfishIscsiDriver open(Map<String, String> overrides) {
        Map<String, String> options = new java.util.HashMap<>(service.config("30s"));
        options.putAll(overrides);
        SwordfishDriverProvider provider = new SwordfishDriverProvider();
        return (SwordfishIscsiDriver) provider.open(DriverConfig.validate(provider.descriptor(), "sse-backend",
                options), log.context());
    }

    private static SseEvents sse(SwordfishIscsiDriver driver) {
        return driver.eventChannel().flatMap(RedfishEventChannel::sseTransport).orElseThrow();
    }

    private static void awaitConnections(SwordfishIscsiDriver driver, long count) {
        Await.until(ARRIVAL, () -> driver.eventChannel().flatMap(RedfishEventChannel::sseTransport)
                .map(SseEvents::connections).orElse(0L), n -> n >= count, count + " SSE connection(s)");
    }

    @Test
    @DisplayName("streams events: Critical on the storage (CRLF, multi-line data) is DOWN at once; OK is re-read and pushed UP; other resources and comments push nothing")
    void mapsStreamedEvents() throws Exception {
        try (SwordfishIscsiDriver driver = open(Map.of())) {
            assertThat(driver.publishTo(listener)).isTrue();
            awaitConnections(driver, 1);
            assertThat(sse(driver).streamPath()).hasValue(SimulatedRedfishSseService.SSE_PATH);

            service.storageStatus("Enabled", "Critical");
            long sent = System.nanoTime();
            service.event(service.record("Base.1.8.ResourceStatusChangedCritical", "Critical",
                    SimulatedRedfishSseService.STORAGE), "\r\n");
            BackendState down = listener.next(BackendState.Status.DOWN, ARRIVAL);
            System.out.printf("SSE event to DOWN pushed: %.1f ms%n", (System.nanoTime() - sent) / 1e6);
            assertThat(down).isNotNull();
            assertThat(down.reason()).contains("announced a failure").contains("ResourceStatusChangedCritical")
                    .contains("/redfish/v1/Storage/S1");

            service.raw(": keep-alive\n\n");
            service.event(service.record("Base.1.8.ResourceStatusChangedCritical", "Critical",
                    "/redfish/v1/Chassis/Other"), "\n");
            assertThat(listener.any(Duration.ofMillis(800))).isNull();

            service.storageStatus("Enabled", "OK");
            service.event(service.record("Base.1.8.ResourceStatusChangedOK", "OK", SimulatedRedfishSseService.STORAGE),
                    "\r");
            BackendState up = listener.next(BackendState.Status.UP, ARRIVAL);
            assertThat(up).isNotNull();
            assertThat(up.reason()).startsWith("After Redfish event Base.1.8.ResourceStatusChangedOK")
                    .contains("is Enabled, Health OK");
            assertThat(sse(driver).events()).isEqualTo(3);
            assertThat(listener.lost()).isEmpty();
        }
        assertThat(log.text()).doesNotContain(service.password());
    }

    @Test
    @DisplayName("a broken stream is pushLost; the reconnection (with backoff) sends Last-Event-ID, receives what it missed, and is pushRestored")
    void reconnectsWithLastEventId() throws Exception {
        try (SwordfishIscsiDriver driver = open(Map.of())) {
            driver.publishTo(listener);
            awaitConnections(driver, 1);
            String id = service.event(service.record("Base.1.8.ResourceStatusChangedWarning", "Warning",
                    SimulatedRedfishSseService.STORAGE + "/StoragePools/P1"), "\n");
            Await.until(ARRIVAL, () -> sse(driver).lastEventId(), id::equals, "event " + id + " read");

            service.refuseStreamsWith(503);
            service.dropStreams();
            Await.until(ARRIVAL, listener::lost, lost -> !lost.isEmpty(), "push lost after the stream ended");
            assertThat(listener.lost().get(0)).contains("ended the Redfish event stream").contains("relying on polling");
            // While refused: the Critical event it will miss; retried with backoff (100 ms doubling).
            service.storageStatus("Enabled", "Critical");
            String missed = service.event(service.record("Base.1.8.ResourceStatusChangedCritical", "Critical",
                    SimulatedRedfishSseService.STORAGE), "\n");
            Await.until(ARRIVAL, service::lastEventIds, ids -> ids.size() >= 3, "two refused reconnections");
            listener.clear();
            service.refuseStreamsWith(0);

            BackendState down = listener.next(BackendState.Status.DOWN, ARRIVAL);
            assertThat(down).isNotNull();
            assertThat(down.reason()).contains("ResourceStatusChangedCritical");
            Await.until(ARRIVAL, listener::restored, n -> n == 1, "push restored");
            assertThat(service.lastEventIds()).first().isEqualTo(Optional.empty());
            assertThat(service.lastEventIds().subList(1, service.lastEventIds().size())).containsOnly(Optional.of(id));
            assertThat(sse(driver).lastEventId()).isEqualTo(missed);
            assertThat(listener.lost()).hasSize(1); // one outage, one pushLost
            assertThat(log.messages(System.Logger.Level.DEBUG)).anyMatch(m -> m.contains("HTTP 503"));
        }
    }

    @Test
    @DisplayName("keep-alive comments keep a stream alive; a stream silent past redfish_sse_heartbeat is pushLost, reconnected and restored")
    void silence() throws Exception {
        try (SwordfishIscsiDriver driver = open(Map.of(SwordfishDriverProvider.SSE_HEARTBEAT, "1s"))) {
            driver.publishTo(listener);
            awaitConnections(driver, 1);
            long end = System.nanoTime() + Duration.ofMillis(2500).toNanos();
            while (System.nanoTime() < end) {
                service.raw(":\n");
                Thread.sleep(250);
            }
            assertThat(listener.lost()).isEmpty();
            assertThat(sse(driver).connections()).isEqualTo(1);

            long quiet = System.nanoTime();
            Await.until(ARRIVAL, listener::lost, lost -> !lost.isEmpty(), "push lost after silence");
            System.out.printf("silence to pushLost: %.1f ms (window 1 s)%n", (System.nanoTime() - quiet) / 1e6);
            assertThat(listener.lost().get(0)).contains("silent for more than 1 s")
                    .contains("'" + SwordfishDriverProvider.SSE_HEARTBEAT + "'");
            Await.until(ARRIVAL, listener::restored, n -> n >= 1, "push restored after the reconnection");
            assertThat(sse(driver).connections()).isGreaterThanOrEqualTo(2);
            // The reconnection re-reads the device, since events may have been missed.
            BackendState reread = listener.next(BackendState.Status.UP, ARRIVAL);
            assertThat(reread).isNotNull();
            assertThat(reread.reason()).startsWith("After reconnecting the Redfish event stream");
        }
    }

    @Test
    @DisplayName("session auth: the stream carries the session token; a token refused on the stream is one new login, and the stream opens")
    void sessionToken() throws Exception {
        try (SwordfishIscsiDriver driver = open(Map.of(SwordfishDriverProvider.AUTH, "session"))) {
            driver.publishTo(listener);
            awaitConnections(driver, 1);
            assertThat(service.logins()).isEqualTo(1);

            service.rejectNextStreamToken();
            service.dropStreams();
            awaitConnections(driver, 2);
            assertThat(service.logins()).isEqualTo(2);
            assertThat(log.messages(System.Logger.Level.INFO)).anyMatch(m -> m.contains("refused the session token on "
                    + "GET " + SimulatedRedfishSseService.SSE_PATH));
            service.storageStatus("StandbyOffline", "OK");
            service.event(service.record("Base.1.8.ResourceStateChanged", "OK", SimulatedRedfishSseService.STORAGE)
                    .put("Message", "The state of resource changed to StandbyOffline."), "\n");
            assertThat(listener.next(BackendState.Status.DOWN, ARRIVAL)).as("events on the new stream").isNotNull();
        }
        assertThat(log.text()).doesNotContain(service.password());
    }

    @Test
    @DisplayName("close() ends the stream and every push thread within a bound; nothing is pushed after it")
    void closeEndsStreamAndThreads() throws Exception {
        SwordfishIscsiDriver driver = open(Map.of());
        driver.publishTo(listener);
        awaitConnections(driver, 1);
        Thread reader = sse(driver).readerThread();
        assertThat(reader.isAlive()).isTrue();
        assertThat(reader.isDaemon()).isTrue();

        long start = System.nanoTime();
        driver.close();
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        System.out.println("close() with an open SSE stream: " + took.toMillis() + " ms");
        assertThat(took).isLessThan(SseEvents.STOP_BOUND.plusSeconds(3));
        assertThat(reader.isAlive()).isFalse();
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.isAlive()
                && (t.getName().equals("redfish-sse-sse-backend") || t.getName().equals("redfish-events-sse-backend")));
        assertThat(service.openStreams()).isZero();

        int before = listener.pushedCount();
        service.storageStatus("Enabled", "Critical");
        service.event(service.record("Base.1.8.ResourceStatusChangedCritical", "Critical",
                SimulatedRedfishSseService.STORAGE), "\n");
        Thread.sleep(500);
        assertThat(listener.pushedCount()).isEqualTo(before);
        assertThat(listener.lost()).isEmpty();
    }

    @Test
    @DisplayName("auto: SSE where the EventService offers it, else a subscription; no SSE and no port is pushLost naming both options")
    void autoTransport() throws Exception {
        try (SwordfishIscsiDriver driver = open(Map.of(SwordfishDriverProvider.EVENT_TRANSPORT, "auto"))) {
            assertThat(driver.publishTo(listener)).isTrue();
            awaitConnections(driver, 1);
            assertThat(driver.eventPush()).isEmpty();
        }

        service.offerSse(false);
        RecordingListener noPort = new RecordingListener();
        try (SwordfishIscsiDriver driver = open(Map.of(SwordfishDriverProvider.EVENT_TRANSPORT, "auto"))) {
            assertThat(driver.publishTo(noPort)).isTrue();
            String reason = Await.until(ARRIVAL, noPort::lost, lost -> !lost.isEmpty(), "push lost").get(0);
            assertThat(reason).contains("offers no Server-Sent Events").contains("'redfish_event_port' is 0")
                    .contains("redfish_event_transport");
            assertThat(driver.eventChannel().orElseThrow().sseTransport()).isEmpty();
        }

        RecordingListener withPort = new RecordingListener();
        try (SwordfishIscsiDriver driver = open(Map.of(SwordfishDriverProvider.EVENT_TRANSPORT, "auto",
                SwordfishDriverProvider.EVENT_PORT, Integer.toString(LocalPorts.freeTcpPort()),
                SwordfishDriverProvider.EVENT_ADDRESS, "127.0.0.1"))) {
            assertThat(driver.publishTo(withPort)).isTrue();
            Await.until(ARRIVAL, driver::eventPush, Optional::isPresent, "the subscription transport chosen");
            assertThat(driver.eventChannel().orElseThrow().sseTransport()).isEmpty();
            // This simulated service has no Subscriptions collection: the subscription itself is refused.
            String reason = Await.until(ARRIVAL, withPort::lost, lost -> !lost.isEmpty(), "push lost").get(0);
            assertThat(reason).contains("Redfish event subscription");
        }
    }

    @Test
    @DisplayName("sse on a service without ServerSentEventUri is pushLost naming it; polling still answers UP")
    void sseNotOffered() throws Exception {
        service.offerSse(false);
        try (SwordfishIscsiDriver driver = open(Map.of())) {
            assertThat(driver.publishTo(listener)).isTrue();
            String reason = Await.until(ARRIVAL, listener::lost, lost -> !lost.isEmpty(), "push lost").get(0);
            assertThat(reason).contains("ServerSentEventUri").contains("redfish_event_transport");
            assertThat(driver.backendState().isUp()).isTrue();
        }
    }
}
