package io.cinderblock.service.api;

import io.cinderblock.service.auth.Policy;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cinderblock.service.model.CinderTime;
import io.cinderblock.service.model.ServiceDirectory;
import io.cinderblock.service.model.ServiceNotFoundException;
import io.cinderblock.service.model.ServiceRecord;
import io.cinderblock.service.model.ServiceSnapshot;
import io.cinderblock.service.store.StoreException;
import io.cinderblock.service.store.StoreUnavailableException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cinder's {@code os-services} controller: the list (with its rendered-list cache) and the
 * enable/disable actions, over the {@link ServiceDirectory}. Thread-safe.
 */
final class ServicesController {
    private static final Logger LOG = LoggerFactory.getLogger(ServicesController.class);
    private static final Microversion REPLICATION_CLUSTER = new Microversion(3, 26);
    private static final Microversion LOG_LEVEL = new Microversion(3, 32);

    private final ServiceDirectory directory;
    private final Duration serviceDownTime;
    private final Clock clock;
    private final ObjectMapper json;
    private final AtomicReferenceArray<RenderedList> listCache = new AtomicReferenceArray<>(3);

    ServicesController(ServiceDirectory directory, Duration serviceDownTime, Clock clock, ObjectMapper json) {
        this.directory = requireNonNull(directory, "directory is null");
        this.serviceDownTime = requireNonNull(serviceDownTime, "serviceDownTime is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.json = requireNonNull(json, "json is null");
    }


    /**
     * The list body. An unfiltered list is rendered once per snapshot and microversion class and
     * reused until the snapshot changes or a row's {@code state} would flip with time: with 1,000
     * backends that turns a 300 kB serialisation per request into a copy.
     */
    byte[] listServices(ApiRequest request, RequestContext context, Microversion version) {
        if (!context.allowed(Policy.SERVICES_INDEX)) {
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
        RenderedList cached = current(listCache.get(versionClass), snapshot, versionClass, now);
        if (cached != null) {
            return cached.body;
        }
        return render(snapshot, version, versionClass, now);
    }

    /**
     * The cached list if it still answers for {@code snapshot} at {@code now}, else null. A snapshot
     * is immutable, so the same object is the fast path; a new snapshot whose service rows are equal
     * (only pools changed: a stats round) keeps the rendered body, re-keyed to the new snapshot, instead
     * of rendering 300 kB again for every snapshot a stats round publishes.
     */
    private RenderedList current(RenderedList cached, ServiceSnapshot snapshot, int versionClass, Instant now) {
        if (cached == null || !now.isBefore(cached.validUntil) || now.isBefore(cached.renderedAt)) {
            return null;
        }
        if (cached.snapshot == snapshot) {
            return cached;
        }
        if (!cached.snapshot.services().equals(snapshot.services())) {
            return null;
        }
        RenderedList rekeyed = new RenderedList(snapshot, cached.renderedAt, cached.validUntil, cached.body);
        listCache.compareAndSet(versionClass, cached, rekeyed);
        return rekeyed;
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
            if (cached != null && current(cached, snapshot, versionClass, now) == null) {
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
            first = earlierFlip(first, service.updatedAt().plus(serviceDownTime).plusNanos(1), now);
            first = earlierFlip(first, service.updatedAt().minus(serviceDownTime), now);
        }
        return first;
    }

    private static Instant earlierFlip(Instant first, Instant flip, Instant now) {
        return flip.isAfter(now) && flip.isBefore(first) ? flip : first;
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

    Map<String, Object> updateService(RequestContext context, Microversion version, String action,
            Optional<JsonNode> body) {
        if (!context.allowed(Policy.SERVICES_UPDATE)) {
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
        } catch (StoreUnavailableException e) {
            // The database logged it loudly with the file name; the client learns nothing was changed.
            throw new ApiException(503, "The change was not made: " + e.publicReason() + ".");
        } catch (StoreException e) {
            LOG.error("Cannot store a status change of {} on {}", binaryKey, host.get(), e);
            throw new ApiException(503, "The change was not made: the service's database failed (see the service"
                    + " log); try again.");
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
}
