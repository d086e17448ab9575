package io.cinderblock.sdk.spi;

import io.cinderblock.sdk.ApiStatus;

/**
 * How a configuration option's text value is parsed and checked when the host validates a
 * backend's configuration ({@link DriverConfig#validate}); each type names the {@link DriverConfig}
 * accessor that reads it.
 *
 * @since 0.1
 */
@ApiStatus(value = ApiStatus.Status.STABLE, since = "0.1")
public enum OptionType {
    /**
     * Any text; read with {@link DriverConfig#string(String)}.
     *
     * @since 0.1
     */
    STRING,
    /**
     * A whole number ({@code long} range); read with {@link DriverConfig#integer(String)}.
     *
     * @since 0.1
     */
    INTEGER,
    /**
     * A decimal number; read with {@link DriverConfig#decimal(String)}.
     *
     * @since 0.1
     */
    DECIMAL,
    /**
     * {@code true} or {@code false} (also Cinder's {@code True}/{@code False}); read with {@link
     * DriverConfig#bool(String)}.
     *
     * @since 0.1
     */
    BOOLEAN,
    /**
     * A duration: seconds as a number ({@code 10}, {@code 0.5}), or with a unit ({@code 500ms},
     * {@code 10s}, {@code 2m}); read with {@link DriverConfig#duration(String)}.
     *
     * @since 0.1
     */
    DURATION,
    /**
     * A file system path; read with {@link DriverConfig#path(String)}. Not checked for existence:
     * the driver does that in {@link VolumeDriverProvider#open}.
     *
     * @since 0.1
     */
    PATH,
    /**
     * One of the option's declared {@link ConfigOption#choices()}; read with {@link
     * DriverConfig#string(String)}.
     *
     * @since 0.1
     */
    CHOICE
}
