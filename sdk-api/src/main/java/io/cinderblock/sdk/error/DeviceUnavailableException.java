package io.cinderblock.sdk.error;

import io.cinderblock.sdk.ApiStatus;

/**
 * The device cannot be reached: connection refused or reset, timed out, authentication rejected.
 * Drivers throw it from {@code collectStats()} and from operations when the device is gone, so
 * that callers can tell "the array is down" from "the array said no".
 */
@ApiStatus(value = ApiStatus.Status.STABLE, since = "0.1")
public class DeviceUnavailableException extends CinderblockException {
    private static final long serialVersionUID = 1L;

    public DeviceUnavailableException(String message) {
        super(ErrorCode.DEVICE_UNAVAILABLE, message);
    }

    public DeviceUnavailableException(String message, Throwable cause) {
        super(ErrorCode.DEVICE_UNAVAILABLE, message, cause);
    }
}
