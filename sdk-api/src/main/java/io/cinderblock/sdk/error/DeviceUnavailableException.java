package io.cinderblock.sdk.error;

import io.cinderblock.sdk.ApiStatus;

/**
 * The device cannot be reached: connection refused or reset, timed out, authentication rejected.
 * Drivers throw it from {@code collectStats()} and from operations when the device is gone, so
 * that callers can tell "the array is down" from "the array said no". Its code is always {@link
 * ErrorCode#DEVICE_UNAVAILABLE}.
 *
 * @since 0.1
 */
@ApiStatus(value = ApiStatus.Status.STABLE, since = "0.1")
public class DeviceUnavailableException extends CinderblockException {
    private static final long serialVersionUID = 1L;

    /**
     * An exception without a cause.
     *
     * @param message which device and what failed ({@code "SSH to 10.0.0.5:22 timed out after 5 s"}),
     *     no secret; not null
     * @since 0.1
     */
    public DeviceUnavailableException(String message) {
        super(ErrorCode.DEVICE_UNAVAILABLE, message);
    }

    /**
     * An exception wrapping the I/O failure that caused it.
     *
     * @param message which device and what failed, no secret; not null
     * @param cause the underlying failure, or {@code null}
     * @since 0.1
     */
    public DeviceUnavailableException(String message, Throwable cause) {
        super(ErrorCode.DEVICE_UNAVAILABLE, message, cause);
    }
}
