package io.cinderblock.service.api;

import static java.util.Objects.requireNonNull;

import io.cinderblock.service.auth.Policy;
import io.cinderblock.service.model.Intervals;
import io.cinderblock.service.model.ServiceDirectory;
import io.cinderblock.service.model.ServiceSnapshot;
import io.cinderblock.service.ops.Metrics;
import io.cinderblock.service.ops.NodeIdentity;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The operations endpoints, outside Cinder's API: {@code /healthz} (the process answers),
 * {@code /readyz} (database reachable and snapshot fresh), {@code /metrics} (Prometheus text
 * format) and the operator status page {@code /status} with its data {@code /status/data}.
 *
 * <p>{@code /status} itself is a static page holding no data; its script reads the token from
 * the page's URL fragment ({@code /status#token=...}, never sent to the server) or the tab's session
 * storage and polls {@code /status/data} with {@code X-Auth-Token}, which needs an admin context from
 * the same authenticator as the API. The probes and metrics carry no secrets and are open, as
 * orchestrators and scrapers expect.
 */
public final class OpsEndpoints {
    private static final String PAGE = "/io/cinderblock/service/status/status.html";

    private final Optional<ServiceDirectory> directory;
    private final Optional<Authenticator> authenticator;
    private final Metrics metrics;
    private final Supplier<Optional<String>> readiness;
    private final Clock clock;
    private final StatusData statusData;
    private final byte[] page;

    /**
     * Creates the endpoints with Cinder's default report and stats intervals, describing this
     * process as role {@code all}.
     *
     * @param directory what {@code /status} shows; empty on an agent without the API
     * @param authenticator the API's; empty disables {@code /status/data}
     * @param readiness empty when ready, else why not
     */
    public OpsEndpoints(Optional<ServiceDirectory> directory, Optional<Authenticator> authenticator, Metrics metrics,
            Supplier<Optional<String>> readiness, Duration serviceDownTime, Clock clock) {
        this(directory, authenticator, metrics, readiness, Intervals.CINDER_DEFAULTS.withServiceDownTime(
                serviceDownTime), clock, NodeIdentity.local("all"));
    }

    /**
     * Creates the endpoints.
     *
     * @param directory what {@code /status} shows; empty on an agent without the API
     * @param authenticator the API's; empty disables {@code /status/data}
     * @param readiness empty when ready, else why not
     * @param intervals what decides a dead service and stale capacity on the status page
     * @param identity this process, shown on the status page
     */
    public OpsEndpoints(Optional<ServiceDirectory> directory, Optional<Authenticator> authenticator, Metrics metrics,
            Supplier<Optional<String>> readiness, Intervals intervals, Clock clock, NodeIdentity identity) {
        this.directory = requireNonNull(directory, "directory is null");
        this.authenticator = requireNonNull(authenticator, "authenticator is null");
        this.metrics = requireNonNull(metrics, "metrics is null");
        this.readiness = requireNonNull(readiness, "readiness is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.statusData = new StatusData(intervals, identity);
        try (InputStream in = OpsEndpoints.class.getResourceAsStream(PAGE)) {
            if (in == null) {
                throw new IllegalStateException("The status page " + PAGE + " is missing from the jar");
            }
            this.page = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether a path is one of these endpoints (everything else goes to the Cinder API). */
    public static boolean handles(String path) {
        return path.equals("/healthz") || path.equals("/readyz") || path.equals("/metrics") || path.equals("/status")
                || path.equals("/status/data");
    }

    static ApiResponse notFound() {
        return CinderResponses.fault(404, "Not found: this process serves /healthz, /readyz and /metrics only");
    }

    /** Answers one request. Never throws. */
    public ApiResponse handle(ApiRequest request) {
        if (!request.method().equals("GET") && !request.method().equals("HEAD")) {
            return CinderResponses.fault(405, "Only GET and HEAD are allowed here");
        }
        switch (request.path()) {
            case "/healthz":
                return text(200, "ok\n");
            case "/readyz":
                Optional<String> problem = readiness.get();
                return problem.map(p -> text(503, "not ready: " + p + "\n")).orElseGet(() -> text(200, "ready\n"));
            case "/metrics":
                return new ApiResponse.Builder(200).header("Content-Type", metrics.contentType())
                        .body(metrics.scrape()).build();
            case "/status":
                if (directory.isEmpty()) {
                    return notFound();
                }
                return new ApiResponse.Builder(200).header("Content-Type", "text/html; charset=UTF-8")
                        .header("Cache-Control", "no-store").body(page).build();
            case "/status/data":
                return statusData(request);
            default:
                return notFound();
        }
    }

    private ApiResponse statusData(ApiRequest request) {
        if (directory.isEmpty() || authenticator.isEmpty()) {
            return notFound();
        }
        Optional<String> token = request.header().apply("X-Auth-Token");
        Authenticator.Outcome outcome;
        try {
            outcome = token.isEmpty() ? new Authenticator.Unauthorized()
                    : authenticator.get().authenticate(request.header());
        } catch (ApiException e) {
            // Keystone unreachable: say so rather than 401, which would send the operator to the password.
            return text(e.status(), e.getMessage() + "\n");
        }
        if (!(outcome instanceof Authenticator.Authenticated authenticated)) {
            return text(401, "Send an admin token in X-Auth-Token\n");
        }
        if (!authenticated.context().allowed(Policy.STATUS_VIEW)) {
            return text(403, "The status page is for admins only\n");
        }
        ServiceSnapshot snapshot = directory.get().snapshot();
        Map<String, Object> body = statusData.body(snapshot, clock.instant());
        return new ApiResponse.Builder(200).header("Content-Type", "application/json")
                .header("Cache-Control", "no-store").body(PythonJson.write(body)).build();
    }

    private static ApiResponse text(int status, String body) {
        return new ApiResponse.Builder(status).header("Content-Type", "text/plain; charset=UTF-8")
                .body(body.getBytes(StandardCharsets.UTF_8)).build();
    }
}
