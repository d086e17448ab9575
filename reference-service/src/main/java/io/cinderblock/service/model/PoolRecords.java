package io.cinderblock.service.model;

import io.cinderblock.sdk.spi.BackendState;
import io.cinderblock.sdk.spi.BackendStats;
import io.cinderblock.sdk.spi.PoolStats;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a backend's stats into {@code get_pools} entries. Shared by the agent (from the stats it
 * just collected) and API-only nodes (from the stats an agent stored), so both answer alike.
 */
public final class PoolRecords {
    private PoolRecords() {}

    /**
     * The pools of one backend, with Cinder's key order: the pool's own keys, then backend-level ones.
     *
     * @param host the volume service host ({@code host@backend})
     * @param volumeBackendName the backend's {@code volume_backend_name}
     * @param state the backend's state (the backend's, not a pool's: a multi-pool backend has one answer)
     */
    public static List<PoolRecord> of(String host, String volumeBackendName, BackendState.Status state,
            BackendStats stats) {
        List<PoolRecord> result = new ArrayList<>();
        Map<String, Object> extras = stats.extraCapabilities();
        for (PoolStats pool : stats.pools()) {
            Map<String, Object> caps = new LinkedHashMap<>(pool.toCinderMap());
            caps.put("backend_state", state.wireValue());
            caps.put("volume_backend_name", volumeBackendName);
            caps.put("storage_protocol", stats.storageProtocol());
            caps.put("vendor_name", stats.vendorName());
            caps.put("driver_version", stats.driverVersion());
            extras.forEach(caps::putIfAbsent);
            caps.put("timestamp", CinderTime.format(stats.collectedAt()));
            caps.putIfAbsent("filter_function", null);
            caps.putIfAbsent("goodness_function", null);
            result.add(new PoolRecord(host, host + "#" + pool.poolName(), caps));
        }
        return result;
    }
}
