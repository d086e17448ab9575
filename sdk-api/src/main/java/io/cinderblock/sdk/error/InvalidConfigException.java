package io.cinderblock.sdk.error;

import io.cinderblock.sdk.ApiStatus;
import java.util.Objects;

/**
 * A configuration option is missing, unknown or malformed; {@link #option()} names it. Thrown by
 * {@link io.cinderblock.sdk.spi.DriverConfig} while the host validates a backend's configuration,
 * and by drivers from {@link io.cinderblock.sdk.spi.VolumeDriverProvider#open} for what only they
 * can check (ranges, files, combinations). Its code is always {@link ErrorCode#INVALID_CONFIG}.
 *
 * @since 0.1
 */
@ApiStatus(value = ApiStatus.Status.STABLE, since = "0.1")
public class InvalidConfigException extends CinderblockException {
    private static final long serialVersionUID = 1L;

    /** The offending option's name; never null. */
    private final String option;

    /**
     * An exception naming the option.
     *
     * @param option the offending option's name, e.g. {@code san_ip}; not null
     * @param message what is wrong, quoting the value unless the option is secret; not null
     * @since 0.1
     */
    public InvalidConfigException(String option, String message) {
        super(ErrorCode.INVALID_CONFIG, message);
        this.option = Objects.requireNonNull(option, "option is null");
    }

    /**
     * {@return the name of the offending option}
     *
     * @since 0.1
     */
    public String option() {
        return option;
    }
}
