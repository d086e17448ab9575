package io.cinderblock.driver.iscsi;

import com.fasterxml.jackson.databind.JsonNode;
import io.cinderblock.sdk.error.CinderblockException;
import io.cinderblock.sdk.error.DeviceUnavailableException;
import io.cinderblock.sdk.spi.PoolStats;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Reads StoragePools into Cinder pools. The pool resource itself is required; what it merely links
 * ({@code AllocatedVolumes} and the volumes in it) is optional: when such a lookup fails, the value
 * it feeds ({@code total_volumes}, {@code provisioned_capacity_gb}) is dropped with a WARNING saying
 * why, instead of failing the whole stats call. An unreachable array still fails it.
 */
final class Pools {
    private final RedfishClient client;
    private final System.Logger logger;
    private final String backendName;

    Pools(RedfishClient client, System.Logger logger, String backendName) {
        this.client = client;
        this.logger = logger;
        this.backendName = backendName;
    }

    /** The pool's full stats: capacity, volume count and provisioned capacity. */
    PoolStats stats(String id, String path, String storageId) {
        JsonNode pool = get(path);
        VolumeTotals totals = volumeTotals(pool, id, path);
        return map(PoolMapping.map(pool, path, id, totals.count(), totals.provisionedBytes(), storageId));
    }

    /** Only what placement needs (capacity, provisioning, health): no volume lookups. */
    PoolStats capacity(String id, String path, String storageId) {
        return PoolMapping.map(get(path), path, id, OptionalLong.empty(), OptionalLong.empty(), storageId).pool();
    }

    private PoolStats map(PoolMapping.Result result) {
        result.warnings().forEach(this::warn);
        return result.pool();
    }

    private record VolumeTotals(OptionalLong count, OptionalLong provisionedBytes) {}

    /**
     * Volume count and the sum of volume sizes ({@code CapacityBytes}, else {@code
     * Capacity.Data.AllocatedBytes}) from the pool's {@code AllocatedVolumes}.
     */
    private VolumeTotals volumeTotals(JsonNode pool, String id, String path) {
        String resource = "StoragePool " + path;
        Optional<String> link;
        try {
            link = Json.optionalLink(pool, "AllocatedVolumes", resource);
        } catch (SwordfishProtocolException e) {
            warn("pool '" + id + "': " + e.getMessage() + "; total_volumes and provisioned_capacity_gb not reported");
            return new VolumeTotals(OptionalLong.empty(), OptionalLong.empty());
        }
        if (link.isEmpty()) {
            return new VolumeTotals(OptionalLong.empty(), OptionalLong.empty());
        }
        List<String> members;
        OptionalLong count;
        try {
            JsonNode volumes = get(link.get());
            members = Json.members(volumes, "Volume collection " + link.get());
            OptionalLong reported = Json.optionalLong(volumes, "Members@odata.count", "Volume collection " + link.get());
            count = reported.isPresent() ? reported : OptionalLong.of(members.size());
        } catch (DeviceUnavailableException e) {
            throw e;
        } catch (CinderblockException e) {
            warn("pool '" + id + "': its AllocatedVolumes " + link.get() + " could not be read (" + e.getMessage()
                    + "); total_volumes and provisioned_capacity_gb not reported");
            return new VolumeTotals(OptionalLong.empty(), OptionalLong.empty());
        }
        long sum = 0;
        for (String member : members) {
            try {
                JsonNode volume = get(member);
                String volumeResource = "Volume " + member;
                OptionalLong size = Json.optionalLong(volume, "CapacityBytes", volumeResource);
                if (size.isEmpty()) {
                    size = Json.optionalLong(volume, "Capacity.Data.AllocatedBytes", volumeResource);
                }
                if (size.isEmpty()) {
                    warn("pool '" + id + "': volume " + member + " reports neither CapacityBytes nor "
                            + "Capacity.Data.AllocatedBytes; provisioned_capacity_gb not reported");
                    return new VolumeTotals(count, OptionalLong.empty());
                }
                sum += size.getAsLong();
            } catch (DeviceUnavailableException e) {
                throw e;
            } catch (CinderblockException e) {
                warn("pool '" + id + "': volume " + member + " could not be read (" + e.getMessage()
                        + "); provisioned_capacity_gb not reported");
                return new VolumeTotals(count, OptionalLong.empty());
            }
        }
        return new VolumeTotals(count, OptionalLong.of(sum));
    }

    private void warn(String message) {
        logger.log(System.Logger.Level.WARNING, "Backend '" + backendName + "': " + message);
    }

    private JsonNode get(String path) {
        return client.get(path, client.newDeadline());
    }
}
