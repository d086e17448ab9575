package io.cinderblock.sdk.spi;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.ApiStatus;

/**
 * Stats that break one of Cinder's invariants, refused where they are built ({@link Capacity},
 * {@link PoolStats}, {@link BackendStats}, and their {@code fromCinderMap} readers). An {@link
 * IllegalArgumentException}, as for any invalid record, that also says which rule and which Cinder
 * key, so that tools (the conformance kit) need not read the message.
 */
@ApiStatus(value = ApiStatus.Status.STABLE, since = "0.1")
public final class InvalidStatsException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** The invariant that was broken. */
    public enum Rule {
        /** A required key is missing or blank. */
        REQUIRED,
        /** A value is not of its key's type: not a number, not a boolean, not a list, ... */
        FORMAT,
        /** A capacity or count is negative or not finite. */
        NON_NEGATIVE,
        /** {@code free_capacity_gb} exceeds {@code total_capacity_gb}. */
        FREE_WITHIN_TOTAL,
        /** {@code reserved_percentage} outside 0-100, or {@code max_over_subscription_ratio} below 1. */
        RANGE,
        /** A pool supports neither thin nor thick provisioning. */
        PROVISIONING_TYPE,
        /** No pool, a pool reported twice, or a pool name Cinder cannot address. */
        POOLS,
        /** An extra capability that is not a scalar, or that shadows a modelled key. */
        EXTRA_CAPABILITY
    }

    private final Rule rule;
    private final String key;

    /**
     * @param rule the broken invariant
     * @param key the Cinder key concerned, e.g. {@code free_capacity_gb}
     * @param message what was wrong, quoting the value
     */
    public InvalidStatsException(Rule rule, String key, String message) {
        super(message);
        this.rule = requireNonNull(rule, "rule is null");
        this.key = requireNonNull(key, "key is null");
    }

    /** The broken invariant. */
    public Rule rule() {
        return rule;
    }

    /** The Cinder key concerned. */
    public String key() {
        return key;
    }
}
