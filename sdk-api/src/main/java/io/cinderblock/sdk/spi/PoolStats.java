package io.cinderblock.sdk.spi;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.ApiStatus;
import io.cinderblock.sdk.internal.CinderValues;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;

/**
 * One pool of a backend, in Cinder's vocabulary. Cinder schedules volumes to pools
 * ({@code host@backend#pool}); a backend without pools of its own reports one pool.
 *
 * <p>Build with {@link #builder(String)}, not with the constructor, whose parameter list grows
 * when Cinder adds a key. The constructor enforces the invariants Cinder's
 * scheduler relies on: free never exceeds total, {@code reserved_percentage} is 0-100, {@code
 * max_over_subscription_ratio} is at least 1, and the pool supports thin or thick provisioning.
 *
 * @param poolName unique within the backend
 * @param totalCapacity {@code total_capacity_gb}
 * @param freeCapacity {@code free_capacity_gb}
 * @param reservedPercentage {@code reserved_percentage}, 0-100
 * @param provisionedCapacityGib {@code provisioned_capacity_gb}: the sum of the sizes of the volumes in the pool
 * @param allocatedCapacityGib {@code allocated_capacity_gb}: what Cinder allocated in the pool
 * @param maxOverSubscriptionRatio {@code max_over_subscription_ratio}, at least 1
 * @param thinProvisioningSupport {@code thin_provisioning_support}
 * @param thickProvisioningSupport {@code thick_provisioning_support}
 * @param totalVolumes {@code total_volumes}
 * @param multiattach {@code multiattach}
 * @param qosSupport {@code QoS_support}
 * @param locationInfo {@code location_info}
 * @param extraCapabilities further keys reported as they are (vendor capabilities); values are
 *     strings, numbers, booleans or {@code null}; they may not shadow the keys above
 * @since 0.1
 */
