package io.cinderblock.driver.iscsi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.cinderblock.sdk.error.CinderblockException;
import io.cinderblock.sdk.error.ErrorCode;
import io.cinderblock.sdk.spi.BackendState;
import io.cinderblock.sdk.support.SecretScrubber;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The POST-subscription transport of the Redfish event channel: an HTTP listener the array POSTs
 * events to, and the {@code EventDestination} subscription on the array's {@code EventService}
 * that makes it do so. What an event means is {@link EventRelay}'s business.
 *
 * <p>Each subscription carries a random token, both as the last segment of its {@code Destination}
 * URL and as its {@code Context}; a delivery is accepted only from an address of the array's host,
 * on the token's path, and with that {@code Context} when it carries one (Redfish requires services
 * to echo it; SNIA's emulator does not). Anything else is answered 403/404 and logged at DEBUG.
 *
 * <p>Threads: the JDK HTTP server's dispatcher and one delivery thread; the relay's worker for the
 * subscription (subscribe, check, delete). The subscription is checked (one GET) after a probe
 * finds the array back UP and otherwise at most every {@code redfish_event_check_interval}; a
 * subscription the array no longer has (404, or another Context: it restarted) is reported lost
 * and made again.
 */
final class EventPush {
    private static final List<String> WANTED_EVENT_TYPES = List.of("StatusChange", "Alert", "ResourceRemoved");
    private static final int MAX_BODY_BYTES = 1 << 20;

    private final EventPushSettings push;
    private final SwordfishSettings settings;
    private final RedfishClient client;
    private final Topology topology;
    private final EventRelay relay;
    private final System.Logger logger;
    private final String backendName;
    private final String token;
    /** The backend's password and this channel's token: neither may reach a log line or a reason. */
    private final SecretScrubber scrubber;
    private final ObjectMapper mapper = new ObjectMapper();
    private final ExecutorService deliveries;

    /** Guarded by this. */
    private HttpServer server;
    private volatile boolean stopped;
    private volatile String subscriptionPath;
    private volatile Set<InetAddress> arrayAddresses;

    private final AtomicBoolean checkQueued = new AtomicBoolean();
    private volatile long lastCheckNanos = System.nanoTime();
    private volatile boolean lastProbeUp;

    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong ignored = new AtomicLong();

    /**
     * @param token the subscription's secret (see {@link #newToken()}); the relay must scrub it too
     */
    EventPush(EventPushSettings push, SwordfishSettings settings, RedfishClient client, Topology topology,
            EventRelay relay, String token) {
        this.push = push;
        this.settings = settings;
        this.client = client;
        this.topology = topology;
        this.relay = relay;
        this.token = token;
        this.backendName = relay.backendName();
        this.scrubber = relay.scrubber();
        this.logger = relay.logger();
        this.deliveries = Executors.newSingleThreadExecutor(EventRelay.daemon("redfish-event-delivery-"
                + backendName));
    }

    static String newToken() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Binds the listener now (a port in use is reported at once) and subscribes in the background. */
    void start() {
        synchronized (this) {
            if (stopped) {
                return;
            }
            bind();
        }
        relay.submit(this::subscribe);
    }

    /** Guarded by this. */
    private boolean bind() {
        if (server != null) {
            return true;
        }
        InetSocketAddress where = new InetSocketAddress(push.address(), push.port());
        HttpServer created = null;
        try {
            created = HttpServer.create(where, 16);
            created.createContext("/", this::handle);
            created.setExecutor(deliveries);
            created.start();
            server = created;
            return true;
        } catch (IOException | RuntimeException e) {
            if (created != null) {
                created.stop(0);
            }
            relay.lost("Cannot listen for Redfish events on " + hostPort(where) + ": " + e.getMessage()
                    + " (option '" + SwordfishDriverProvider.EVENT_PORT + "'); relying on polling");
            return false;
        }
    }

    // ------------------------------------------------------------------ subscription

