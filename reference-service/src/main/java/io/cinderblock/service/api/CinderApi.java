package io.cinderblock.service.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cinderblock.service.api.CinderRoutes.Route;
import io.cinderblock.service.model.Intervals;
import io.cinderblock.service.model.ServiceDirectory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
    private static final Set<String> JSON_TYPES = Set.of("application/json", "application/vnd.openstack.volume+json");
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
    // json.loads accepts trailing whitespace only: "{...} xyz" is a malformed body, as in Cinder.
    private final ObjectMapper json = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private final ServicesController services;
    private final PoolsController pools;

    /**
     * Creates the API.
     *
     * @param serviceDownTime a service whose last heartbeat is older is {@code down}
     */
    public CinderApi(ServiceDirectory directory, Authenticator authenticator, Duration serviceDownTime, Clock clock) {
        this(directory, authenticator, Intervals.CINDER_DEFAULTS.withServiceDownTime(serviceDownTime), clock);
    }

    /**
     * Creates the API.
     *
     * @param intervals {@code service_down_time} (a service whose last heartbeat is older is
     *     {@code down}) and the intervals that make capacity stale in {@code get_pools}' extension keys
     */
    public CinderApi(ServiceDirectory directory, Authenticator authenticator, Intervals intervals, Clock clock) {
        Duration serviceDownTime = intervals.serviceDownTime();
        this.directory = requireNonNull(directory, "directory is null");
        this.authenticator = requireNonNull(authenticator, "authenticator is null");
        this.serviceDownTime = requireNonNull(serviceDownTime, "serviceDownTime is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.services = new ServicesController(directory, serviceDownTime, clock, json);
        this.pools = new PoolsController(directory, intervals, clock);
    }

    /**
     * Renders the unfiltered list of the current snapshot for every microversion class asked for
     * before, ahead of the next request. An API node calls it from its refresh thread after each new
     * snapshot, so no request waits for a 300 kB render after a heartbeat.
     */
    public void prerender() {
        services.prerender();
    }

    /** Who a request is (the access log names user and project with it). */
    public Authenticator authenticator() {
        return authenticator;
    }

    /** Answers one request. Never throws. */
    public ApiResponse handle(ApiRequest request) {
        String requestId = CinderResponses.newRequestId();
        Optional<Microversion> version = Optional.empty();
        try {
            if (request.bodyTooLarge()) {
                // Cinder's size limiter runs before everything else, so nothing is echoed.
                return CinderResponses.error(requestId, new ApiException(413, "Request is too large."), Optional.empty());
            }
            String path = request.path();
            if (path.isEmpty() || path.equals("/")) {
                version = Optional.of(Microversion.negotiate(request.header().apply(Microversion.HEADER)));
                if (!request.method().equals("GET") && !request.method().equals("HEAD")) {
                    throw new ApiException(405, "The method specified is not allowed for this resource.");
                }
                return CinderResponses.json(requestId, 300, version, versionsDocument(request));
            }
            if (!path.equals("/v3") && !path.startsWith("/v3/")) {
                return CinderResponses.html(requestId, 404, NOT_FOUND_HTML);
            }
            Authenticator.Outcome outcome = authenticator.authenticate(request.header());
            if (outcome instanceof Authenticator.TokenIssued) {
                return CinderResponses.tokenIssued(requestId, request, ((Authenticator.TokenIssued) outcome).token());
            }
            if (outcome instanceof Authenticator.Unauthorized) {
                return CinderResponses.html(requestId, 401, UNAUTHORIZED_HTML);
            }
            RequestContext context = ((Authenticator.Authenticated) outcome).context();

            List<String> segments = CinderRoutes.segments(path.substring(3));
            Optional<String> project = Optional.empty();
            if (!segments.isEmpty() && CinderRoutes.PROJECT_ID.matcher(segments.get(0)).matches()) {
                project = Optional.of(segments.get(0));
                segments = segments.subList(1, segments.size());
            }
            Route route = CinderRoutes.route(segments, project);
            if (route == null) {
                return CinderResponses.html(requestId, 404, NOT_FOUND_HTML);
            }
            version = Optional.of(Microversion.negotiate(request.header().apply(Microversion.HEADER)));
            Microversion v = version.get();
            if (route == Route.VERSION) {
                if (!request.method().equals("GET") && !request.method().equals("HEAD")) {
                    throw new ApiException(404, "The resource could not be found.");
                }
                return CinderResponses.json(requestId, 200, version, versionsDocument(request));
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
                    answer = services.listServices(request, context, v);
                    break;
                case SERVICE_ACTION:
                    answer = services.updateService(context, v, CinderRoutes.lastSegment(segments), body);
                    break;
                case POOLS:
                    answer = pools.pools(request, context, v);
                    break;
                default:
                    throw new IllegalStateException("unrouted " + route);
            }
            return CinderResponses.json(requestId, 200, version, answer);
        } catch (ApiException e) {
            Optional<String> echo = e.echoedVersion().isPresent() ? e.echoedVersion() : version.map(Object::toString);
            return CinderResponses.error(requestId, e, echo);
        } catch (RuntimeException e) {
            LOG.error("Request {} {} failed ({})", request.method(), request.path(), requestId, e);
            return CinderResponses.error(requestId, new ApiException(500, INTERNAL_ERROR), version.map(Object::toString));
        }
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
}
