package io.cinderblock.sdk.error;

import io.cinderblock.sdk.ApiStatus;
import java.util.Objects;

/**
 * The root of every exception the SDK and its drivers throw on purpose. Unchecked, so that optional
 * operations can be default methods; always carries an {@link ErrorCode}.
 *
 * <p>Messages quote the offending value ({@code Unknown option 'lvm_hots'}) but must never contain
 * the value of a secret option: say {@code (value hidden)} instead.
 */
@ApiStatus(value = ApiStatus.Status.STABLE, since = "0.1")
public class CinderblockException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    public CinderblockException(ErrorCode code, String message) {
        this(code, message, null);
    }

    public CinderblockException(ErrorCode code, String message, Throwable cause) {
        super(Objects.requireNonNull(message, "message is null"), cause);
        this.code = Objects.requireNonNull(code, "code is null");
    }

    /** The machine-readable cause. */
    public ErrorCode code() {
        return code;
    }
}
