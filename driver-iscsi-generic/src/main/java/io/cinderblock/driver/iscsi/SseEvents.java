package io.cinderblock.driver.iscsi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cinderblock.sdk.error.CinderblockException;
import io.cinderblock.sdk.error.ErrorCode;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Server-Sent Events transport of the Redfish event channel: reads the stream at the
 * EventService's {@code ServerSentEventUri} with the JDK's {@code HttpClient} on one daemon thread
 * ({@code redfish-sse-<backend>}), parses it ({@link SseParser}) and hands each event's records to
 * the {@link EventRelay}, which maps them exactly as POSTed events.
 *
 * <p>A stream that ends, fails, answers anything but 200 {@code text/event-stream}, or stays silent
 * (not even a comment) for longer than {@code redfish_sse_heartbeat} is {@code pushLost}; the
 * thread then reconnects after a backoff (the server's {@code retry} time, 1 s by default, doubled
 * per failure in a row up to 60 s) sending the last event ID as {@code Last-Event-ID}. A
 * reconnection is {@code pushRestored} and followed by one re-read of the device, since events may
 * have been missed meanwhile. {@link #stop()} closes the stream and ends the thread within a bound.
 */
final class SseEvents {
    private static final int MAX_LINE_BYTES = 1 << 20;
    private static final int MAX_EVENT_CHARS = 1 << 20;
    private static final Duration DEFAULT_RECONNECT = Duration.ofSeconds(1);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(60);
    /** How long {@link #stop()} waits for the reader thread. */
    static final Duration STOP_BOUND = Duration.ofSeconds(2);

    private final SwordfishSettings settings;
    private final RedfishClient client;
    private final Topology topology;
    private final EventRelay relay;
    private final Duration heartbeat;
    private final String where;
    private final ObjectMapper mapper = new ObjectMapper();
    private final Thread reader;

    private volatile boolean stopped;
    private volatile InputStream current;
    private volatile boolean silent;
    private volatile long lastActivityNanos = System.nanoTime();
    private volatile String lastEventId = "";
    private volatile long reconnectMillis = DEFAULT_RECONNECT.toMillis();
    private volatile ScheduledFuture<?> watchdog;
    private volatile String streamPath;

    private final AtomicLong connections = new AtomicLong();
    private final AtomicLong events = new AtomicLong();

    SseEvents(SwordfishSettings settings, RedfishClient client, Topology topology, EventRelay relay,
            Duration heartbeat) {
        this.settings = settings;
        this.client = client;
        this.topology = topology;
        this.relay = relay;
        this.heartbeat = heartbeat;
        this.where = "Swordfish service at " + settings.authority();
        this.reader = new Thread(this::run, "redfish-sse-" + relay.backendName());
        this.reader.setDaemon(true);
    }

    /** Starts the reader thread and the silence watchdog; returns at once. */
    void start() {
        long period = Math.max(100, Math.min(5000, heartbeat.toMillis() / 4));
        watchdog = relay.every(this::watch, Duration.ofMillis(period));
        reader.start();
    }

    /**
     * The service's {@code EventService} resource, read from the service root; refused (typed) when
     * the service has none or has it disabled.
     */
    static JsonNode eventService(RedfishClient client, SwordfishSettings settings, Deadline deadline) {
        String where = "Swordfish service at " + settings.authority();
        JsonNode root = client.get("/redfish/v1/", deadline);
        String path = Json.optionalLink(root, "EventService", "service root").orElseThrow(() ->
                new CinderblockException(ErrorCode.OPERATION_FAILED, where + " has no EventService"));
        JsonNode service = client.get(path, deadline);
        if (service.path("ServiceEnabled").isBoolean() && !service.path("ServiceEnabled").asBoolean()) {
            throw new CinderblockException(ErrorCode.OPERATION_FAILED, where
                    + ": its EventService is disabled (ServiceEnabled false)");
        }
        return service;
    }

    /** The service's {@code ServerSentEventUri}, if it offers one. */
    static Optional<String> sseUri(JsonNode eventService) {
        JsonNode uri = eventService.get("ServerSentEventUri");
        return uri != null && uri.isTextual() && !uri.asText().isBlank() ? Optional.of(uri.asText().strip())
                : Optional.empty();
    }

    // ------------------------------------------------------------------ the reader thread

    private void run() {
        int failures = 0;
        boolean everConnected = false;
        while (!stopped) {
            String reason;
            try {
                boolean hadData = stream(everConnected);
                everConnected = true;
                failures = hadData ? 0 : failures;
                reason = silent ? silenceReason() : where + " ended the Redfish event stream";
            } catch (IOException | RuntimeException e) {
                reason = silent ? silenceReason() : "Redfish event stream from " + where + " failed: "
                        + relay.scrubber().scrub(String.valueOf(e.getMessage()));
            } finally {
                closeCurrent();
            }
            if (stopped) {
                break;
            }
            failures++;
            long delay = backoffMillis(failures);
            relay.lost(reason + "; reconnecting in " + delay + " ms, relying on polling");
            try {
                Thread.sleep(delay);
            } catch (InterruptedException e) {
                break; // stop()
            }
        }
    }

    private String silenceReason() {
        return "Redfish event stream from " + where + " was silent for more than "
                + RedfishClient.seconds(heartbeat) + " (option '" + SwordfishDriverProvider.SSE_HEARTBEAT + "')";
    }

    /** The server's reconnection time, doubled per failure in a row, capped at 60 s (or its retry, if longer). */
    private long backoffMillis(int failures) {
        long base = Math.max(1, reconnectMillis);
        long cap = Math.max(MAX_BACKOFF.toMillis(), base);
        long delay = base;
        for (int i = 1; i < failures && delay < cap; i++) {
            delay *= 2;
        }
        return Math.min(delay, cap);
    }

    /**
     * One connection: discovery, the request, then events until the stream ends or breaks.
     *
     * @return whether it delivered anything (an event or a comment): a working stream resets the backoff
     */
    private boolean stream(boolean reconnect) throws IOException {
        silent = false;
        Deadline deadline = Deadline.after(client.requestBudget().multipliedBy(3));
        JsonNode service = eventService(client, settings, deadline);
        String path = sseUri(service).orElseThrow(() -> new CinderblockException(ErrorCode.OPERATION_FAILED,
                where + " offers no Server-Sent Events (its EventService has no ServerSentEventUri; option '"
                        + SwordfishDriverProvider.EVENT_TRANSPORT + "')"));
        Topology.StorageView storage = topology.readStorage(deadline);
        relay.watch(storage.refs().path(), Set.copyOf(Json.links(storage.node(), "Links.Enclosures",
                "Storage " + storage.refs().path())));
        String id = sendable(lastEventId);
        HttpResponse<InputStream> response = client.openStream(path,
                id.isEmpty() ? Map.of() : Map.of("Last-Event-ID", id));
        // The watchdog judges this connection from now on, not by the previous one's last byte.
        lastActivityNanos = System.nanoTime();
        current = response.body();
        if (stopped) {
            return false;
        }
        String type = response.headers().firstValue("Content-Type").orElse("").toLowerCase(Locale.ROOT);
        if (response.statusCode() != 200) {
            throw new IOException("GET " + path + " answered HTTP " + response.statusCode() + errorText(response));
        }
        if (!type.startsWith("text/event-stream")) {
            throw new IOException("GET " + path + " answered '" + type + "', not text/event-stream");
        }
        streamPath = path;
        connections.incrementAndGet();
        silent = false;
        lastActivityNanos = System.nanoTime();
        boolean wasLost = relay.restored();
        relay.logger().log(System.Logger.Level.INFO, "Backend ''{0}'': receiving Redfish events from {1} as "
                + "Server-Sent Events from {2}{3}", relay.backendName(), where, path,
                id.isEmpty() ? "" : " (resuming after event " + id + ")");
        if (reconnect || wasLost) {
            relay.scheduleReread("reconnecting the Redfish event stream");
        }
        return read(response.body());
    }

    /**
     * The ID as a header value, or "" when it cannot be one: an ID is any text without NUL or a line
     * end, but an HTTP header takes printable ASCII only, and a refused header would fail every
     * reconnection alike. Without it the service simply starts from now; the re-read covers the gap.
     */
    private String sendable(String id) {
        if (id.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
            return id;
        }
        relay.logger().log(System.Logger.Level.DEBUG, "Backend ''{0}'': the last event ID is not printable "
                + "ASCII; reconnecting without Last-Event-ID", relay.backendName());
        return "";
    }

    private boolean read(InputStream body) throws IOException {
        SseParser parser = new SseParser(lastEventId, MAX_LINE_BYTES, MAX_EVENT_CHARS);
        byte[] buffer = new byte[8192];
        boolean hadData = false;
        while (!stopped) {
            int n = body.read(buffer);
            if (n < 0) {
                return hadData;
            }
            lastActivityNanos = System.nanoTime();
            long commentsBefore = parser.comments();
            List<SseParser.Event> dispatched = parser.feed(buffer, 0, n);
            lastEventId = parser.lastEventId();
            parser.retryMillis().ifPresent(millis -> reconnectMillis = millis);
            hadData |= !dispatched.isEmpty() || parser.comments() != commentsBefore;
            dispatched.forEach(this::onEvent);
        }
        return hadData;
    }

    private void onEvent(SseParser.Event event) {
        events.incrementAndGet();
        JsonNode body;
        try {
            body = mapper.readTree(event.data());
        } catch (IOException e) {
            relay.logger().log(System.Logger.Level.DEBUG, "Backend ''{0}'': ignored a Server-Sent Event whose data "
                    + "is not JSON (id ''{1}'')", relay.backendName(), event.lastEventId());
            return;
        }
        if (body == null || !body.isObject()) {
            return;
        }
        RedfishEvents.records(body).forEach(relay::onRecord);
    }

    private String errorText(HttpResponse<InputStream> response) {
        try {
            byte[] bytes = response.body().readNBytes(4096);
            return client.errorMessage(mapper.readTree(new String(bytes, StandardCharsets.UTF_8)));
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /** On the relay's worker: a connected stream silent for longer than the heartbeat window is cut. */
    private void watch() {
        InputStream stream = current;
        if (stream != null && !silent && System.nanoTime() - lastActivityNanos > heartbeat.toNanos()) {
            silent = true;
            closeCurrent();
        }
    }

    private void closeCurrent() {
        InputStream stream = current;
        current = null;
        if (stream != null) {
            try {
                stream.close();
            } catch (IOException e) {
                // closing a stream we give up on: nothing to save
            }
        }
    }

    /** Closes the stream and ends the reader thread, waiting at most {@link #STOP_BOUND}. */
    void stop() {
        stopped = true;
        ScheduledFuture<?> dog = watchdog;
        if (dog != null) {
            dog.cancel(false);
        }
        closeCurrent();
        reader.interrupt();
        try {
            reader.join(STOP_BOUND.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (reader.isAlive()) {
            relay.logger().log(System.Logger.Level.WARNING, "Backend ''{0}'': the Redfish event stream reader did "
                    + "not end within {1}", relay.backendName(), RedfishClient.seconds(STOP_BOUND));
        }
    }

    // ------------------------------------------------------------------ for tests and diagnostics

    /** Streams opened (200 text/event-stream) so far. */
    long connections() {
        return connections.get();
    }

    /** Events dispatched so far. */
    long events() {
        return events.get();
    }

    /** The stream's resource, once connected. */
    Optional<String> streamPath() {
        return Optional.ofNullable(streamPath);
    }

    /** The ID that a reconnection sends as {@code Last-Event-ID}. */
    String lastEventId() {
        return lastEventId;
    }

    Thread readerThread() {
        return reader;
    }
}