    private void subscribe() {
        if (stopped) {
            return;
        }
        synchronized (this) {
            if (!bind()) {
                return;
            }
        }
        // A subscription takes a few requests; each is bounded, and so is the whole.
        Deadline deadline = Deadline.after(client.requestBudget().multipliedBy(3));
        String where = "Swordfish service at " + settings.authority();
        try {
            arrayAddresses = Set.of(InetAddress.getAllByName(settings.baseUri().getHost()));
            JsonNode root = client.get("/redfish/v1/", deadline);
            String servicePath = Json.optionalLink(root, "EventService", "service root").orElseThrow(() ->
                    new CinderblockException(ErrorCode.OPERATION_FAILED, where
                            + " has no EventService"));
            JsonNode service = client.get(servicePath, deadline);
            if (service.path("ServiceEnabled").isBoolean() && !service.path("ServiceEnabled").asBoolean()) {
                throw new CinderblockException(ErrorCode.OPERATION_FAILED, where
                        + ": its EventService is disabled (ServiceEnabled false)");
            }
            String subscriptions = Json.link(service, "Subscriptions", "EventService " + servicePath);
            Topology.StorageView storage = topology.readStorage(deadline);
            List<String> enclosures = Json.links(storage.node(), "Links.Enclosures", "Storage " + storage.refs().path());
            relay.watch(storage.refs().path(), Set.copyOf(enclosures));

            URI destination = destination();
            ObjectNode body = subscriptionBody(destination, service, storage.refs().path(), enclosures);
            RedfishClient.Response first = client.send("POST", subscriptions, body, deadline);
            RedfishClient.Response response = first;
            if (first.status() == 400 && body.size() > 3) {
                // A service that does not take one of the filters: subscribe to everything, and filter here.
                logger.log(System.Logger.Level.INFO, "Backend ''{0}'': {1} refused the filtered event subscription "
                        + "(HTTP 400{2}); subscribing without filters", backendName, where,
                        client.errorMessage(first.body()));
                response = client.send("POST", subscriptions, minimalBody(destination), deadline);
            }
            client.requireSuccess(response, "the event subscription");
            JsonNode created = response.body();
            String path = response.location()
                    .or(() -> Json.optionalText(created, "@odata.id", "EventDestination"))
                    .map(p -> client.resolve(p).getRawPath())
                    .orElseThrow(() -> new CinderblockException(ErrorCode.OPERATION_FAILED,
                            where + " accepted the event subscription but named no resource for it (no Location, "
                                    + "no @odata.id): it could never be deleted; relying on polling"));
            if (stopped) {
                deleteSubscription(path);
                return;
            }
            subscriptionPath = path;
            lastCheckNanos = System.nanoTime();
            logger.log(System.Logger.Level.INFO, "Backend ''{0}'': subscribed to Redfish events of {1} as {2}, "
                    + "delivered to {3}", backendName, where, path, withoutToken(destination));
            relay.restored();
        } catch (IOException | RuntimeException e) {
            if (!stopped) {
                relay.lost("Redfish event subscription on " + settings.authority() + " failed: "
                        + scrubber.scrub(String.valueOf(e.getMessage())) + "; relying on polling");
            }
        }
    }

    private ObjectNode minimalBody(URI destination) {
        return mapper.createObjectNode()
                .put("Destination", destination.toString())
                .put("Context", token)
                .put("Protocol", "Redfish");
    }

    /** Only what the service says it supports: EventTypes it lists, origin filtering if it offers it. */
    private ObjectNode subscriptionBody(URI destination, JsonNode service, String storagePath,
            List<String> enclosures) {
        ObjectNode body = minimalBody(destination);
        JsonNode offered = service.get("EventTypesForSubscription");
        if (offered != null && offered.isArray()) {
            ArrayNode types = mapper.createArrayNode();
            offered.forEach(type -> {
                if (type.isTextual() && WANTED_EVENT_TYPES.contains(type.asText())) {
                    types.add(type.asText());
                }
            });
            if (!types.isEmpty()) {
                body.set("EventTypes", types);
            }
        }
        if (service.path("SubordinateResourcesSupported").asBoolean(false)) {
            ArrayNode origins = body.putArray("OriginResources");
            origins.addObject().put("@odata.id", storagePath);
            enclosures.forEach(chassis -> origins.addObject().put("@odata.id", chassis));
            body.put("SubordinateResources", true);
        }
        return body;
    }

