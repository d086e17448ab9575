/**
 * The SDK's exceptions: one unchecked root, {@link io.cinderblock.sdk.error.CinderblockException},
 * always with a machine-readable {@link io.cinderblock.sdk.error.ErrorCode}. "Not supported"
 * ({@link io.cinderblock.sdk.error.NotSupportedException}) is kept apart from "supported but
 * failed" ({@link io.cinderblock.sdk.error.ErrorCode#OPERATION_FAILED}), and "the device is gone"
 * ({@link io.cinderblock.sdk.error.DeviceUnavailableException}) from "the device said no".
 *
 * <p>Drivers throw these from {@link io.cinderblock.sdk.spi.VolumeDriver}'s operations and from
 * {@link io.cinderblock.sdk.spi.VolumeDriverProvider#open}; hosts match on the code, never on the
 * message. A message quotes the offending value but never a secret option's value.
 *
 * @since 0.1
 */
package io.cinderblock.sdk.error;