@ApiStatus(value = ApiStatus.Status.STABLE, since = "0.1")
public record PoolStats(
        String poolName,
        Capacity totalCapacity,
        Capacity freeCapacity,
        int reservedPercentage,
        OptionalDouble provisionedCapacityGib,
        OptionalDouble allocatedCapacityGib,
        OptionalDouble maxOverSubscriptionRatio,
        boolean thinProvisioningSupport,
        boolean thickProvisioningSupport,
        OptionalLong totalVolumes,
        boolean multiattach,
        boolean qosSupport,
        Optional<String> locationInfo,
        Map<String, Object> extraCapabilities) {

    /**
     * The Cinder keys this record models; {@link #extraCapabilities()} may not use them.
     *
     * @since 0.1
     */
    public static final Set<String> MODELLED_KEYS = Set.of("pool_name", "total_capacity_gb", "free_capacity_gb",
            "reserved_percentage", "provisioned_capacity_gb", "allocated_capacity_gb", "max_over_subscription_ratio",
            "thin_provisioning_support", "thick_provisioning_support", "total_volumes", "multiattach", "QoS_support",
            "location_info", "backend_state");

    /**
     * Checks the components. Prefer {@link #builder(String)}.
     *
     * @param poolName not blank, no {@code #} or {@code @}
     * @param totalCapacity not null
     * @param freeCapacity not null; at most {@code totalCapacity} when both are known
     * @param reservedPercentage 0-100
     * @param provisionedCapacityGib at least 0, or empty
     * @param allocatedCapacityGib at least 0, or empty
     * @param maxOverSubscriptionRatio at least 1, or empty
     * @param thinProvisioningSupport thin provisioning
     * @param thickProvisioningSupport thick provisioning; at least one of the two
     * @param totalVolumes at least 0, or empty
     * @param multiattach multiattach
     * @param qosSupport QoS support
     * @param locationInfo location info, or empty
     * @param extraCapabilities scalar values, no modelled key; copied
     * @throws InvalidStatsException naming the broken rule and key
     * @since 0.1
     */
    public PoolStats {
        requireNonNull(poolName, "poolName is null");
        requireNonNull(totalCapacity, "totalCapacity is null");
        requireNonNull(freeCapacity, "freeCapacity is null");
        requireNonNull(provisionedCapacityGib, "provisionedCapacityGib is null");
        requireNonNull(allocatedCapacityGib, "allocatedCapacityGib is null");
        requireNonNull(maxOverSubscriptionRatio, "maxOverSubscriptionRatio is null");
        requireNonNull(totalVolumes, "totalVolumes is null");
        requireNonNull(locationInfo, "locationInfo is null");
        extraCapabilities = CinderValues.copyExtras(extraCapabilities, MODELLED_KEYS, "pool '" + poolName + "'");
        if (poolName.isBlank() || poolName.contains("#") || poolName.contains("@")) {
            throw new InvalidStatsException(InvalidStatsException.Rule.POOLS, "pool_name", "pool_name must be non-blank without '#' or '@', got '" + poolName + "'");
        }
        if (totalCapacity.isKnown() && freeCapacity.isKnown() && freeCapacity.gib() > totalCapacity.gib()) {
            throw new InvalidStatsException(InvalidStatsException.Rule.FREE_WITHIN_TOTAL, "free_capacity_gb",
                    "Pool '" + poolName + "': free_capacity_gb " + freeCapacity.gib()
                    + " exceeds total_capacity_gb " + totalCapacity.gib());
        }
        if (reservedPercentage < 0 || reservedPercentage > 100) {
            throw new InvalidStatsException(InvalidStatsException.Rule.RANGE, "reserved_percentage",
                    "Pool '" + poolName + "': reserved_percentage must be 0-100, got "
                    + reservedPercentage);
        }
        checkNonNegative(poolName, "provisioned_capacity_gb", provisionedCapacityGib);
        checkNonNegative(poolName, "allocated_capacity_gb", allocatedCapacityGib);
        if (maxOverSubscriptionRatio.isPresent()
                && !(maxOverSubscriptionRatio.getAsDouble() >= 1 && Double.isFinite(maxOverSubscriptionRatio.getAsDouble()))) {
            throw new InvalidStatsException(InvalidStatsException.Rule.RANGE, "max_over_subscription_ratio",
                    "Pool '" + poolName + "': max_over_subscription_ratio must be >= 1, got "
                    + maxOverSubscriptionRatio.getAsDouble());
        }
        if (totalVolumes.isPresent() && totalVolumes.getAsLong() < 0) {
            throw new InvalidStatsException(InvalidStatsException.Rule.NON_NEGATIVE, "total_volumes",
                    "Pool '" + poolName + "': total_volumes must be >= 0, got "
                    + totalVolumes.getAsLong());
        }
        if (!thinProvisioningSupport && !thickProvisioningSupport) {
            throw new InvalidStatsException(InvalidStatsException.Rule.PROVISIONING_TYPE, "thin_provisioning_support",
                    "Pool '" + poolName
                    + "': supports neither thin nor thick provisioning");
        }
    }

    private static void checkNonNegative(String pool, String key, OptionalDouble value) {
        if (value.isPresent() && !(value.getAsDouble() >= 0 && Double.isFinite(value.getAsDouble()))) {
            throw new InvalidStatsException(InvalidStatsException.Rule.NON_NEGATIVE, key, "Pool '" + pool + "': " + key + " must be >= 0, got " + value.getAsDouble());
        }
    }

    /**
     * {@return this pool as a Cinder pool dictionary, keys in a stable order; absent optional keys
     * left out}
     *
     * @since 0.1
     */
    public Map<String, Object> toCinderMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("pool_name", poolName);
        map.put("total_capacity_gb", totalCapacity.toCinderValue());
        map.put("free_capacity_gb", freeCapacity.toCinderValue());
        map.put("reserved_percentage", reservedPercentage);
        provisionedCapacityGib.ifPresent(v -> map.put("provisioned_capacity_gb", v));
        allocatedCapacityGib.ifPresent(v -> map.put("allocated_capacity_gb", v));
        maxOverSubscriptionRatio.ifPresent(v -> map.put("max_over_subscription_ratio", v));
        map.put("thin_provisioning_support", thinProvisioningSupport);
        map.put("thick_provisioning_support", thickProvisioningSupport);
        totalVolumes.ifPresent(v -> map.put("total_volumes", v));
        map.put("multiattach", multiattach);
        map.put("QoS_support", qosSupport);
        locationInfo.ifPresent(v -> map.put("location_info", v));
        map.putAll(extraCapabilities);
        return map;
    }

    /**
     * Reads a Cinder pool dictionary. Absent optional keys take Cinder's defaults ({@code
     * reserved_percentage} 0, thick provisioning).
     *
     * @param map the pool dictionary; not null
     * @return the pool
     * @throws InvalidStatsException naming the key that is missing or malformed
     * @since 0.1
     */
    public static PoolStats fromCinderMap(Map<String, ?> map) {
        requireNonNull(map, "map is null");
        Builder builder = builder(CinderValues.requiredString(map, "pool_name"))
                .totalCapacity(CinderValues.capacity(map, "total_capacity_gb"))
                .freeCapacity(CinderValues.capacity(map, "free_capacity_gb"));
        CinderValues.optionalLong(map, "reserved_percentage").ifPresent(v -> builder.reservedPercentage(Math.toIntExact(v)));
        CinderValues.optionalDouble(map, "provisioned_capacity_gb").ifPresent(builder::provisionedCapacityGib);
        CinderValues.optionalDouble(map, "allocated_capacity_gb").ifPresent(builder::allocatedCapacityGib);
        CinderValues.optionalDouble(map, "max_over_subscription_ratio").ifPresent(builder::maxOverSubscriptionRatio);
        Optional<Boolean> thin = CinderValues.optionalBoolean(map, "thin_provisioning_support");
        Optional<Boolean> thick = CinderValues.optionalBoolean(map, "thick_provisioning_support");
        builder.thinProvisioningSupport(thin.orElse(false));
        builder.thickProvisioningSupport(thick.orElse(!thin.orElse(false)));
        CinderValues.optionalLong(map, "total_volumes").ifPresent(builder::totalVolumes);
        CinderValues.optionalBoolean(map, "multiattach").ifPresent(builder::multiattach);
        CinderValues.optionalBoolean(map, "QoS_support").ifPresent(builder::qosSupport);
        CinderValues.optionalString(map, "location_info").ifPresent(builder::locationInfo);
        map.forEach((key, value) -> {
            if (!MODELLED_KEYS.contains(key)) {
                builder.extraCapability(key, value);
            }
        });
        return builder.build();
    }

    /**
     * Starts a thick-provisioned pool with unknown capacities and no reserve. Called by drivers
     * in {@link VolumeDriver#collectStats()}.
     *
     * @param poolName unique within the backend; checked by {@link Builder#build()}
     * @return a new builder
     * @since 0.1
     */
    public static Builder builder(String poolName) {
        return new Builder(poolName);
    }

    /**
     * {@return a builder that starts from this pool's values}
     *
     * @since 0.1
     */
    public Builder toBuilder() {
        Builder b = new Builder(poolName);
        b.totalCapacity = totalCapacity;
        b.freeCapacity = freeCapacity;
        b.reservedPercentage = reservedPercentage;
        b.provisionedCapacityGib = provisionedCapacityGib;
        b.allocatedCapacityGib = allocatedCapacityGib;
        b.maxOverSubscriptionRatio = maxOverSubscriptionRatio;
        b.thin = thinProvisioningSupport;
        b.thick = thickProvisioningSupport;
        b.totalVolumes = totalVolumes;
        b.multiattach = multiattach;
        b.qosSupport = qosSupport;
        b.locationInfo = locationInfo;
        b.extra.putAll(extraCapabilities);
        return b;
    }

    /**
     * Builds a {@link PoolStats}. Not thread-safe; the values are checked by {@link #build()}.
     *
     * @since 0.1
     */
    public static final class Builder {
        private final String poolName;
        private Capacity totalCapacity = Capacity.UNKNOWN;
        private Capacity freeCapacity = Capacity.UNKNOWN;
        private int reservedPercentage;
        private OptionalDouble provisionedCapacityGib = OptionalDouble.empty();
        private OptionalDouble allocatedCapacityGib = OptionalDouble.empty();
        private OptionalDouble maxOverSubscriptionRatio = OptionalDouble.empty();
        private boolean thin;
        private boolean thick = true;
        private OptionalLong totalVolumes = OptionalLong.empty();
        private boolean multiattach;
        private boolean qosSupport;
        private Optional<String> locationInfo = Optional.empty();
        private final Map<String, Object> extra = new LinkedHashMap<>();

        private Builder(String poolName) {
            this.poolName = poolName;
        }

        /**
         * Sets {@code total_capacity_gb}; unknown unless set.
         *
         * @param value not null
         * @return this builder
         * @since 0.1
         */
        public Builder totalCapacity(Capacity value) {
            this.totalCapacity = value;
            return this;
        }

        /**
         * Sets {@code free_capacity_gb}; unknown unless set. At most the total when both are known.
         *
         * @param value not null
         * @return this builder
         * @since 0.1
         */
        public Builder freeCapacity(Capacity value) {
            this.freeCapacity = value;
            return this;
        }

        /**
         * Sets {@code reserved_percentage}; 0 unless set.
         *
         * @param value 0-100
         * @return this builder
         * @since 0.1
         */
        public Builder reservedPercentage(int value) {
            this.reservedPercentage = value;
            return this;
        }

        /**
         * Sets {@code provisioned_capacity_gb}, the sum of the sizes of the pool's volumes; absent unless set.
         *
         * @param value finite, at least 0
         * @return this builder
         * @since 0.1
         */
        public Builder provisionedCapacityGib(double value) {
            this.provisionedCapacityGib = OptionalDouble.of(value);
            return this;
        }

        /**
         * Sets {@code allocated_capacity_gb}, what Cinder allocated in the pool; absent unless set.
         *
         * @param value finite, at least 0
         * @return this builder
         * @since 0.1
         */
        public Builder allocatedCapacityGib(double value) {
            this.allocatedCapacityGib = OptionalDouble.of(value);
            return this;
        }

        /**
         * Sets {@code max_over_subscription_ratio}; absent unless set.
         *
         * @param value finite, at least 1
         * @return this builder
         * @since 0.1
         */
        public Builder maxOverSubscriptionRatio(double value) {
            this.maxOverSubscriptionRatio = OptionalDouble.of(value);
            return this;
        }

        /**
         * Sets {@code thin_provisioning_support}; false unless set.
         *
         * @param value whether the pool provisions thin volumes
         * @return this builder
         * @since 0.1
         */
        public Builder thinProvisioningSupport(boolean value) {
            this.thin = value;
            return this;
        }

        /**
         * Sets {@code thick_provisioning_support}; true unless set. A pool must support thin or thick.
         *
         * @param value whether the pool provisions thick volumes
         * @return this builder
         * @since 0.1
         */
        public Builder thickProvisioningSupport(boolean value) {
            this.thick = value;
            return this;
        }

        /**
         * Sets {@code total_volumes}; absent unless set.
         *
         * @param value at least 0
         * @return this builder
         * @since 0.1
         */
        public Builder totalVolumes(long value) {
            this.totalVolumes = OptionalLong.of(value);
            return this;
        }

        /**
         * Sets {@code multiattach}; false unless set.
         *
         * @param value whether a volume may attach to several hosts
         * @return this builder
         * @since 0.1
         */
        public Builder multiattach(boolean value) {
            this.multiattach = value;
            return this;
        }

        /**
         * Sets {@code QoS_support}; false unless set.
         *
         * @param value whether the pool honours QoS specs
         * @return this builder
         * @since 0.1
         */
        public Builder qosSupport(boolean value) {
            this.qosSupport = value;
            return this;
        }

        /**
         * Sets {@code location_info}; absent unless set.
         *
         * @param value not null
         * @return this builder
         * @since 0.1
         */
        public Builder locationInfo(String value) {
            this.locationInfo = Optional.of(value);
            return this;
        }

        /**
         * Adds a vendor capability, replacing an earlier value of the same key.
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
         * Builds and checks the pool.
         *
         * @return the pool
         * @throws InvalidStatsException naming the broken rule and key
         * @since 0.1
         */
        public PoolStats build() {
            return new PoolStats(poolName, totalCapacity, freeCapacity, reservedPercentage, provisionedCapacityGib,
                    allocatedCapacityGib, maxOverSubscriptionRatio, thin, thick, totalVolumes, multiattach, qosSupport,
                    locationInfo, extra);
        }
    }
}
