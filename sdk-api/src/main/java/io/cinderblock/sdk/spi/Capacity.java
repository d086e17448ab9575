package io.cinderblock.sdk.spi;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.ApiStatus;
import java.util.Locale;

/**
 * A capacity as Cinder reports it: a number of GiB, or one of Cinder's two sentinels, {@code
 * infinite} (no limit, e.g. thin storage that grows on demand) and {@code unknown} (the device did
 * not say, or said something that cannot be trusted).
 *
 * @param kind which of the three it is
 * @param gib the amount in GiB when {@code kind} is {@link Kind#GIB}; {@code 0} for the sentinels
 * @since 0.1
 */
@ApiStatus(value = ApiStatus.Status.STABLE, since = "0.1")
public record Capacity(Kind kind, double gib) {
    private static final double BYTES_PER_GIB = 1024d * 1024d * 1024d;

    /**
     * Cinder's {@code infinite}: no limit, e.g. thin storage that grows on demand.
     *
     * @since 0.1
     */
    public static final Capacity INFINITE = new Capacity(Kind.INFINITE, 0);
    /**
     * Cinder's {@code unknown}: the device did not say, or said something that cannot be trusted.
     *
     * @since 0.1
     */
    public static final Capacity UNKNOWN = new Capacity(Kind.UNKNOWN, 0);

    /**
     * The three kinds of capacity.
     *
     * @since 0.1
     */
    public enum Kind {
        /**
         * A known number of GiB.
         *
         * @since 0.1
         */
        GIB,
        /**
         * Cinder's {@code infinite}.
         *
         * @since 0.1
         */
        INFINITE,
        /**
         * Cinder's {@code unknown}.
         *
         * @since 0.1
         */
        UNKNOWN
    }

    /**
     * Checks the components. Prefer {@link #ofGib(double)}, {@link #ofBytes(long)}, {@link
     * #INFINITE} and {@link #UNKNOWN}.
     *
     * @param kind which kind; not null
     * @param gib a finite amount at least 0 for {@link Kind#GIB}, else exactly 0
     * @throws InvalidStatsException ({@link InvalidStatsException.Rule#NON_NEGATIVE}) for a negative
     *     or non-finite amount
     * @throws IllegalArgumentException for a sentinel with an amount
     * @since 0.1
     */
    public Capacity {
        requireNonNull(kind, "kind is null");
        if (kind == Kind.GIB && (!Double.isFinite(gib) || gib < 0)) {
            throw new InvalidStatsException(InvalidStatsException.Rule.NON_NEGATIVE, "capacity",
                    "Capacity must be a finite number of GiB >= 0, got " + gib);
        }
        if (kind != Kind.GIB && gib != 0) {
            throw new IllegalArgumentException("A " + kind + " capacity carries no amount, got " + gib);
        }
    }

    /**
     * A known amount in GiB.
     *
     * @param gib finite, at least 0
     * @return the capacity
     * @throws InvalidStatsException for a negative or non-finite amount, quoting it
     * @since 0.1
     */
    public static Capacity ofGib(double gib) {
        return new Capacity(Kind.GIB, gib);
    }

    /**
     * A known amount in bytes, converted to GiB (2^30 bytes), as devices usually report it.
     *
     * @param bytes at least 0
     * @return the capacity
     * @throws InvalidStatsException for a negative amount, quoting it
     * @since 0.1
     */
    public static Capacity ofBytes(long bytes) {
        if (bytes < 0) {
            throw new InvalidStatsException(InvalidStatsException.Rule.NON_NEGATIVE, "capacity",
                    "Capacity must be >= 0 bytes, got " + bytes);
        }
        return ofGib(bytes / BYTES_PER_GIB);
    }

    /**
     * {@return whether this is a number of GiB rather than a sentinel}
     *
     * @since 0.1
     */
    public boolean isKnown() {
        return kind == Kind.GIB;
    }

    /**
     * The sum, as hosts total pools: unknown if either is unknown, else infinite if either is
     * infinite, else the sum of the amounts.
     *
     * @param other the capacity to add; not null
     * @return the sum
     * @since 0.1
     */
    public Capacity plus(Capacity other) {
        if (kind == Kind.UNKNOWN || other.kind == Kind.UNKNOWN) {
            return UNKNOWN;
        }
        if (kind == Kind.INFINITE || other.kind == Kind.INFINITE) {
            return INFINITE;
        }
        return ofGib(gib + other.gib);
    }

    /**
     * {@return the value for a Cinder stats dictionary: a {@link Double}, or the string sentinel
     * {@code infinite} or {@code unknown}}
     *
     * @since 0.1
     */
    public Object toCinderValue() {
        return kind == Kind.GIB ? (Object) gib : kind.name().toLowerCase(Locale.ROOT);
    }

    /**
     * Reads a Cinder stats value: a number, a numeric string, {@code infinite} or {@code unknown}
     * (any case).
     *
     * @param value the dictionary's value; {@code null} is refused like any other non-capacity
     * @return the capacity
     * @throws InvalidStatsException for anything else, quoting it
     * @since 0.1
     */
    public static Capacity fromCinderValue(Object value) {
        if (value instanceof Number) {
            return ofGib(((Number) value).doubleValue());
        }
        if (value instanceof String) {
            String text = ((String) value).strip().toLowerCase(Locale.ROOT);
            if (text.equals("infinite")) {
                return INFINITE;
            }
            if (text.equals("unknown")) {
                return UNKNOWN;
            }
            try {
                return ofGib(Double.parseDouble(text));
            } catch (NumberFormatException e) {
                // fall through to the error below
            }
        }
        throw new InvalidStatsException(InvalidStatsException.Rule.FORMAT, "capacity", "Not a capacity: '" + value + "'");
    }

    /**
     * {@return {@code 12.5 GiB}, {@code infinite} or {@code unknown}}
     *
     * @since 0.1
     */
    @Override
    public String toString() {
        return isKnown() ? gib + " GiB" : kind.name().toLowerCase(Locale.ROOT);
    }
}
