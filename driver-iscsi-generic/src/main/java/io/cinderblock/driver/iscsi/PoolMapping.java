package io.cinderblock.driver.iscsi;

import com.fasterxml.jackson.databind.JsonNode;
import io.cinderblock.sdk.spi.Capacity;
import io.cinderblock.sdk.spi.PoolStats;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Turns one Swordfish {@code StoragePool} into one Cinder pool. The mapping is documented in the
 * module README; in short:
 *
 * <ul>
 *   <li>total = {@code Capacity.Data.AllocatedBytes}, or {@code ProvisionedBytes} when the array
 *       fills in only that; neither: {@code unknown};
 *   <li>free = total - {@code Capacity.Data.ConsumedBytes}; if the array also reports {@code
 *       RemainingCapacityPercent} and it disagrees with the bytes by more than {@link
 *       #PERCENT_TOLERANCE} points, the array contradicts itself and free is {@code unknown};
 *       without {@code ConsumedBytes}, free comes from the percentage;
 *   <li>thin/thick from {@code SupportedProvisioningPolicies} ({@code Thin}; {@code Fixed}, the
 *       Swordfish value, or {@code Thick}, which some arrays send), else {@code
 *       Capacity.IsThinProvisioned}, else thick;
 *   <li>provisioned = the sum of the pool's volume sizes, computed by the caller ({@code
 *       ProvisionedBytes} is the most the pool can allocate, not what its volumes were given);
 *   <li>a pool whose {@code Status} says it cannot serve (State not Enabled, Health Critical)
 *       reports no free capacity, so no scheduler picks it;
 *   <li>bytes become GiB exactly (2^30).
 * </ul>
 */
final class PoolMapping {
    /** How far (percentage points) the array's own percentage may stray from its byte counts. */
    static final double PERCENT_TOLERANCE = 2.0;

    /** What was found, with any warnings about inconsistent data. */
    record Result(PoolStats pool, List<String> warnings) {}

    private PoolMapping() {}

    /**
     * Maps one pool.
     *
     * @param pool the StoragePool resource
     * @param path its {@code @odata.id} as listed in the pools collection
     * @param id the pool's name everywhere: the last segment of {@code path}
     * @param totalVolumes the number of volumes in it, if known
     * @param provisionedBytes the sum of its volumes' sizes, if known
     * @param storageId the storage's id, for {@code location_info}
     */
    static Result map(JsonNode pool, String path, String id, OptionalLong totalVolumes, OptionalLong provisionedBytes,
            String storageId) {
        String resource = "StoragePool " + path;
        List<String> warnings = new ArrayList<>();

        OptionalLong allocated = Json.optionalLong(pool, "Capacity.Data.AllocatedBytes", resource);
        OptionalLong provisioned = Json.optionalLong(pool, "Capacity.Data.ProvisionedBytes", resource);
        OptionalLong consumed = Json.optionalLong(pool, "Capacity.Data.ConsumedBytes", resource);
        Optional<Double> remainingPercent = Json.optionalNumber(pool, "RemainingCapacityPercent", resource);
        OptionalLong totalBytes = allocated.isPresent() ? allocated : provisioned;

        Capacity total = Capacity.UNKNOWN;
        Capacity free = Capacity.UNKNOWN;
        if (totalBytes.isPresent() && totalBytes.getAsLong() >= 0) {
            long totalValue = totalBytes.getAsLong();
            total = Capacity.ofBytes(totalValue);
            if (consumed.isPresent()) {
                long used = consumed.getAsLong();
                if (used < 0 || used > totalValue) {
                    warnings.add("pool '" + id + "' reports ConsumedBytes " + used + " outside 0.." + totalValue
                            + "; free capacity unknown");
                } else if (remainingPercent.isPresent() && totalValue > 0
                        && Math.abs(100.0 * (totalValue - used) / totalValue - remainingPercent.get()) > PERCENT_TOLERANCE) {
                    warnings.add(String.format(Locale.ROOT, "pool '%s' reports RemainingCapacityPercent %.1f but its "
                            + "bytes say %.1f; free capacity unknown", id, remainingPercent.get(),
                            100.0 * (totalValue - used) / totalValue));
                } else {
                    free = Capacity.ofBytes(totalValue - used);
                }
            } else if (remainingPercent.isPresent() && remainingPercent.get() >= 0 && remainingPercent.get() <= 100) {
                free = Capacity.ofBytes((long) Math.floor(totalValue * remainingPercent.get() / 100.0));
            }
        } else if (totalBytes.isPresent()) {
            warnings.add("pool '" + id + "' reports a negative capacity; capacity unknown");
        }

        boolean thin;
        boolean thick;
        JsonNode policies = Json.at(pool, "SupportedProvisioningPolicies");
        if (policies != null && policies.isArray() && policies.size() > 0) {
            thin = contains(policies, "Thin");
            thick = contains(policies, "Fixed") || contains(policies, "Thick");
            if (!thin && !thick) {
                thick = true;
            }
        } else {
            JsonNode isThin = Json.at(pool, "Capacity.IsThinProvisioned");
            thin = isThin != null && isThin.asBoolean(false);
            thick = !thin;
        }

        Optional<String> unusable = unusable(pool, path);
        if (unusable.isPresent()) {
            free = Capacity.ofBytes(0);
            warnings.add("pool '" + id + "' " + unusable.get() + "; reported with no free capacity");
        }
        PoolStats.Builder builder = PoolStats.builder(id)
                .totalCapacity(total)
                .freeCapacity(free)
                .thinProvisioningSupport(thin)
                .thickProvisioningSupport(thick)
                .locationInfo("swordfish:" + storageId + ":" + id);
        if (provisionedBytes.isPresent() && provisionedBytes.getAsLong() >= 0) {
            builder.provisionedCapacityGib(Capacity.ofBytes(provisionedBytes.getAsLong()).gib());
        }
        unusable.ifPresent(reason -> builder.extraCapability("swordfish_pool_status", reason));
        totalVolumes.ifPresent(builder::totalVolumes);
        return new Result(builder.build(), warnings);
    }

    /**
     * Why the pool must not take new volumes, from its {@code Status}: a {@code State} other than
     * Enabled, or a {@code Health} (else {@code HealthRollup}) of Critical. Absent Status: usable.
     */
    static Optional<String> unusable(JsonNode pool, String path) {
        String resource = "StoragePool " + path;
        Optional<String> state = Json.optionalText(pool, "Status.State", resource);
        if (state.isPresent() && !state.get().equals("Enabled")) {
            return Optional.of("is in State '" + state.get() + "', not Enabled");
        }
        Optional<String> health = Json.optionalText(pool, "Status.Health", resource)
                .or(() -> Json.optionalText(pool, "Status.HealthRollup", resource));
        if (health.isPresent() && health.get().equals("Critical")) {
            return Optional.of("reports Health 'Critical'");
        }
        return Optional.empty();
    }

    private static boolean contains(JsonNode array, String value) {
        for (JsonNode item : array) {
            if (item.isTextual() && item.asText().equalsIgnoreCase(value)) {
                return true;
            }
        }
        return false;
    }
}
