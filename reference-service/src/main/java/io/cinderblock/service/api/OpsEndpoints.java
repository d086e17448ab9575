package io.cinderblock.service.api;

import static java.util.Objects.requireNonNull;

import io.cinderblock.service.auth.Policy;
import io.cinderblock.service.model.CinderTime;
import io.cinderblock.service.model.PoolRecord;
import io.cinderblock.service.model.ServiceDirectory;
import io.cinderblock.service.model.ServiceRecord;
import io.cinderblock.service.model.ServiceSnapshot;
import io.cinderblock.service.ops.Metrics;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
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
    private final Duration serviceDownTime;
    private final Clock clock;
    private final Function<String, Optional<String>> pushLost;
    private final byte[] page;
    /** For "last changed": the state each row was last seen in, and since when (this node's view). */
    private final Map<String, Seen> seen = new HashMap<>();

    private record Seen(String state, Instant since) {}

    /**
     * Creates the endpoints.
     *
     * @param directory what {@code /status} shows; empty on an agent without the API
     * @param authenticator the API's; empty disables {@code /status/data}
     * @param readiness empty when ready, else why not
     */
    public OpsEndpoints(Optional<ServiceDirectory> directory, Optional<Authenticator> authenticator, Metrics metrics,
            Supplier<Optional<String>> readiness, Duration serviceDownTime, Clock clock) {
        this(directory, authenticator, metrics, readiness, serviceDownTime, clock, host -> Optional.empty());
    }

    /**
     * Creates the endpoints, showing on the status page why a backend's pushed states are lost.
     *
     * @param pushLost for a volume service host, why its push channel is not delivering (empty if
     *     it delivers, does not push, or is not served by this process)
     */
    public OpsEndpoints(Optional<ServiceDirectory> directory, Optional<Authenticator> authenticator, Metrics metrics,
            Supplier<Optional<String>> readiness, Duration serviceDownTime, Clock clock,
            Function<String, Optional<String>> pushLost) {
        this.pushLost = requireNonNull(pushLost, "pushLost is null");
        this.directory = requireNonNull(directory, "directory is null");
        this.authenticator = requireNonNull(authenticator, "authenticator is null");
        this.metrics = requireNonNull(metrics, "metrics is null");
        this.readiness = requireNonNull(readiness, "readiness is null");
        this.serviceDownTime = requireNonNull(serviceDownTime, "serviceDownTime is null");
        this.clock = requireNonNull(clock, "clock is null");
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
        Instant now = clock.instant();
        List<Object> services = new ArrayList<>();
        synchronized (seen) {
            for (ServiceRecord service : snapshot.services()) {
                boolean alive = Duration.between(service.updatedAt(), now).abs().compareTo(serviceDownTime) <= 0;
                String backend = service.backendState().map(s -> s.wireValue()).orElse(null);
                // One word for the row's colour: a dead service or a down backend is 'down'.
                String overall = !alive ? "down" : !service.isVolume() ? "up" : backend == null ? "unknown" : backend;
                String key = service.host() + " " + service.binary();
                Seen last = seen.get(key);
                if (last == null || !last.state().equals(overall)) {
                    last = new Seen(overall, last == null ? snapshot.takenAt() : now);
                    seen.put(key, last);
                }
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("host", service.host());
                row.put("binary", service.binary());
                row.put("zone", service.zone());
                row.put("status", service.disabled() ? "disabled" : "enabled");
                row.put("state", alive ? "up" : "down");
                row.put("backend_state", backend);
                row.put("overall", overall);
                row.put("reason", !alive ? "no heartbeat for more than " + serviceDownTime.toSeconds() + " s"
                        : "down".equals(backend) ? service.stateReason().orElse(null) : null);
                row.put("disabled_reason", service.disabledReason().orElse(null));
                row.put("push_lost", service.isVolume() ? pushLost.apply(service.host()).orElse(null) : null);
                row.put("updated_at", CinderTime.format(service.updatedAt()));
                row.put("changed_at", CinderTime.format(last.since()));
                List<Object> pools = new ArrayList<>();
                for (PoolRecord pool : snapshot.pools().getOrDefault(service.host(), List.of())) {
                    Map<String, Object> p = new LinkedHashMap<>();
                    p.put("name", pool.name());
                    p.put("total_capacity_gb", pool.capabilities().get("total_capacity_gb"));
                    p.put("free_capacity_gb", pool.capabilities().get("free_capacity_gb"));
                    pools.add(p);
                }
                row.put("pools", pools);
                services.add(row);
            }
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("generated_at", CinderTime.format(now));
        body.put("services", services);
        return new ApiResponse.Builder(200).header("Content-Type", "application/json")
                .header("Cache-Control", "no-store").body(PythonJson.write(body)).build();
    }

    private static ApiResponse text(int status, String body) {
        return new ApiResponse.Builder(status).header("Content-Type", "text/plain; charset=UTF-8")
                .body(body.getBytes(StandardCharsets.UTF_8)).build();
    }
}
