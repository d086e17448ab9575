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
 */
@ApiStatus(value = ApiStatus.Status.STABLE, since = "0.1")
public record Capacity(Kind kind, double gib) {
    private static final double BYTES_PER_GIB = 1024d * 1024d * 1024d;

    /** Cinder's {@code infinite}. */
    public static final Capacity INFINITE = new Capacity(Kind.INFINITE, 0);
    /** Cinder's {@code unknown}. */
    public static final Capacity UNKNOWN = new Capacity(Kind.UNKNOWN, 0);

    /** The three kinds of capacity. */
    public enum Kind {
        GIB,
        INFINITE,
        UNKNOWN
    }

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

    /** A known amount in GiB. */
    public static Capacity ofGib(double gib) {
        return new Capacity(Kind.GIB, gib);
    }

    /** A known amount in bytes, converted exactly to GiB (2^30 bytes). */
    public static Capacity ofBytes(long bytes) {
        if (bytes < 0) {
            throw new InvalidStatsException(InvalidStatsException.Rule.NON_NEGATIVE, "capacity",
                    "Capacity must be >= 0 bytes, got " + bytes);
        }
        return ofGib(bytes / BYTES_PER_GIB);
    }

    /** Whether this is a number of GiB rather than a sentinel. */
    public boolean isKnown() {
        return kind == Kind.GIB;
    }

    /** The sum; unknown if either is unknown, else infinite if either is infinite. */
    public Capacity plus(Capacity other) {
        if (kind == Kind.UNKNOWN || other.kind == Kind.UNKNOWN) {
            return UNKNOWN;
        }
        if (kind == Kind.INFINITE || other.kind == Kind.INFINITE) {
            return INFINITE;
        }
        return ofGib(gib + other.gib);
    }

    /** The value for a Cinder stats dictionary: a {@link Double}, or the string sentinel. */
    public Object toCinderValue() {
        return kind == Kind.GIB ? (Object) gib : kind.name().toLowerCase(Locale.ROOT);
    }

    /**
     * Reads a Cinder stats value: a number, a numeric string, {@code infinite} or {@code unknown}
     * (any case).
     *
     * @throws InvalidStatsException for anything else, quoting it
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

    @Override
    public String toString() {
        return isKnown() ? gib + " GiB" : kind.name().toLowerCase(Locale.ROOT);
    }
}