    /** The configured destination, or http://(the local address that reaches the array):port/, plus the token. */
    private URI destination() throws IOException {
        URI base;
        if (push.destination().isPresent()) {
            base = push.destination().get();
        } else {
            InetAddress local = push.address();
            if (local.isAnyLocalAddress()) {
                local = localAddressTowardsArray();
            }
            try {
                base = new URI("http", null, local.getHostAddress(), push.port(), "/", null, null);
            } catch (URISyntaxException e) {
                throw new IOException("cannot build the event destination URL from " + local, e);
            }
        }
        String text = base.toString();
        return URI.create(text + (text.endsWith("/") ? "" : "/") + token);
    }

    /** Which local address the system would use to reach the array: a UDP connect sends nothing. */
    private InetAddress localAddressTowardsArray() throws IOException {
        URI array = settings.baseUri();
        int port = array.getPort() != -1 ? array.getPort() : 443;
        try (DatagramSocket probe = new DatagramSocket()) {
            probe.connect(new InetSocketAddress(array.getHost(), port));
            InetAddress local = probe.getLocalAddress();
            return local.isAnyLocalAddress() ? InetAddress.getLocalHost() : local;
        }
    }

    private String withoutToken(URI destination) {
        String text = destination.toString();
        return text.substring(0, text.length() - token.length()) + "<token>";
    }

    /**
     * Called after every state probe: schedules a check of the subscription when the array just came
     * back UP (it may have restarted and forgotten us) or the check interval has passed. Never blocks.
     */
    void afterProbe(BackendState state) {
        if (stopped) {
            return;
        }
        boolean up = state.status() == BackendState.Status.UP;
        boolean cameBack = up && !lastProbeUp;
        lastProbeUp = up;
        if (!up) {
            return;
        }
        boolean due = System.nanoTime() - lastCheckNanos >= push.checkInterval().toNanos();
        if ((cameBack || due) && checkQueued.compareAndSet(false, true)) {
            lastCheckNanos = System.nanoTime();
            if (!relay.submit(this::check)) {
                checkQueued.set(false);
            }
        }
    }

