package io.cinderblock.sdk.spi;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.ApiStatus;

/**
 * Stats that break one of Cinder's invariants, refused where they are built ({@link Capacity},
 * {@link PoolStats}, {@link BackendStats}, and their {@code fromCinderMap} readers). An {@link
 * IllegalArgumentException}, as for any invalid record, that also says which rule and which Cinder
 * key, so that tools (the conformance kit) need not read the message.
 *
 * <p>Thrown to drivers while they build stats in {@link VolumeDriver#collectStats()}; a driver
 * that sees it has a bug or reads a device that reports nonsense, and should report the device
 * {@code DOWN} or {@link Capacity#UNKNOWN} rather than pass the error on.
 *
 * @since 0.1
 */
@ApiStatus(value = ApiStatus.Status.STABLE, since = "0.1")
public final class InvalidStatsException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /**
     * The invariant that was broken. Experimental: rules may be added or split as the checks grow.
     *
     * @since 0.1
     */
    @ApiStatus(value = ApiStatus.Status.EXPERIMENTAL, since = "0.1")
    public enum Rule {
        /**
         * A required key is missing or blank.
         *
         * @since 0.1
         */
        REQUIRED,
        /**
         * A value is not of its key's type: not a number, not a boolean, not a list, ...
         *
         * @since 0.1
         */
        FORMAT,
        /**
         * A capacity or count is negative or not finite.
         *
         * @since 0.1
         */
        NON_NEGATIVE,
        /**
         * {@code free_capacity_gb} exceeds {@code total_capacity_gb}.
         *
         * @since 0.1
         */
        FREE_WITHIN_TOTAL,
        /**
         * {@code reserved_percentage} outside 0-100, or {@code max_over_subscription_ratio} below 1.
         *
         * @since 0.1
         */
        RANGE,
        /**
         * A pool supports neither thin nor thick provisioning.
         *
         * @since 0.1
         */
        PROVISIONING_TYPE,
        /**
         * No pool, a pool reported twice, or a pool name Cinder cannot address.
         *
         * @since 0.1
         */
        POOLS,
        /**
         * An extra capability that is not a scalar, or that shadows a modelled key.
         *
         * @since 0.1
         */
        EXTRA_CAPABILITY
    }

    /** The broken invariant; never null. */
    private final Rule rule;
    /** The Cinder key concerned; never null. */
    private final String key;

    /**
     * An exception naming the rule and the key. Thrown by the SDK's value types; drivers rarely
     * construct it.
     *
     * @param rule the broken invariant; not null
     * @param key the Cinder key concerned, e.g. {@code free_capacity_gb}; not null
     * @param message what was wrong, quoting the value
     * @since 0.1
     */
    public InvalidStatsException(Rule rule, String key, String message) {
        super(message);
        this.rule = requireNonNull(rule, "rule is null");
        this.key = requireNonNull(key, "key is null");
    }

    /**
     * {@return the broken invariant}
     *
     * @since 0.1
     */
    @ApiStatus(value = ApiStatus.Status.EXPERIMENTAL, since = "0.1")
    public Rule rule() {
        return rule;
    }

    /**
     * {@return the Cinder key concerned, e.g. {@code free_capacity_gb}}
     *
     * @since 0.1
     */
    public String key() {
        return key;
    }
}
