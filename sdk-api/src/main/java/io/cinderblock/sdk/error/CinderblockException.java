package io.cinderblock.sdk.error;

import io.cinderblock.sdk.ApiStatus;
import java.util.Objects;

/**
 * The root of every exception the SDK and its drivers throw on purpose. Unchecked, so that optional
 * operations can be default methods; always carries an {@link ErrorCode}.
 *
 * <p>Drivers throw it (or a subclass) from {@link io.cinderblock.sdk.spi.VolumeDriver}'s
 * operations; hosts catch it and decide by {@link #code()}. Messages quote the offending value
 * ({@code Unknown option 'lvm_hots'}) but must never contain the value of a secret option: say
 * {@code (value hidden)} instead. Hosts mask known secrets in messages and causes again before
 * they log or serve them, but a driver must not rely on that.
 *
 * @since 0.1
 */
@ApiStatus(value = ApiStatus.Status.STABLE, since = "0.1")
public class CinderblockException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The machine-readable cause; never null. */
    private final ErrorCode code;

    /**
     * An exception without a cause.
     *
     * @param code the machine-readable cause; not null
     * @param message what went wrong, quoting the offending value but no secret; not null
     * @since 0.1
     */
    public CinderblockException(ErrorCode code, String message) {
        this(code, message, null);
    }

    /**
     * An exception wrapping the lower-level failure that caused it.
     *
     * @param code the machine-readable cause; not null
     * @param message what went wrong, quoting the offending value but no secret; not null
     * @param cause the underlying failure, or {@code null} if there is none; its message must not
     *     carry a secret either
     * @since 0.1
     */
    public CinderblockException(ErrorCode code, String message, Throwable cause) {
        super(Objects.requireNonNull(message, "message is null"), cause);
        this.code = Objects.requireNonNull(code, "code is null");
    }

    /**
     * {@return the machine-readable cause} Tools and reports match on it, never on the message.
     *
     * @since 0.1
     */
    public ErrorCode code() {
        return code;
    }
}