    private void check() {
        checkQueued.set(false);
        if (stopped) {
            return;
        }
        String path = subscriptionPath;
        if (path == null) {
            subscribe(); // none yet (refused, or the array was down): try again
            return;
        }
        try {
            RedfishClient.Response response = client.send("GET", path, null, client.newDeadline());
            boolean gone = response.status() == 404 || response.status() == 410;
            if (response.isSuccess()) {
                JsonNode context = response.body().get("Context");
                // A restarted array may reuse the id for someone else's subscription.
                gone = context != null && context.isTextual() && !MessageDigest.isEqual(
                        context.asText().getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8));
            }
            if (gone) {
                subscriptionPath = null;
                relay.lost("The Redfish event subscription " + path + " on " + settings.authority() + " is gone (HTTP "
                        + response.status() + "; the array restarted or dropped it); subscribing again");
                subscribe();
            } else if (!response.isSuccess()) {
                logger.log(System.Logger.Level.DEBUG, "Backend ''{0}'': checking the event subscription {1} "
                        + "answered HTTP {2}", backendName, path, response.status());
            }
        } catch (CinderblockException e) {
            // The array is unreachable: the probes say so; check again when it is back.
            logger.log(System.Logger.Level.DEBUG, "Backend ''{0}'': cannot check the event subscription: {1}",
                    backendName, e.getMessage());
        }
    }

    // ------------------------------------------------------------------ deliveries

    private void handle(HttpExchange exchange) {
        try (exchange) {
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            InetAddress from = exchange.getRemoteAddress().getAddress();
            if (stopped) {
                exchange.sendResponseHeaders(503, -1);
                return;
            }
            if (!exchange.getRequestMethod().equals("POST")) {
                exchange.getResponseHeaders().set("Allow", "POST");
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            Set<InetAddress> allowed = arrayAddresses;
            if (allowed == null || !allowed.contains(from)) {
                ignore(exchange, 403, "a delivery from " + from.getHostAddress() + ", which is not an address of "
                        + settings.baseUri().getHost());
                return;
            }
            String path = exchange.getRequestURI().getRawPath();
            String last = path == null ? "" : path.substring(path.lastIndexOf('/') + 1);
            if (!sameToken(last)) {
                ignore(exchange, 404, "a delivery from " + from.getHostAddress() + " to a path without this "
                        + "subscription's token");
                return;
            }
            byte[] bytes = readBounded(exchange.getRequestBody());
            if (bytes == null) {
                ignore(exchange, 413, "a delivery larger than " + MAX_BODY_BYTES + " bytes");
                return;
            }
            JsonNode body;
            try {
                body = mapper.readTree(bytes);
            } catch (IOException e) {
                ignore(exchange, 400, "a delivery that is not JSON");
                return;
            }
            List<JsonNode> records = body == null ? List.of() : RedfishEvents.records(body);
            Optional<String> context = RedfishEvents.context(body, records);
            if (context.isPresent() && !sameToken(context.get())) {
                ignore(exchange, 404, "a delivery whose Context is not this subscription's");
                return;
            }
            exchange.sendResponseHeaders(204, -1);
            accepted.incrementAndGet();
            records.forEach(relay::onRecord);
        } catch (IOException | RuntimeException e) {
            logger.log(System.Logger.Level.DEBUG, "Backend ''{0}'': a Redfish event delivery failed: {1}",
                    backendName, e.toString());
        }
    }

    private boolean sameToken(String candidate) {
        return MessageDigest.isEqual(candidate.getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8));
    }

    private void ignore(HttpExchange exchange, int status, String what) throws IOException {
        ignored.incrementAndGet();
        logger.log(System.Logger.Level.DEBUG, "Backend ''{0}'': ignored {1} (answered HTTP {2})", backendName, what,
                Integer.toString(status));
        exchange.sendResponseHeaders(status, -1);
    }

    private static byte[] readBounded(InputStream in) throws IOException {
        byte[] bytes = in.readNBytes(MAX_BODY_BYTES + 1);
        return bytes.length > MAX_BODY_BYTES ? null : bytes;
    }

    // ------------------------------------------------------------------ for tests and diagnostics

    /** Deliveries accepted / ignored (wrong source, token, Context, body) / events coalesced. */
    long acceptedDeliveries() {
        return accepted.get();
    }

    long ignoredDeliveries() {
        return ignored.get();
    }

    long coalescedEvents() {
        return relay.coalescedEvents();
    }

    /** The subscription's resource on the array, if subscribed. */
    Optional<String> subscription() {
        return Optional.ofNullable(subscriptionPath);
    }

    /** The local port events are received on, if listening. */
    synchronized Optional<Integer> listeningPort() {
        return server == null ? Optional.empty() : Optional.of(server.getAddress().getPort());
    }

    // ------------------------------------------------------------------ close

    /** Stops receiving: the listener's socket and its threads. The subscription stays until {@link #cleanUp()}. */
    void stop() {
        HttpServer stopping;
        synchronized (this) {
            stopped = true;
            stopping = server;
            server = null;
        }
        if (stopping != null) {
            stopping.stop(0);
        }
        deliveries.shutdownNow();
        try {
            deliveries.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** After {@link #stop()} and the worker's end: deletes the subscription (one bounded request). Never throws. */
    void cleanUp() {
        String path = subscriptionPath;
        subscriptionPath = null;
        if (path != null) {
            deleteSubscription(path);
        }
    }

    private void deleteSubscription(String path) {
        try {
            RedfishClient.Response response = client.send("DELETE", path, null, client.newDeadline());
            logger.log(response.isSuccess() || response.status() == 404 ? System.Logger.Level.INFO
                    : System.Logger.Level.WARNING, "Backend ''{0}'': deleted the Redfish event subscription {1}: "
                    + "HTTP {2}", backendName, path, Integer.toString(response.status()));
        } catch (RuntimeException e) {
            logger.log(System.Logger.Level.WARNING, "Backend ''{0}'': could not delete the Redfish event "
                    + "subscription {1} on {2}: {3}", backendName, path, settings.authority(), e.getMessage());
        }
    }

    private static String hostPort(InetSocketAddress address) {
        String host = address.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
    }
}
