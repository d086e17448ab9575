package io.cinderblock.driver.iscsi;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A <b>simulated</b> Redfish service with a Server-Sent Events stream, not a real one: SNIA's
 * Swordfish API Emulator (the independent implementation the other push tests use) offers no
 * {@code ServerSentEventUri}, so this fixture, on the JDK's {@code com.sun.net.httpserver}, serves
 * the smallest Redfish model a probe needs (service root, a {@code Storage} collection with one
 * storage {@code S1} and its {@code Status}, an {@code EventService}) and, at {@value #SSE_PATH}, a
 * real {@code text/event-stream} response held open per client, written as the test asks.
 *
 * <p>HTTP Basic with a password generated per instance, or a Redfish session ({@code POST
 * SessionService/Sessions}, {@code X-Auth-Token}); every request without either is 401. Events
 * written with {@link #event} get increasing ids and are kept, so a client that reconnects with
 * {@code Last-Event-ID} is sent the ones it missed (as DSP0266 lets a service do). Plain HTTP on
 * 127.0.0.1, an ephemeral port.
 */
final class SimulatedRedfishSseService implements AutoCloseable {
    static final String SSE_PATH = "/redfish/v1/EventService/SSE";
    static final String STORAGE = "/redfish/v1/Storage/S1";
    private static final byte[] POISON = new byte[0];

    private final ObjectMapper mapper = new ObjectMapper();
    private final String password = newPassword();
    private final HttpServer server;
    private final ExecutorService handlers = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "simulated-redfish-sse");
        thread.setDaemon(true);
        return thread;
    });
    private final List<BlockingQueue<byte[]>> streams = new CopyOnWriteArrayList<>();
    /** Guarded by this: every event written with {@link #event}, by id. */
    private final List<String> history = new ArrayList<>();
    private final List<Optional<String>> lastEventIds = new CopyOnWriteArrayList<>();
    private volatile boolean offerSse = true;
    private volatile int refuseStreamsWith;
    private volatile String greeting = "";
    private volatile String state = "Enabled";
    private volatile String health = "OK";
    private final java.util.Set<String> tokens = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.atomic.AtomicInteger logins = new java.util.concurrent.atomic.AtomicInteger();
    private volatile boolean rejectNextStreamToken;

    private SimulatedRedfishSseService() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext("/", this::handle);
        server.setExecutor(handlers);
        server.start();
    }

    static SimulatedRedfishSseService start() {
        try {
            return new SimulatedRedfishSseService();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the simulated Redfish SSE service", e);
        }
    }

    private static String newPassword() {
        byte[] bytes = new byte[12];
        new SecureRandom().nextBytes(bytes);
        return "sse:\"pw/" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    String password() {
        return password;
    }

    /** The driver options for this service: Basic auth, the SSE transport, the given heartbeat window. */
    Map<String, String> config(String heartbeat) {
        Map<String, String> options = new HashMap<>();
        options.put(SwordfishDriverProvider.URL, url());
        options.put(SwordfishDriverProvider.USER, "cinder");
        options.put(SwordfishDriverProvider.PASSWORD, password);
        options.put(SwordfishDriverProvider.AUTH, "basic");
        options.put(SwordfishDriverProvider.EVENT_TRANSPORT, "sse");
        options.put(SwordfishDriverProvider.SSE_HEARTBEAT, heartbeat);
        return options;
    }

    // ------------------------------------------------------------------ what the test changes

    /** Whether the EventService names a {@code ServerSentEventUri} (and the stream answers). */
    void offerSse(boolean offer) {
        offerSse = offer;
    }

    /** Answers new stream requests with this status (0: serve them). */
    void refuseStreamsWith(int status) {
        refuseStreamsWith = status;
    }

    /** Text written at the start of every new stream (e.g. {@code retry: 100\n\n}). */
    void greetWith(String text) {
        greeting = text;
    }

    /** The storage's {@code Status} as the next read sees it. */
    void storageStatus(String newState, String newHealth) {
        state = newState;
        health = newHealth;
    }

    /** The next stream request's session token is refused (401) and forgotten, as after a session expiry. */
    void rejectNextStreamToken() {
        rejectNextStreamToken = true;
    }

    /** Session logins so far. */
    int logins() {
        return logins.get();
    }

    /** Writes raw bytes to every open stream, exactly as given. */
    void raw(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        streams.forEach(queue -> queue.add(bytes));
    }

    /**
     * Writes one Redfish {@code Event} carrying {@code record} as an SSE event with the next id, its
     * JSON spread over several {@code data:} lines, lines ended by {@code lineEnd}; kept for replay.
     *
     * @return the event's id
     */
    String event(ObjectNode record, String lineEnd) {
        ObjectNode event = mapper.createObjectNode().put("@odata.type", "#Event.v1_7_0.Event").put("Id", "1")
                .put("Name", "Storage event");
        event.putArray("Events").add(record);
        String json;
        try {
            json = mapper.writerWithDefaultPrettyPrinter().writeValueAsString(event);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        String id;
        StringBuilder text = new StringBuilder();
        synchronized (this) {
            id = Integer.toString(history.size() + 1);
            text.append("id: ").append(id).append(lineEnd);
            for (String line : json.split("\n")) {
                text.append("data: ").append(line).append(lineEnd);
            }
            text.append(lineEnd);
            history.add(text.toString());
        }
        raw(text.toString());
        return id;
    }

    /** A Redfish event record about {@code origin}. */
    ObjectNode record(String messageId, String severity, String origin) {
        ObjectNode record = mapper.createObjectNode().put("EventType", "Alert").put("MessageId", messageId)
                .put("MessageSeverity", severity).put("Message", "The resource status changed.");
        record.putObject("OriginOfCondition").put("@odata.id", origin);
        return record;
    }

    /** Ends every open stream (the client sees the body end), as a restarting service does. */
    void dropStreams() {
        streams.forEach(queue -> queue.add(POISON));
    }

    /** Streams still open: writes a comment to each twice, so a client that went away is noticed. */
    int openStreams() throws InterruptedException {
        for (int round = 0; round < 2; round++) {
            raw(":probe\n");
            Thread.sleep(150);
        }
        return streams.size();
    }

    /** The {@code Last-Event-ID} header of every stream request, in order (empty: none sent). */
    List<Optional<String>> lastEventIds() {
        return List.copyOf(lastEventIds);
    }

    // ------------------------------------------------------------------ serving

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String expected = "Basic " + Base64.getEncoder().encodeToString(("cinder:" + password)
                    .getBytes(StandardCharsets.UTF_8));
            String path = exchange.getRequestURI().getPath();
            if (path.equals(RedfishClient.SESSIONS_PATH) && exchange.getRequestMethod().equals("POST")) {
                login(exchange);
                return;
            }
            String token = exchange.getRequestHeaders().getFirst("X-Auth-Token");
            if (token != null && path.equals(SSE_PATH) && rejectNextStreamToken) {
                rejectNextStreamToken = false;
                tokens.remove(token);
            }
            boolean session = token != null && tokens.contains(token);
            if (!session && !expected.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                json(exchange, 401, error("Base.1.8.NoValidSession", "No valid credentials"));
                return;
            }
            if (exchange.getRequestMethod().equals("DELETE") && path.startsWith(RedfishClient.SESSIONS_PATH + "/")) {
                tokens.remove(token);
                exchange.sendResponseHeaders(204, -1);
                return;
            }
            if (path.equals(SSE_PATH) && offerSse) {
                stream(exchange);
                return;
            }
            switch (path) {
                case "/redfish/v1/":
                    ObjectNode root = object("/redfish/v1/");
                    root.set("Storage", link("/redfish/v1/Storage"));
                    root.set("EventService", link("/redfish/v1/EventService"));
                    json(exchange, 200, root);
                    break;
                case "/redfish/v1/EventService":
                    ObjectNode service = object("/redfish/v1/EventService").put("ServiceEnabled", true);
                    service.set("Subscriptions", link("/redfish/v1/EventService/Subscriptions"));
                    if (offerSse) {
                        service.put("ServerSentEventUri", SSE_PATH);
                    }
                    json(exchange, 200, service);
                    break;
                case "/redfish/v1/Storage":
                    ObjectNode collection = object("/redfish/v1/Storage");
                    collection.putArray("Members").add(link(STORAGE));
                    json(exchange, 200, collection);
                    break;
                case STORAGE:
                    ObjectNode storage = object(STORAGE).put("Id", "S1");
                    storage.putObject("Status").put("State", state).put("Health", health);
                    storage.set("StoragePools", link(STORAGE + "/StoragePools"));
                    json(exchange, 200, storage);
                    break;
                default:
                    json(exchange, 404, error("Base.1.8.ResourceMissingAtURI", "No resource at " + path));
            }
        }
    }

    private void login(HttpExchange exchange) throws IOException {
        var credentials = mapper.readTree(exchange.getRequestBody());
        if (!"cinder".equals(credentials.path("UserName").asText())
                || !password.equals(credentials.path("Password").asText())) {
            json(exchange, 401, error("Base.1.8.NoValidSession", "Invalid credentials"));
            return;
        }
        int number = logins.incrementAndGet();
        String token = newPassword();
        tokens.add(token);
        String session = RedfishClient.SESSIONS_PATH + "/" + number;
        exchange.getResponseHeaders().set("X-Auth-Token", token);
        exchange.getResponseHeaders().set("Location", session);
        json(exchange, 201, object(session).put("Id", Integer.toString(number)).put("UserName", "cinder"));
    }

    private void stream(HttpExchange exchange) throws IOException {
        Optional<String> lastId = Optional.ofNullable(exchange.getRequestHeaders().getFirst("Last-Event-ID"));
        lastEventIds.add(lastId);
        if (refuseStreamsWith != 0) {
            json(exchange, refuseStreamsWith, error("Base.1.8.ServiceTemporarilyUnavailable", "Not now"));
            return;
        }
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        exchange.sendResponseHeaders(200, 0);
        BlockingQueue<byte[]> queue = new LinkedBlockingQueue<>();
        queue.add(greeting.getBytes(StandardCharsets.UTF_8));
        synchronized (this) {
            int from = lastId.map(Integer::parseInt).orElse(history.size());
            history.subList(Math.min(from, history.size()), history.size())
                    .forEach(missed -> queue.add(missed.getBytes(StandardCharsets.UTF_8)));
            streams.add(queue);
        }
        OutputStream body = exchange.getResponseBody();
        try {
            while (true) {
                byte[] next = queue.poll(1, TimeUnit.SECONDS);
                if (next == POISON) {
                    return;
                }
                if (next != null && next.length > 0) {
                    body.write(next);
                    body.flush();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // the client went away
        } finally {
            streams.remove(queue);
        }
    }

    private ObjectNode object(String id) {
        return mapper.createObjectNode().put("@odata.id", id);
    }

    private ObjectNode link(String id) {
        return mapper.createObjectNode().put("@odata.id", id);
    }

    private ObjectNode error(String messageId, String message) {
        ObjectNode body = mapper.createObjectNode();
        body.putObject("error").put("code", messageId).put("message", message);
        return body;
    }

    private void json(HttpExchange exchange, int status, ObjectNode body) throws IOException {
        byte[] bytes = mapper.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        dropStreams();
        server.stop(0);
        handlers.shutdownNow();
    }
}
