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
 *   <li>thin/thick from {@code SupportedProvisioningPolicies}, else {@code
 *       Capacity.IsThinProvisioned}, else thick;
 *   <li>bytes become GiB exactly (2^30).
 * </ul>
 */
final class PoolMapping {
    /** How far (percentage points) the array's own percentage may stray from its byte counts. */
    static final double PERCENT_TOLERANCE = 2.0;

    /** What was found, with any warnings about inconsistent data. */
    record Result(PoolStats pool, List<String> warnings) {}

    private PoolMapping() {}

    static Result map(JsonNode pool, OptionalLong totalVolumes, String storageId) {
        String path = Json.text(pool, "@odata.id", "StoragePool");
        String id = Json.optionalText(pool, "Id", "StoragePool " + path).orElse(Json.lastSegment(path));
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
            thick = contains(policies, "Thick");
            if (!thin && !thick) {
                thick = true;
            }
        } else {
            JsonNode isThin = Json.at(pool, "Capacity.IsThinProvisioned");
            thin = isThin != null && isThin.asBoolean(false);
            thick = !thin;
        }

        PoolStats.Builder builder = PoolStats.builder(id)
                .totalCapacity(total)
                .freeCapacity(free)
                .thinProvisioningSupport(thin)
                .thickProvisioningSupport(thick)
                .locationInfo("swordfish:" + storageId + ":" + id);
        if (allocated.isPresent() && provisioned.isPresent() && provisioned.getAsLong() >= 0) {
            builder.provisionedCapacityGib(Capacity.ofBytes(provisioned.getAsLong()).gib());
        }
        totalVolumes.ifPresent(builder::totalVolumes);
        return new Result(builder.build(), warnings);
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
