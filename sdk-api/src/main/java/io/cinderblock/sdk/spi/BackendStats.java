package io.cinderblock.sdk.spi;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.ApiStatus;
import io.cinderblock.sdk.internal.CinderValues;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A backend's volume stats, Cinder's {@code get_volume_stats} vocabulary: the backend-level keys
 * and at least one pool. Returned by {@link VolumeDriver#collectStats()}.
 *
 * <p>Build with {@link #builder()}; convert with {@link #toCinderMap()} and {@link
 * #fromCinderMap(Map, Instant)}. Prefer the builder to the constructor, whose parameter list grows
 * if a component is added.
 *
 * @param backendName {@code volume_backend_name}
 * @param vendorName {@code vendor_name}
 * @param driverVersion {@code driver_version}
 * @param storageProtocol {@code storage_protocol}, e.g. {@code iSCSI}
 * @param pools the pools; at least one, names unique
 * @param backendState {@code backend_state}; {@code up} unless set, as Cinder's spec says for stats without the key
 * @param extraCapabilities further backend-level keys ({@code filter_function}, {@code
 *     goodness_function}, vendor keys); scalar values only
 * @param collectedAt when the stats were read from the device
 * @since 0.1
 */
@ApiStatus(value = ApiStatus.Status.STABLE, since = "0.1")
public record BackendStats(
        String backendName,
        String vendorName,
        String driverVersion,
        String storageProtocol,
        List<PoolStats> pools,
        BackendState.Status backendState,
        Map<String, Object> extraCapabilities,
        Instant collectedAt) {

    /**
     * The backend-level Cinder keys this record models; {@link #extraCapabilities()} may not use
     * them.
     *
     * @since 0.1
     */
    public static final Set<String> MODELLED_KEYS = Set.of("volume_backend_name", "vendor_name", "driver_version",
            "storage_protocol", "total_capacity_gb", "free_capacity_gb", "pools", "backend_state");

    /**
     * Checks the components. Prefer {@link #builder()}.
     *
     * @param backendName not blank
     * @param vendorName not blank
     * @param driverVersion not blank
     * @param storageProtocol not blank
     * @param pools at least one, names unique; copied
     * @param backendState not null
     * @param extraCapabilities scalar values, no modelled key; copied
     * @param collectedAt not null
     * @throws InvalidStatsException naming the broken rule and key
     * @since 0.1
     */
    public BackendStats {
        requireNonBlank(backendName, "volume_backend_name");
        requireNonBlank(vendorName, "vendor_name");
        requireNonBlank(driverVersion, "driver_version");
        requireNonBlank(storageProtocol, "storage_protocol");
        pools = List.copyOf(requireNonNull(pools, "pools is null"));
        requireNonNull(backendState, "backendState is null");
        extraCapabilities = CinderValues.copyExtras(extraCapabilities, MODELLED_KEYS, "backend '" + backendName + "'");
        requireNonNull(collectedAt, "collectedAt is null");
        if (pools.isEmpty()) {
            throw new InvalidStatsException(InvalidStatsException.Rule.POOLS, "pools",
                    "Backend '" + backendName + "' reports no pool");
        }
        Set<String> names = new HashSet<>();
        for (PoolStats pool : pools) {
            if (!names.add(pool.poolName())) {
                throw new InvalidStatsException(InvalidStatsException.Rule.POOLS, "pools", "Backend '" + backendName + "' reports pool '" + pool.poolName()
                        + "' twice");
            }
        }
    }

    private static void requireNonBlank(String value, String key) {
        requireNonNull(value, key + " is null");
        if (value.isBlank()) {
            throw new InvalidStatsException(InvalidStatsException.Rule.REQUIRED, key, key + " is blank");
        }
    }

    /**
     * {@return the sum of the pools' total capacities} Unknown if any pool's is unknown.
     *
     * @since 0.1
     */
    public Capacity totalCapacity() {
        return pools.stream().map(PoolStats::totalCapacity).reduce(Capacity.ofGib(0), Capacity::plus);
    }

    /**
     * {@return the sum of the pools' free capacities} Unknown if any pool's is unknown.
     *
     * @since 0.1
     */
    public Capacity freeCapacity() {
        return pools.stream().map(PoolStats::freeCapacity).reduce(Capacity.ofGib(0), Capacity::plus);
    }

    /**
     * The same stats with another {@code backend_state}; what hosts use to mark stale stats down.
     *
     * @param state the new state; not null
     * @return new stats; these are unchanged
     * @since 0.1
     */
    public BackendStats withBackendState(BackendState.Status state) {
        return toBuilder().backendState(state).build();
    }

    /**
     * These stats as Cinder's stats dictionary: backend keys, the summed {@code total_capacity_gb}
     * and {@code free_capacity_gb}, {@code backend_state}, extra keys, then {@code pools}.
     *
     * @return a new, modifiable map in that order
     * @since 0.1
     */
    public Map<String, Object> toCinderMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("volume_backend_name", backendName);
        map.put("vendor_name", vendorName);
        map.put("driver_version", driverVersion);
        map.put("storage_protocol", storageProtocol);
        map.put("total_capacity_gb", totalCapacity().toCinderValue());
        map.put("free_capacity_gb", freeCapacity().toCinderValue());
        map.put("backend_state", backendState.wireValue());
        map.putAll(extraCapabilities);
        List<Map<String, Object>> poolMaps = new ArrayList<>();
        pools.forEach(pool -> poolMaps.add(pool.toCinderMap()));
        map.put("pools", poolMaps);
        return map;
    }

    /**
     * Reads a Cinder stats dictionary. Without {@code pools}, the backend-level capacity keys form
     * one pool named after the backend (what Cinder's scheduler does). Without {@code backend_state}
     * the state is {@code up}.
     *
     * @param map the dictionary, e.g. parsed from JSON; not null
     * @param collectedAt when the dictionary was produced
     * @return the stats
     * @throws InvalidStatsException naming the key that is missing or malformed
     * @since 0.1
     */
    public static BackendStats fromCinderMap(Map<String, ?> map, Instant collectedAt) {
        requireNonNull(map, "map is null");
        Builder builder = builder()
                .backendName(CinderValues.requiredString(map, "volume_backend_name"))
                .vendorName(CinderValues.requiredString(map, "vendor_name"))
                .driverVersion(CinderValues.requiredString(map, "driver_version"))
                .storageProtocol(CinderValues.requiredString(map, "storage_protocol"))
                .collectedAt(collectedAt);
        Object state = map.get("backend_state");
        if (state != null) {
            builder.backendState(BackendState.Status.fromWireValue(state.toString()).orElseThrow(
                    () -> new InvalidStatsException(InvalidStatsException.Rule.FORMAT, "backend_state", "Key 'backend_state' must be 'up' or 'down', got '" + state + "'")));
        }
        Object pools = map.get("pools");
        if (pools == null) {
            Map<String, Object> single = new LinkedHashMap<>();
            map.forEach((key, value) -> {
                if (!MODELLED_KEYS.contains(key) || key.endsWith("_capacity_gb")) {
                    single.put(key, value);
                }
            });
            single.put("pool_name", map.get("volume_backend_name"));
            builder.pool(PoolStats.fromCinderMap(single));
        } else {
            if (!(pools instanceof List)) {
                throw new InvalidStatsException(InvalidStatsException.Rule.FORMAT, "pools", "Key 'pools' must be a list, got '" + pools + "'");
            }
            for (Object pool : (List<?>) pools) {
                if (!(pool instanceof Map)) {
                    throw new InvalidStatsException(InvalidStatsException.Rule.FORMAT, "pools", "Each of 'pools' must be a dictionary, got '" + pool + "'");
                }
                @SuppressWarnings("unchecked")
                Map<String, ?> poolMap = (Map<String, ?>) pool;
                builder.pool(PoolStats.fromCinderMap(poolMap));
            }
            map.forEach((key, value) -> {
                if (!MODELLED_KEYS.contains(key)) {
                    builder.extraCapability(key, value);
                }
            });
        }
        return builder.build();
    }

    /**
     * {@return a builder that starts from these stats' values, pools included}
     *
     * @since 0.1
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.backendName = backendName;
        b.vendorName = vendorName;
        b.driverVersion = driverVersion;
        b.storageProtocol = storageProtocol;
        b.pools.addAll(pools);
        b.backendState = backendState;
        b.extra.putAll(extraCapabilities);
        b.collectedAt = collectedAt;
        return b;
    }

    /**
     * Starts empty stats: state {@code up}, collected now (by the system clock: drivers set {@link
     * Builder#collectedAt(Instant)} from their context's clock). Called by drivers in {@link
     * VolumeDriver#collectStats()}.
     *
     * @return a new builder
     * @since 0.1
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Builds {@link BackendStats}. Not thread-safe; the values are checked by {@link #build()}.
     *
     * @since 0.1
     */
    public static final class Builder {
        private String backendName;
        private String vendorName;
        private String driverVersion;
        private String storageProtocol;
        private final List<PoolStats> pools = new ArrayList<>();
        private BackendState.Status backendState = BackendState.Status.UP;
        private final Map<String, Object> extra = new LinkedHashMap<>();
        private Instant collectedAt = Instant.now();

        private Builder() {}

        /**
         * Fills vendor, version and protocol from the driver's descriptor.
         *
         * @param descriptor the driver's descriptor; not null
         * @return this builder
         * @since 0.1
         */
        public Builder describedBy(DriverDescriptor descriptor) {
            return vendorName(descriptor.vendorName())
                    .driverVersion(descriptor.driverVersion())
                    .storageProtocol(descriptor.storageProtocol());
        }

        /**
         * Sets {@code volume_backend_name}: the configured {@link DriverConfig#backendName()}. Required.
         *
         * @param value not blank
         * @return this builder
         * @since 0.1
         */
        public Builder backendName(String value) {
            this.backendName = value;
            return this;
        }

        /**
         * Sets {@code vendor_name}. Required.
         *
         * @param value not blank
         * @return this builder
         * @since 0.1
         */
        public Builder vendorName(String value) {
            this.vendorName = value;
            return this;
        }

        /**
         * Sets {@code driver_version}. Required.
         *
         * @param value not blank
         * @return this builder
         * @since 0.1
         */
        public Builder driverVersion(String value) {
            this.driverVersion = value;
            return this;
        }

        /**
         * Sets {@code storage_protocol} as text, for a protocol {@link StorageProtocol} lacks. Required.
         *
         * @param value not blank
         * @return this builder
         * @since 0.1
         */
        public Builder storageProtocol(String value) {
            this.storageProtocol = value;
            return this;
        }

        /**
         * Sets {@code storage_protocol}. Required.
         *
         * @param value not null
         * @return this builder
         * @since 0.1
         */
        public Builder storageProtocol(StorageProtocol value) {
            this.storageProtocol = value.wireValue();
            return this;
        }

        /**
         * Adds a pool. At least one is required; names must be unique.
         *
         * @param pool not null
         * @return this builder
         * @since 0.1
         */
        public Builder pool(PoolStats pool) {
            pools.add(requireNonNull(pool, "pool is null"));
            return this;
        }

        /**
         * Replaces the pools added so far.
         *
         * @param values the pools; not null, none null
         * @return this builder
         * @since 0.1
         */
        public Builder pools(List<PoolStats> values) {
            pools.clear();
            requireNonNull(values, "values is null").forEach(this::pool);
            return this;
        }

        /**
         * Sets {@code backend_state}; {@code up} unless set. Set {@code down} when the device answered but is unhealthy.
         *
         * @param value not null
         * @return this builder
         * @since 0.1
         */
        public Builder backendState(BackendState.Status value) {
            this.backendState = value;
            return this;
        }

        /**
         * Adds a backend-level key ({@code filter_function}, {@code goodness_function}, vendor
         * keys), replacing an earlier value of the same key.
         *
         * @param key not one of {@link #MODELLED_KEYS}
         * @param value a string, number, boolean or {@code null}
         * @return this builder
         * @since 0.1
         */
        public Builder extraCapability(String key, Object value) {
            extra.put(key, value);
            return this;
        }

        /**
         * Sets when the stats were read; now unless set. Take it from the context's clock.
         *
         * @param value not null
         * @return this builder
         * @since 0.1
         */
        public Builder collectedAt(Instant value) {
            this.collectedAt = value;
            return this;
        }

        /**
         * Builds and checks the stats.
         *
         * @return the stats
         * @throws InvalidStatsException naming the broken rule and key
         * @throws NullPointerException if a required value was not set, naming it
         * @since 0.1
         */
        public BackendStats build() {
            return new BackendStats(backendName, vendorName, driverVersion, storageProtocol, pools, backendState, extra,
                    collectedAt);
        }
    }
}
