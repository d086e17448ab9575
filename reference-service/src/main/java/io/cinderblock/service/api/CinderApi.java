package io.cinderblock.service.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cinderblock.service.model.CinderTime;
import io.cinderblock.service.model.PoolRecord;
import io.cinderblock.service.model.ServiceDirectory;
import io.cinderblock.service.model.ServiceNotFoundException;
import io.cinderblock.service.model.ServiceRecord;
import io.cinderblock.service.model.ServiceSnapshot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The served subset of Cinder's block-storage API v3, independent of the HTTP server: version
 * documents, {@code os-services} (list and enable/disable), {@code scheduler-stats/get_pools}.
 * Answers match Cinder 21.x byte for byte where recorded (status, header names, key order, value
 * formats, error bodies); see {@code docs/api.md}.
 *
 * <p>Processing order follows Cinder's pipeline: body size limit, auth (noauth's 204, 401), route
 * (unknown paths 404 in HTML, as Cinder's router), microversion (400/406), content type and body
 * (400), project id of the URL against the context (400), then the controller (policy 403,
 * validation 400, not found 404).
 *
 * <p>Reads only the {@link ServiceDirectory}'s in-memory snapshot: a list request never waits for
 * a device, a lock or the database. Thread-safe.
 */
public final class CinderApi {
    private static final Logger LOG = LoggerFactory.getLogger(CinderApi.class);
    private static final Pattern PROJECT_ID = Pattern.compile("[0-9a-f-]+");
    private static final Set<String> JSON_TYPES = Set.of("application/json", "application/vnd.openstack.volume+json");
    private static final Set<String> TRUE_STRINGS = Set.of("1", "t", "true", "on", "y", "yes");
    private static final Set<String> FALSE_STRINGS = Set.of("0", "f", "false", "off", "n", "no");
    private static final Microversion POOL_FILTER = new Microversion(3, 28);
    private static final Microversion REPLICATION_CLUSTER = new Microversion(3, 26);
    private static final Microversion LOG_LEVEL = new Microversion(3, 32);
    private static final String HTML = "text/html; charset=UTF-8";
    private static final String JSON = "application/json";
    private static final String NOT_FOUND_HTML = "<html>\n <head>\n  <title>404 Not Found</title>\n </head>\n <body>\n"
            + "  <h1>404 Not Found</h1>\n  The resource could not be found.<br /><br />\n\n\n\n </body>\n</html>";
    private static final String UNAUTHORIZED_HTML = "<html>\n <head>\n  <title>401 Unauthorized</title>\n </head>\n"
            + " <body>\n  <h1>401 Unauthorized</h1>\n  This server could not verify that you are authorized to access"
            + " the document you requested. Either you supplied the wrong credentials (e.g., bad password), or your"
            + " browser does not understand how to supply the credentials required.<br /><br />\n\n\n\n </body>\n"
            + "</html>";
    private static final String INTERNAL_ERROR = "The server has either erred or is incapable of performing the"
            + " requested operation.";

    private final ServiceDirectory directory;
    private final Authenticator authenticator;
    private final Duration serviceDownTime;
    private final Clock clock;
    private final ObjectMapper json = new ObjectMapper();
    private final AtomicReferenceArray<RenderedList> listCache = new AtomicReferenceArray<>(3);

    /**
     * Creates the API.
     *
     * @param serviceDownTime a service whose last heartbeat is older is {@code down}
     */
    public CinderApi(ServiceDirectory directory, Authenticator authenticator, Duration serviceDownTime, Clock clock) {
        this.directory = requireNonNull(directory, "directory is null");
        this.authenticator = requireNonNull(authenticator, "authenticator is null");
        this.serviceDownTime = requireNonNull(serviceDownTime, "serviceDownTime is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** The resources of {@code /v3}, once the path is matched. */
    private enum Route {
        SERVICES,
        SERVICE_ACTION,
        POOLS,
        VERSION
    }

    /** Who a request is (the access log names user and project with it). */
    public Authenticator authenticator() {
        return authenticator;
    }

    /** Answers one request. Never throws. */
    public ApiResponse handle(ApiRequest request) {
        String requestId = "req-" + UUID.randomUUID();
        Optional<Microversion> version = Optional.empty();
        try {
            if (request.bodyTooLarge()) {
                // Cinder's size limiter runs before everything else, so nothing is echoed.
                return error(requestId, new ApiException(413, "Request is too large."), Optional.empty());
            }
            String path = request.path();
            if (path.isEmpty() || path.equals("/")) {
                version = Optional.of(Microversion.negotiate(request.header().apply(Microversion.HEADER)));
                if (!request.method().equals("GET") && !request.method().equals("HEAD")) {
                    throw new ApiException(405, "The method specified is not allowed for this resource.");
                }
                return json(requestId, 300, version, versionsDocument(request));
            }
            if (!path.equals("/v3") && !path.startsWith("/v3/")) {
                return html(requestId, 404, NOT_FOUND_HTML);
            }
            Authenticator.Outcome outcome = authenticator.authenticate(request.header());
            if (outcome instanceof Authenticator.TokenIssued) {
                return tokenIssued(requestId, request, ((Authenticator.TokenIssued) outcome).token());
            }
            if (outcome instanceof Authenticator.Unauthorized) {
                return html(requestId, 401, UNAUTHORIZED_HTML);
            }
            RequestContext context = ((Authenticator.Authenticated) outcome).context();

            List<String> segments = segments(path.substring(3));
            Optional<String> project = Optional.empty();
            if (!segments.isEmpty() && PROJECT_ID.matcher(segments.get(0)).matches()) {
                project = Optional.of(segments.get(0));
                segments = segments.subList(1, segments.size());
            }
            Route route = route(segments, project);
            if (route == null) {
                return html(requestId, 404, NOT_FOUND_HTML);
            }
            version = Optional.of(Microversion.negotiate(request.header().apply(Microversion.HEADER)));
            Microversion v = version.get();
            if (route == Route.VERSION) {
                if (!request.method().equals("GET") && !request.method().equals("HEAD")) {
                    throw new ApiException(404, "The resource could not be found.");
                }
                return json(requestId, 200, version, versionsDocument(request));
            }
            String expectedMethod = route == Route.SERVICE_ACTION ? "PUT" : "GET";
            if (!request.method().equals(expectedMethod)) {
                // Cinder's controllers have no such method: its wsgi layer answers a JSON 404.
                throw new ApiException(404, "The resource could not be found.");
            }
            Optional<JsonNode> body = route == Route.SERVICE_ACTION ? body(request) : Optional.empty();
            if (project.isPresent() && !project.get().equals(context.projectId())) {
                throw new ApiException(400, "Malformed request url");
            }
            Object answer;
            switch (route) {
                case SERVICES:
                    answer = listServices(request, context, v);
                    break;
                case SERVICE_ACTION:
                    answer = updateService(context, v, lastSegment(segments), body);
                    break;
                case POOLS:
                    answer = pools(request, context, v);
                    break;
                default:
                    throw new IllegalStateException("unrouted " + route);
            }
            return json(requestId, 200, version, answer);
        } catch (ApiException e) {
            Optional<String> echo = e.echoedVersion().isPresent() ? e.echoedVersion() : version.map(Object::toString);
            return error(requestId, e, echo);
        } catch (RuntimeException e) {
            LOG.error("Request {} {} failed ({})", request.method(), request.path(), requestId, e);
            return error(requestId, new ApiException(500, INTERNAL_ERROR), version.map(Object::toString));
        }
    }

    private static List<String> segments(String rest) {
        if (rest.isEmpty() || rest.equals("/")) {
            return List.of();
        }
        return List.of(rest.substring(1).split("/", -1));
    }

    private static String lastSegment(List<String> segments) {
        return stripFormat(segments.get(segments.size() - 1));
    }

    /** Cinder's routes accept a {@code .json} format suffix. */
    private static String stripFormat(String segment) {
        return segment.endsWith(".json") ? segment.substring(0, segment.length() - 5) : segment;
    }

    private static Route route(List<String> segments, Optional<String> project) {
        if (segments.isEmpty()) {
            return project.isEmpty() ? Route.VERSION : null;
        }
        List<String> s = new ArrayList<>(segments);
        s.set(s.size() - 1, stripFormat(s.get(s.size() - 1)));
        if (s.size() == 1 && s.get(0).equals("os-services")) {
            return Route.SERVICES;
        }
        if (s.size() == 2 && s.get(0).equals("os-services") && !s.get(1).isEmpty()) {
            return Route.SERVICE_ACTION;
        }
        if (s.size() == 2 && s.get(0).equals("scheduler-stats") && s.get(1).equals("get_pools")) {
            return Route.POOLS;
        }
        return null;
    }

    // ------------------------------------------------------------------ controllers

    /**
     * The list body. An unfiltered list is rendered once per snapshot and microversion class and
     * reused until the snapshot changes or a row's {@code state} would flip with time: with 1,000
     * backends that turns a 300 kB serialisation per request into a copy.
     */
    private byte[] listServices(ApiRequest request, RequestContext context, Microversion version) {
        if (!context.isAdmin()) {
            throw new ApiException(403, "Policy doesn't allow volume_extension:services:index to be performed.");
        }
        Optional<String> host = request.lastQueryValue("host");
        Optional<String> binary = request.lastQueryValue("binary");
        ServiceSnapshot snapshot = directory.snapshot();
        Instant now = clock.instant();
        if (host.isPresent() || binary.isPresent()) {
            return PythonJson.write(listServices(snapshot, host, binary, version, now)).getBytes(StandardCharsets.UTF_8);
        }
        int versionClass = versionClass(version);
        RenderedList cached = listCache.get(versionClass);
        // Identity, not equals: a snapshot is immutable and a new one is published for every change.
        if (cached != null && cached.snapshot == snapshot && now.isBefore(cached.validUntil)
                && !now.isBefore(cached.renderedAt)) {
            return cached.body;
        }
        return render(snapshot, version, versionClass, now);
    }

    private static int versionClass(Microversion version) {
        return version.atLeast(Microversion.BACKEND_STATE_REPORT) ? 2
                : version.atLeast(Microversion.CLUSTER_SUPPORT) ? 1 : 0;
    }

    private byte[] render(ServiceSnapshot snapshot, Microversion version, int versionClass, Instant now) {
        byte[] body = PythonJson.write(listServices(snapshot, Optional.empty(), Optional.empty(), version, now))
                .getBytes(StandardCharsets.UTF_8);
        listCache.set(versionClass, new RenderedList(snapshot, now, stateFlip(snapshot, now), body));
        return body;
    }

    /**
     * Renders the unfiltered list of the current snapshot for every microversion class asked for
     * before, ahead of the next request. An API node calls it from its refresh thread after each new
     * snapshot, so no request waits for a 300 kB render after a heartbeat.
     */
    public void prerender() {
        ServiceSnapshot snapshot = directory.snapshot();
        Instant now = clock.instant();
        Microversion[] representative = {Microversion.MIN, Microversion.CLUSTER_SUPPORT,
                Microversion.BACKEND_STATE_REPORT};
        for (int versionClass = 0; versionClass < representative.length; versionClass++) {
            RenderedList cached = listCache.get(versionClass);
            if (cached != null && cached.snapshot != snapshot) {
                render(snapshot, representative[versionClass], versionClass, now);
            }
        }
    }

    /** A rendered unfiltered list, valid for one snapshot until {@code validUntil}. */
    private record RenderedList(ServiceSnapshot snapshot, Instant renderedAt, Instant validUntil, byte[] body) {}

    /** The first instant after {@code now} at which some row's {@code state} changes by time alone. */
    private Instant stateFlip(ServiceSnapshot snapshot, Instant now) {
        Instant first = Instant.MAX;
        for (ServiceRecord service : snapshot.services()) {
            // up while |now - updated_at| <= service_down_time: flips just after updated_at + down time
            // (or, for a clock ahead of ours, at updated_at - down time).
            for (Instant flip : List.of(service.updatedAt().plus(serviceDownTime).plusNanos(1),
                    service.updatedAt().minus(serviceDownTime))) {
                if (flip.isAfter(now) && flip.isBefore(first)) {
                    first = flip;
                }
            }
        }
        return first;
    }

    private Map<String, Object> listServices(ServiceSnapshot snapshot, Optional<String> host, Optional<String> binary,
            Microversion version, Instant now) {
        List<Object> services = new ArrayList<>();
        for (ServiceRecord service : snapshot.services()) {
            if (binary.isPresent() && !binary.get().equals(service.binary())) {
                continue;
            }
            if (host.isPresent() && !hostMatches(host.get(), service.host())) {
                continue;
            }
            services.add(serviceView(service, version, now));
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("services", services);
        return result;
    }

    /** Cinder's host filter: a plain host also matches its backends and pools; {@code h@b} matches its pools. */
    static boolean hostMatches(String filter, String host) {
        if (host.equals(filter)) {
            return true;
        }
        if (filter.contains("#")) {
            return false;
        }
        if (filter.contains("@")) {
            return host.startsWith(filter + "#");
        }
        return host.startsWith(filter + "@") || host.startsWith(filter + "#");
    }

    private Map<String, Object> serviceView(ServiceRecord service, Microversion version, Instant now) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("binary", service.binary());
        view.put("host", service.host());
        view.put("zone", service.zone());
        view.put("status", service.disabled() ? "disabled" : "enabled");
        Duration age = Duration.between(service.updatedAt(), now).abs();
        view.put("state", age.compareTo(serviceDownTime) <= 0 ? "up" : "down");
        view.put("updated_at", CinderTime.format(service.updatedAt()));
        if (version.atLeast(Microversion.BACKEND_STATE_REPORT) && service.isVolume()) {
            view.put("backend_state", service.backendState().map(s -> s.wireValue()).orElse(null));
        }
        if (version.atLeast(Microversion.CLUSTER_SUPPORT)) {
            view.put("cluster", null);
        }
        view.put("disabled_reason", service.disabledReason().orElse(null));
        if (service.isVolume()) {
            view.put("replication_status", service.replicationStatus());
            view.put("active_backend_id", null);
            view.put("frozen", false);
        }
        return view;
    }

    private Map<String, Object> updateService(RequestContext context, Microversion version, String action,
            Optional<JsonNode> body) {
        if (!context.isAdmin()) {
            throw new ApiException(403, "Policy doesn't allow volume_extension:services:update to be performed.");
        }
        boolean disable;
        switch (action) {
            case "enable":
                disable = false;
                break;
            case "disable":
            case "disable-log-reason":
                disable = true;
                break;
            case "freeze":
            case "thaw":
            case "failover_host":
                throw notImplemented(action);
            case "failover":
                if (version.atLeast(REPLICATION_CLUSTER)) {
                    throw notImplemented(action);
                }
                throw new ApiException(400, "Invalid input received: Unknown action");
            case "set-log":
            case "get-log":
                if (version.atLeast(LOG_LEVEL)) {
                    throw notImplemented(action);
                }
                throw new ApiException(400, "Invalid input received: Unknown action");
            default:
                throw new ApiException(400, "Invalid input received: Unknown action");
        }
        JsonNode fields = body.orElse(json.createObjectNode());
        Optional<String> host = text(fields, "host").filter(h -> !h.isEmpty());
        Optional<String> cluster = text(fields, "cluster").filter(c -> !c.isEmpty());
        if (version.atLeast(Microversion.CLUSTER_SUPPORT)) {
            if (host.isPresent() == cluster.isPresent()) {
                throw new ApiException(400, "Invalid input received: One and only one of cluster and host must be set.");
            }
            if (cluster.isPresent()) {
                // This service runs no clusters, so no service belongs to the named one.
                String binary = text(fields, "binary").orElse(text(fields, "service").orElse(""));
                throw new ApiException(404, "Service " + binary + " could not be found in cluster " + cluster.get()
                        + ".");
            }
        } else if (host.isEmpty()) {
            throw new ApiException(400, "Invalid input received: Host field is missing.");
        }
        Map<String, Object> result = new LinkedHashMap<>();
        Optional<String> reason = Optional.empty();
        if (action.equals("disable-log-reason")) {
            reason = text(fields, "disabled_reason");
            if (reason.isEmpty() || reason.get().isBlank() || reason.get().length() > 255) {
                throw new ApiException(400, "Disabled reason contains invalid characters or is too long");
            }
            result.put("disabled_reason", reason.get());
        }
        String service = text(fields, "service").orElse("");
        String binary = text(fields, "binary").orElse("");
        String binaryKey = binary.isEmpty() ? service : binary;
        if (binaryKey.isEmpty()) {
            throw new ApiException(400, "The server could not comply with the request since it is either malformed or"
                    + " otherwise incorrect.");
        }
        try {
            directory.setDisabled(host.get(), binaryKey, disable, reason);
        } catch (ServiceNotFoundException e) {
            throw new ApiException(404, e.getMessage());
        }
        result.put("disabled", disable);
        result.put("host", host.get());
        result.put("service", service);
        result.put("binary", binary);
        result.put("status", disable ? "disabled" : "enabled");
        return result;
    }

    private static ApiException notImplemented(String action) {
        return new ApiException(501, "The service action '" + action + "' is not implemented by cinderblock.");
    }

    /** A string field of the body; a non-string value is a malformed body. */
    private static Optional<String> text(JsonNode fields, String name) {
        JsonNode node = fields.get(name);
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isTextual()) {
            throw new ApiException(400, "Invalid input received: '" + name + "' must be a string.");
        }
        return Optional.of(node.asText());
    }

    private Map<String, Object> pools(ApiRequest request, RequestContext context, Microversion version) {
        if (!context.isAdmin()) {
            throw new ApiException(403, "Policy doesn't allow scheduler_extension:scheduler_stats:get_pools to be"
                    + " performed.");
        }
        boolean detail = false;
        Optional<String> detailText = request.lastQueryValue("detail");
        if (detailText.isPresent()) {
            String value = detailText.get().strip().toLowerCase(Locale.ROOT);
            if (TRUE_STRINGS.contains(value)) {
                detail = true;
            } else if (!FALSE_STRINGS.contains(value)) {
                throw new ApiException(400, "Value '" + detailText.get() + "' for 'detail' is not a boolean.");
            }
        }
        Optional<String> name = Optional.empty();
        if (version.atLeast(POOL_FILTER)) {
            List<String> invalid = new ArrayList<>();
            for (String key : request.query().keySet()) {
                if (!key.equals("detail") && !key.equals("name") && !key.equals("volume_type")) {
                    invalid.add(key);
                }
            }
            if (!invalid.isEmpty()) {
                invalid.sort(null);
                throw new ApiException(400, "Invalid input received: Invalid filters " + String.join(",", invalid)
                        + " are found in query options.");
            }
            name = request.lastQueryValue("name");
        }
        ServiceSnapshot snapshot = directory.snapshot();
        List<Object> pools = new ArrayList<>();
        for (ServiceRecord service : snapshot.services()) {
            if (service.disabled()) {
                // Cinder's scheduler leaves the pools of disabled services out.
                continue;
            }
            for (PoolRecord pool : snapshot.pools().getOrDefault(service.host(), List.of())) {
                if (name.isPresent() && !name.get().equals(pool.name())) {
                    continue;
                }
                Map<String, Object> view = new LinkedHashMap<>();
                view.put("name", pool.name());
                if (detail) {
                    view.put("capabilities", pool.capabilities());
                }
                pools.add(view);
            }
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("pools", pools);
        return result;
    }

    private Map<String, Object> versionsDocument(ApiRequest request) {
        Map<String, Object> describedBy = new LinkedHashMap<>();
        describedBy.put("rel", "describedby");
        describedBy.put("type", "text/html");
        describedBy.put("href", "https://docs.openstack.org/");
        Map<String, Object> self = new LinkedHashMap<>();
        self.put("rel", "self");
        self.put("href", request.origin() + "/v3/");
        Map<String, Object> media = new LinkedHashMap<>();
        media.put("base", "application/json");
        media.put("type", "application/vnd.openstack.volume+json;version=3");
        Map<String, Object> v3 = new LinkedHashMap<>();
        v3.put("id", "v3.0");
        v3.put("status", "CURRENT");
        v3.put("version", Microversion.MAX.toString());
        v3.put("min_version", Microversion.MIN.toString());
        v3.put("updated", "2022-08-31T00:00:00Z");
        v3.put("links", List.of(describedBy, self));
        v3.put("media-types", List.of(media));
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("versions", List.of(v3));
        return document;
    }

    // ------------------------------------------------------------------ bodies and answers

    /** The body of a PUT, checked as Cinder's wsgi layer does. */
    private Optional<JsonNode> body(ApiRequest request) {
        if (request.body().length == 0) {
            return Optional.empty();
        }
        Optional<String> contentType = request.header().apply("Content-Type")
                .map(t -> t.split(";", 2)[0].strip().toLowerCase(Locale.ROOT));
        if (contentType.isEmpty() || !JSON_TYPES.contains(contentType.get())) {
            throw new ApiException(400, "Unsupported Content-Type");
        }
        JsonNode node;
        try {
            node = json.readTree(new String(request.body(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new ApiException(400, "Malformed request body");
        }
        if (node == null || !node.isObject()) {
            throw new ApiException(400, "Malformed request body");
        }
        return Optional.of(node);
    }

    private static ApiResponse json(String requestId, int status, Optional<Microversion> version, Object body) {
        ApiResponse.Builder response = new ApiResponse.Builder(status);
        if (body instanceof byte[]) {
            response.body((byte[]) body);
        } else {
            response.body(PythonJson.write(body));
        }
        response.header("Content-Type", JSON);
        response.header("X-Compute-Request-Id", requestId);
        response.header("Content-Length", String.valueOf(response.bodyLength()));
        version.ifPresent(v -> {
            response.header("Openstack-Api-Version", "volume " + v);
            response.header("Vary", Microversion.HEADER);
        });
        response.header("X-Openstack-Request-Id", requestId);
        return response.build();
    }

    private static ApiResponse error(String requestId, ApiException e, Optional<String> echo) {
        ApiResponse.Builder response = new ApiResponse.Builder(e.status()).body(e.body());
        echo.ifPresent(v -> {
            response.header("Openstack-Api-Version", "volume " + v);
            response.header("Vary", Microversion.HEADER);
        });
        response.header("Content-Length", String.valueOf(response.bodyLength()));
        response.header("Content-Type", JSON);
        response.header("X-Compute-Request-Id", requestId);
        response.header("X-Openstack-Request-Id", requestId);
        return response.build();
    }

    private static ApiResponse html(String requestId, int status, String body) {
        ApiResponse.Builder response = new ApiResponse.Builder(status).body(body);
        response.header("Content-Length", String.valueOf(response.bodyLength()));
        response.header("Content-Type", HTML);
        response.header("X-Openstack-Request-Id", requestId);
        return response.build();
    }

    /** noauth without a token: Cinder answers 204 with a token and the management URL. */
    private static ApiResponse tokenIssued(String requestId, ApiRequest request, String token) {
        String url = request.url();
        while (url.endsWith("/")) {
            url = url.substring(0, url.length() - 1);
        }
        return new ApiResponse.Builder(204)
                .header("Content-Length", "0")
                .header("X-Auth-Token", token)
                .header("X-Server-Management-Url", url)
                .header("Content-Type", "text/plain; charset=UTF-8")
                .header("X-Openstack-Request-Id", requestId)
                .build();
    }
}
