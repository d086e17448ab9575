package io.cinderblock.service.model;

import io.cinderblock.sdk.spi.BackendState;
import io.cinderblock.sdk.spi.BackendStats;
import io.cinderblock.sdk.spi.PoolStats;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns a backend's stats into {@code get_pools} entries. Shared by the agent (from the stats it
 * just collected) and API-only nodes (from the stats an agent stored), so both answer alike.
 */
public final class PoolRecords {
    private PoolRecords() {}

    /**
     * Remembers each backend's pool records and rebuilds them only when their inputs changed (another
     * stats object, state or backend name). A snapshot is published after every probe or stats
     * change; without this every publish rebuilt the pools of every backend, which at 1,000 backends
     * made a stats round's garbage grow with the square of the backend count.
     *
     * <p>Thread-safe. Entries of backends no longer offered are dropped by {@link #retainOnly}.
     */
    public static final class Cache {
        private final Map<String, Entry> entries = new ConcurrentHashMap<>();

        private record Entry(BackendStats stats, BackendState.Status state, String volumeBackendName,
                List<PoolRecord> records) {}

        /** Creates an empty cache. */
        public Cache() {}

        /**
         * The same as {@link PoolRecords#of}, reusing the last answer for this host while the stats
         * object (compared by identity: stats are immutable and replaced whole), the state and the
         * backend name are the same.
         *
         * @param host the volume service host ({@code host@backend})
         * @param volumeBackendName the backend's {@code volume_backend_name}
         * @param state the backend's state
         * @param stats the backend's current stats
         * @return the pools, an unmodifiable list
         */
        public List<PoolRecord> of(String host, String volumeBackendName, BackendState.Status state,
                BackendStats stats) {
            Entry entry = entries.get(host);
            if (entry != null && entry.stats == stats && entry.state == state
                    && entry.volumeBackendName.equals(volumeBackendName)) {
                return entry.records;
            }
            List<PoolRecord> records = List.copyOf(PoolRecords.of(host, volumeBackendName, state, stats));
            entries.put(host, new Entry(stats, state, volumeBackendName, records));
            return records;
        }

        /** Drops the entries of hosts not in {@code hosts}. */
        public void retainOnly(Collection<String> hosts) {
            entries.keySet().retainAll(hosts);
        }
    }

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
