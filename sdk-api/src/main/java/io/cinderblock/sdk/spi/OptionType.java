package io.cinderblock.sdk.spi;

import io.cinderblock.sdk.ApiStatus;

/** How a configuration option's text value is parsed and checked. */
@ApiStatus(value = ApiStatus.Status.STABLE, since = "0.1")
public enum OptionType {
    /** Any text. */
    STRING,
    /** A whole number ({@code long} range). */
    INTEGER,
    /** A decimal number. */
    DECIMAL,
    /** {@code true} or {@code false} (also Cinder's {@code True}/{@code False}). */
    BOOLEAN,
    /** A duration: seconds as a number ({@code 10}, {@code 0.5}), or with a unit ({@code 500ms}, {@code 10s}, {@code 2m}). */
    DURATION,
    /** A file system path. */
    PATH,
    /** One of the option's declared {@link ConfigOption#choices()}. */
    CHOICE
}
