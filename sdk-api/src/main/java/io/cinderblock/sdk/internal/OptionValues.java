package io.cinderblock.sdk.internal;

import io.cinderblock.sdk.ApiStatus;
import io.cinderblock.sdk.error.InvalidConfigException;
import io.cinderblock.sdk.spi.ConfigOption;
import java.math.BigDecimal;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses option text by its declared type, for {@code DriverConfig} and {@code ConfigOption}. Not
 * API: exported to the host module only.
 *
 * @since 0.1
 */
@ApiStatus(value = ApiStatus.Status.INTERNAL, since = "0.2")
public final class OptionValues {
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)?");

    private OptionValues() {}

    /**
     * Parses {@code text} as {@code option}'s type: {@link String}, {@link Long}, {@link BigDecimal},
     * {@link Boolean}, {@link Duration} or {@link Path}.
     *
     * @param option the declared option
     * @param text the value as given
     * @return the parsed value
     * @throws InvalidConfigException naming the option; the value is quoted unless the option is secret
     * @since 0.1
     */
    public static Object parse(ConfigOption option, String text) {
        String trimmed = text.strip();
        switch (option.type()) {
            case STRING:
                return text;
            case INTEGER:
                try {
                    return Long.parseLong(trimmed);
                } catch (NumberFormatException e) {
                    throw invalid(option, text, "a whole number");
                }
            case DECIMAL:
                try {
                    return new BigDecimal(trimmed);
                } catch (NumberFormatException e) {
                    throw invalid(option, text, "a decimal number");
                }
            case BOOLEAN:
                switch (trimmed.toLowerCase(Locale.ROOT)) {
                    case "true":
                        return Boolean.TRUE;
                    case "false":
                        return Boolean.FALSE;
                    default:
                        throw invalid(option, text, "true or false");
                }
            case DURATION:
                return parseDuration(option, text);
            case PATH:
                try {
                    if (trimmed.isEmpty()) {
                        throw invalid(option, text, "a file path");
                    }
                    return Path.of(trimmed);
                } catch (InvalidPathException e) {
                    throw invalid(option, text, "a file path");
                }
            case CHOICE:
                if (!option.choices().contains(trimmed)) {
                    throw invalid(option, text, "one of " + option.choices());
                }
                return trimmed;
            default:
                throw new IllegalStateException("Unhandled option type " + option.type());
        }
    }

    private static Duration parseDuration(ConfigOption option, String text) {
        Matcher m = DURATION.matcher(text.strip());
        if (!m.matches()) {
            throw invalid(option, text, "a duration such as 10, 0.5, 500ms, 10s or 2m");
        }
        BigDecimal amount = new BigDecimal(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        BigDecimal millis;
        switch (unit) {
            case "ms":
                millis = amount;
                break;
            case "m":
                millis = amount.multiply(BigDecimal.valueOf(60_000));
                break;
            case "h":
                millis = amount.multiply(BigDecimal.valueOf(3_600_000));
                break;
            default:
                millis = amount.multiply(BigDecimal.valueOf(1000));
                break;
        }
        return Duration.ofMillis(millis.longValue());
    }

    private static InvalidConfigException invalid(ConfigOption option, String text, String expected) {
        String shown = option.secret() ? "(value hidden)" : "'" + text + "'";
        return new InvalidConfigException(option.name(),
                "Option '" + option.name() + "' must be " + expected + ", got " + shown);
    }
}
