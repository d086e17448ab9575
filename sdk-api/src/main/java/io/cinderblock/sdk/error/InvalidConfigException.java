package io.cinderblock.sdk.error;

import io.cinderblock.sdk.ApiStatus;
import java.util.Objects;

/** A configuration option is missing, unknown or malformed; {@link #option()} names it. */
@ApiStatus(value = ApiStatus.Status.STABLE, since = "0.1")
public class InvalidConfigException extends CinderblockException {
    private static final long serialVersionUID = 1L;

    private final String option;

    public InvalidConfigException(String option, String message) {
        super(ErrorCode.INVALID_CONFIG, message);
        this.option = Objects.requireNonNull(option, "option is null");
    }

    /** The name of the offending option. */
    public String option() {
        return option;
    }
}
