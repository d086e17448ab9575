package io.cinderblock.sdk.spi;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.ApiStatus;
import io.cinderblock.sdk.error.InvalidConfigException;
import io.cinderblock.sdk.internal.OptionValues;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A backend's configuration, already checked against the driver's declared {@link ConfigOption}s:
 * every declared option is either set, defaulted, or optional and absent; values parse as their
 * type. Handed to {@link VolumeDriverProvider#open}.
 *
 * <p>Typed accessors throw {@link IllegalArgumentException} for an undeclared name (a driver bug)
 * and {@link InvalidConfigException} for a value out of the range the driver asks for.
 * {@link #toString()} masks secrets.
 *
 * <p>Built by hosts with {@link #validate}; read by drivers in {@link VolumeDriverProvider#open}
 * and afterwards, from any thread: instances are immutable and thread-safe.
 *
 * @since 0.1
 */
@ApiStatus(value = ApiStatus.Status.STABLE, since = "0.1")
public final class DriverConfig {
    /**
     * How secret values are shown: {@value}.
     *
     * @since 0.1
     */
    public static final String MASK = "***";

    private final DriverDescriptor descriptor;
    private final String backendName;
    private final Map<String, String> given;
    private final Map<String, Object> parsed;

    private DriverConfig(DriverDescriptor descriptor, String backendName, Map<String, String> given,
            Map<String, Object> parsed) {
        this.descriptor = descriptor;
        this.backendName = backendName;
        this.given = given;
        this.parsed = parsed;
    }

    /**
     * Checks {@code values} against {@code descriptor}'s options. The reserved keys {@code
     * volume_driver} and {@code volume_backend_name} are accepted and not passed on. Called by
     * hosts before {@link VolumeDriverProvider#open}, and by drivers' own tests.
     *
     * @param descriptor the driver's descriptor; not null
     * @param backendName the backend's {@code volume_backend_name}; not null
     * @param values the options as text, as in {@code cinder.conf}; not null, no null key or value
     * @return the checked configuration
     * @throws InvalidConfigException naming the first offending option: unknown (with a suggestion
     *     when a declared name is close), missing or malformed; a secret's value is never quoted
     * @since 0.1
     */
    public static DriverConfig validate(DriverDescriptor descriptor, String backendName, Map<String, String> values) {
        requireNonNull(descriptor, "descriptor is null");
        requireNonNull(backendName, "backendName is null");
        requireNonNull(values, "values is null");
        Map<String, String> given = new TreeMap<>();
        for (Map.Entry<String, String> entry : values.entrySet()) {
            String name = requireNonNull(entry.getKey(), "option name is null");
            if (DriverDescriptor.RESERVED_OPTIONS.contains(name)) {
                continue;
            }
            if (descriptor.option(name).isEmpty()) {
                throw new InvalidConfigException(name, "Unknown option '" + name + "' for driver '"
                        + descriptor.id() + "'" + suggestion(descriptor, name));
            }
            if (entry.getValue() == null) {
                throw new InvalidConfigException(name, "Option '" + name + "' has no value");
            }
            given.put(name, entry.getValue());
        }
        Map<String, Object> parsed = new LinkedHashMap<>();
        for (ConfigOption option : descriptor.options()) {
            Optional<String> text = Optional.ofNullable(given.get(option.name())).or(option::defaultValue);
            if (text.isEmpty()) {
                if (option.required()) {
                    throw new InvalidConfigException(option.name(), "Missing required option '" + option.name()
                            + "' for driver '" + descriptor.id() + "'");
                }
                continue;
            }
            parsed.put(option.name(), OptionValues.parse(option, text.get()));
        }
        return new DriverConfig(descriptor, backendName, Map.copyOf(given), parsed);
    }

    private static String suggestion(DriverDescriptor descriptor, String name) {
        return descriptor.options().stream()
                .map(ConfigOption::name)
                .min(Comparator.comparingInt(candidate -> editDistance(candidate, name)))
                .filter(candidate -> editDistance(candidate, name) <= 2)
                .map(candidate -> " (did you mean '" + candidate + "'?)")
                .orElse("");
    }

    private static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    /**
     * {@return the backend's {@code volume_backend_name}}
     *
     * @since 0.1
     */
    public String backendName() {
        return backendName;
    }

    /**
     * {@return the descriptor this configuration was checked against}
     *
     * @since 0.1
     */
    public DriverDescriptor descriptor() {
        return descriptor;
    }

    /**
     * Whether the option has a value, given or defaulted.
     *
     * @param name a declared option's name
     * @return true if set
     * @throws IllegalArgumentException if the driver did not declare {@code name}
     * @since 0.1
     */
    public boolean isSet(String name) {
        declared(name);
        return parsed.containsKey(name);
    }

    /**
     * The option's text as given or defaulted, for any type. Returns a secret in clear: never log
     * it.
     *
     * @param name a declared option's name
     * @return the text, or empty if the option is absent and has no default
     * @throws IllegalArgumentException if the driver did not declare {@code name}
     * @since 0.1
     */
    public Optional<String> optionalString(String name) {
        declared(name);
        return Optional.ofNullable(given.get(name)).or(() -> descriptor.option(name).flatMap(ConfigOption::defaultValue));
    }

    /**
     * A {@link OptionType#STRING} or {@link OptionType#CHOICE} value that must be set.
     *
     * @param name a declared option's name
     * @return the value
     * @throws InvalidConfigException if the option is not set
     * @throws IllegalArgumentException if the driver did not declare {@code name}, or declared it
     *     with another type
     * @since 0.1
     */
    public String string(String name) {
        return require(name, String.class);
    }

    /**
     * An {@link OptionType#INTEGER} value that must be set.
     *
     * @param name a declared option's name
     * @return the value
     * @throws InvalidConfigException if the option is not set
     * @throws IllegalArgumentException if the driver did not declare {@code name}, or declared it
     *     with another type
     * @since 0.1
     */
    public long integer(String name) {
        return require(name, Long.class);
    }

    /**
     * An {@link OptionType#INTEGER} value that must be set and lie within {@code [min, max]}.
     *
     * @param name a declared option's name
     * @param min the smallest value allowed
     * @param max the largest value allowed
     * @return the value
     * @throws InvalidConfigException if the option is not set or out of range, naming it and the range
     * @throws IllegalArgumentException if the driver did not declare {@code name}, or declared it
     *     with another type
     * @since 0.1
     */
    public long integer(String name, long min, long max) {
        long value = integer(name);
        if (value < min || value > max) {
            throw new InvalidConfigException(name, "Option '" + name + "' must be between " + min + " and " + max
                    + ", got " + shown(name, String.valueOf(value)));
        }
        return value;
    }

    /**
     * A {@link OptionType#DECIMAL} value that must be set.
     *
     * @param name a declared option's name
     * @return the value
     * @throws InvalidConfigException if the option is not set
     * @throws IllegalArgumentException if the driver did not declare {@code name}, or declared it
     *     with another type
     * @since 0.1
     */
    public BigDecimal decimal(String name) {
        return require(name, BigDecimal.class);
    }

    /**
     * A {@link OptionType#BOOLEAN} value that must be set.
     *
     * @param name a declared option's name
     * @return the value
     * @throws InvalidConfigException if the option is not set
     * @throws IllegalArgumentException if the driver did not declare {@code name}, or declared it
     *     with another type
     * @since 0.1
     */
    public boolean bool(String name) {
        return require(name, Boolean.class);
    }

    /**
     * A {@link OptionType#DURATION} value that must be set and be positive.
     *
     * @param name a declared option's name
     * @return the value, greater than zero
     * @throws InvalidConfigException if the option is not set, zero or negative
     * @throws IllegalArgumentException if the driver did not declare {@code name}, or declared it
     *     with another type
     * @since 0.1
     */
    public Duration duration(String name) {
        Duration value = require(name, Duration.class);
        if (value.isZero() || value.isNegative()) {
            throw new InvalidConfigException(name, "Option '" + name + "' must be a positive duration, got "
                    + shown(name, optionalString(name).orElse("")));
        }
        return value;
    }

    /**
     * A {@link OptionType#PATH} value that must be set. Not checked for existence.
     *
     * @param name a declared option's name
     * @return the value
     * @throws InvalidConfigException if the option is not set
     * @throws IllegalArgumentException if the driver did not declare {@code name}, or declared it
     *     with another type
     * @since 0.1
     */
    public Path path(String name) {
        return require(name, Path.class);
    }

    /**
     * An optional value of the given type: {@code String} (STRING, CHOICE), {@code Long}
     * (INTEGER), {@code BigDecimal} (DECIMAL), {@code Boolean}, {@code Duration} or {@code Path}.
     *
     * @param <T> the value's Java type
     * @param name a declared option's name
     * @param type the value's class
     * @return the value, or empty if the option is absent and has no default
     * @throws IllegalArgumentException if the driver did not declare {@code name}, or declared it
     *     with another type
     * @since 0.1
     */
    public <T> Optional<T> optional(String name, Class<T> type) {
        declared(name);
        Object value = parsed.get(name);
        if (value == null) {
            return Optional.empty();
        }
        if (!type.isInstance(value)) {
            throw new IllegalArgumentException("Option '" + name + "' is of type "
                    + descriptor.option(name).orElseThrow().type() + ", not " + type.getSimpleName());
        }
        return Optional.of(type.cast(value));
    }

    /**
     * {@return the options as given (not defaulted), secrets replaced by {@link #MASK}; sorted by
     * name} Safe to log or show.
     *
     * @since 0.1
     */
    public Map<String, String> masked() {
        Map<String, String> result = new TreeMap<>();
        given.forEach((name, value) -> result.put(name, isSecret(name) ? MASK : value));
        return result;
    }

    /**
     * Whether the named option is declared secret.
     *
     * @param name a declared option's name
     * @return true if secret
     * @throws IllegalArgumentException if the driver did not declare {@code name}
     * @since 0.1
     */
    public boolean isSecret(String name) {
        return declared(name).secret();
    }

    private <T> T require(String name, Class<T> type) {
        return optional(name, type).orElseThrow(() -> new InvalidConfigException(name,
                "Option '" + name + "' is not set for backend '" + backendName + "'"));
    }

    private String shown(String name, String value) {
        return isSecret(name) ? "(value hidden)" : "'" + value + "'";
    }

    private ConfigOption declared(String name) {
        return descriptor.option(name).orElseThrow(() -> new IllegalArgumentException(
                "Driver '" + descriptor.id() + "' did not declare option '" + name + "'"));
    }

    /**
     * {@return the backend, the driver and the {@link #masked()} options} Safe to log.
     *
     * @since 0.1
     */
    @Override
    public String toString() {
        return "DriverConfig[backend=" + backendName + ", driver=" + descriptor.id() + ", options=" + masked() + "]";
    }
}
