package io.cinderblock.service.api;

import io.cinderblock.service.auth.Policy;
import static java.util.Objects.requireNonNull;

import io.cinderblock.service.model.CinderTime;
import io.cinderblock.service.model.Intervals;
import io.cinderblock.service.model.PoolRecord;
import io.cinderblock.service.model.ServiceDirectory;
import io.cinderblock.service.model.ServiceRecord;
import io.cinderblock.service.model.ServiceSnapshot;
import io.cinderblock.service.model.StatsFreshness;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Cinder's {@code scheduler-stats/get_pools} controller over the {@link ServiceDirectory}'s snapshot.
 *
 * <p>With {@code detail}, each pool's capabilities end with two cinderblock extension keys (a
 * driver's stats dictionary is free-form, so Cinder's clients show or ignore keys they do not
 * know): {@code cinderblock_stats_updated_at} (when the backend's stats were last collected, naive
 * UTC like Cinder's {@code timestamp}) and {@code cinderblock_stats_stale} (see {@link
 * StatsFreshness}). They are left out for a pool whose collection time is unknown.
 */
final class PoolsController {
    private static final Set<String> TRUE_STRINGS = Set.of("1", "t", "true", "on", "y", "yes");
    private static final Set<String> FALSE_STRINGS = Set.of("0", "f", "false", "off", "n", "no");
    private static final Microversion POOL_FILTER = new Microversion(3, 28);

    private final ServiceDirectory directory;
    private final Intervals intervals;
    private final Clock clock;

    PoolsController(ServiceDirectory directory, Intervals intervals, Clock clock) {
        this.directory = requireNonNull(directory, "directory is null");
        this.intervals = requireNonNull(intervals, "intervals is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    Map<String, Object> pools(ApiRequest request, RequestContext context, Microversion version) {
        if (!context.allowed(Policy.GET_POOLS)) {
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
        Instant now = clock.instant();
        List<Object> pools = new ArrayList<>();
        for (ServiceRecord service : snapshot.services()) {
            if (service.disabled()) {
                // Cinder's scheduler leaves the pools of disabled services out.
                continue;
            }
            StatsFreshness freshness = detail && service.statsUpdatedAt().isPresent()
                    ? StatsFreshness.of(service, Optional.ofNullable(snapshot.agents().get(service.agentHost())),
                            intervals.statsInterval(), intervals.reportInterval(), intervals.serviceDownTime(), now)
                    : null;
            for (PoolRecord pool : snapshot.pools().getOrDefault(service.host(), List.of())) {
                if (name.isPresent() && !name.get().equals(pool.name())) {
                    continue;
                }
                Map<String, Object> view = new LinkedHashMap<>();
                view.put("name", pool.name());
                if (detail && freshness != null) {
                    Map<String, Object> capabilities = new LinkedHashMap<>(pool.capabilities());
                    capabilities.put("cinderblock_stats_updated_at", CinderTime.format(freshness.updatedAt().get()));
                    capabilities.put("cinderblock_stats_stale", freshness.stale());
                    view.put("capabilities", capabilities);
                } else if (detail) {
                    view.put("capabilities", pool.capabilities());
                }
                pools.add(view);
            }
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("pools", pools);
        return result;
    }
}
