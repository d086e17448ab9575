package io.cinderblock.sdk.internal;

import io.cinderblock.sdk.ApiStatus;
import io.cinderblock.sdk.spi.Capacity;
import io.cinderblock.sdk.spi.InvalidStatsException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Reads and checks values of Cinder stats dictionaries for {@code BackendStats} and {@code
 * PoolStats} and the host's readers. Not API: exported to the host module only.
 *
 * @since 0.1
 */
@ApiStatus(value = ApiStatus.Status.INTERNAL, since = "0.2")
public final class CinderValues {
    private CinderValues() {}

    /**
     * {@return the string at {@code key}}
     *
     * @param map a stats dictionary
     * @param key the key
     * @throws InvalidStatsException ({@code REQUIRED}) if absent, ({@code FORMAT}) if not a string
     * @since 0.1
     */
    public static String requiredString(Map<String, ?> map, String key) {
        return optionalString(map, key).orElseThrow(() -> new InvalidStatsException(InvalidStatsException.Rule.REQUIRED, key,
                "Missing key '" + key + "'"));
    }

    /**
     * {@return the string at {@code key}, or empty if absent or null}
     *
     * @param map a stats dictionary
     * @param key the key
     * @throws InvalidStatsException ({@code FORMAT}) if not a string
     * @since 0.1
     */
    public static Optional<String> optionalString(Map<String, ?> map, String key) {
        Object value = map.get(key);
        if (value == null) {
            return Optional.empty();
        }
        if (!(value instanceof String)) {
            throw new InvalidStatsException(InvalidStatsException.Rule.FORMAT, key, "Key '" + key + "' must be a string, got '" + value + "'");
        }
        return Optional.of((String) value);
    }

    /**
     * {@return the capacity at {@code key}}
     *
     * @param map a stats dictionary
     * @param key the key
     * @throws InvalidStatsException ({@code REQUIRED}) if absent, ({@code FORMAT}) if not a capacity
     * @since 0.1
     */
    public static Capacity capacity(Map<String, ?> map, String key) {
        if (!map.containsKey(key)) {
            throw new InvalidStatsException(InvalidStatsException.Rule.REQUIRED, key, "Missing key '" + key + "'");
        }
        try {
            return Capacity.fromCinderValue(map.get(key));
        } catch (InvalidStatsException e) {
            InvalidStatsException keyed = new InvalidStatsException(e.rule(), key, "Key '" + key + "': " + e.getMessage());
            keyed.initCause(e);
            throw keyed;
        }
    }

    /**
     * {@return the number at {@code key}, or empty if absent or null}
     *
     * @param map a stats dictionary
     * @param key the key
     * @throws InvalidStatsException ({@code FORMAT}) if not a number
     * @since 0.1
     */
    public static OptionalDouble optionalDouble(Map<String, ?> map, String key) {
        Object value = map.get(key);
        if (value == null) {
            return OptionalDouble.empty();
        }
        if (value instanceof Number) {
            return OptionalDouble.of(((Number) value).doubleValue());
        }
        if (value instanceof String) {
            try {
                return OptionalDouble.of(Double.parseDouble((String) value));
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        throw new InvalidStatsException(InvalidStatsException.Rule.FORMAT, key, "Key '" + key + "' must be a number, got '" + value + "'");
    }

    /**
     * {@return the whole number at {@code key}, or empty if absent or null}
     *
     * @param map a stats dictionary
     * @param key the key
     * @throws InvalidStatsException ({@code FORMAT}) if not a whole number
     * @since 0.1
     */
    public static OptionalLong optionalLong(Map<String, ?> map, String key) {
        OptionalDouble value = optionalDouble(map, key);
        if (value.isEmpty()) {
            return OptionalLong.empty();
        }
        double d = value.getAsDouble();
        if (d != Math.rint(d) || Math.abs(d) > Long.MAX_VALUE) {
            throw new InvalidStatsException(InvalidStatsException.Rule.FORMAT, key, "Key '" + key + "' must be a whole number, got '" + map.get(key) + "'");
        }
        return OptionalLong.of((long) d);
    }

    /**
     * {@return the boolean at {@code key}, or empty if absent or null}
     *
     * @param map a stats dictionary
     * @param key the key
     * @throws InvalidStatsException ({@code FORMAT}) if not a boolean
     * @since 0.1
     */
    public static Optional<Boolean> optionalBoolean(Map<String, ?> map, String key) {
        Object value = map.get(key);
        if (value == null) {
            return Optional.empty();
        }
        if (value instanceof Boolean) {
            return Optional.of((Boolean) value);
        }
        if (value instanceof String) {
            String text = ((String) value).strip().toLowerCase(Locale.ROOT);
            if (text.equals("true") || text.equals("false")) {
                return Optional.of(Boolean.valueOf(text));
            }
        }
        throw new InvalidStatsException(InvalidStatsException.Rule.FORMAT, key, "Key '" + key + "' must be a boolean, got '" + value + "'");
    }

    /**
     * {@return an unmodifiable copy in insertion order}
     *
     * @param extras the extra keys; not null
     * @param modelled keys the extras may not shadow
     * @param where for messages, e.g. {@code pool 'gold'}
     * @throws InvalidStatsException ({@code EXTRA_CAPABILITY}) for a modelled key or a non-scalar value
     * @since 0.1
     */
    public static Map<String, Object> copyExtras(Map<String, ?> extras, Set<String> modelled, String where) {
        if (extras == null) {
            throw new NullPointerException("extraCapabilities is null");
        }
        Map<String, Object> copy = new LinkedHashMap<>();
        extras.forEach((key, value) -> {
            if (key == null || key.isBlank()) {
                throw new InvalidStatsException(InvalidStatsException.Rule.EXTRA_CAPABILITY, "",
                        where + ": an extra capability has a blank key");
            }
            if (modelled.contains(key)) {
                throw new InvalidStatsException(InvalidStatsException.Rule.EXTRA_CAPABILITY, key, where + ": extra capability '" + key + "' shadows a modelled key");
            }
            if (value != null && !(value instanceof String || value instanceof Number || value instanceof Boolean)) {
                throw new InvalidStatsException(InvalidStatsException.Rule.EXTRA_CAPABILITY, key, where + ": extra capability '" + key
                        + "' must be a string, number, boolean or null, got " + value.getClass().getName());
            }
            copy.put(key, value);
        });
        return Collections.unmodifiableMap(copy);
    }
}
