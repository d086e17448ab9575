package io.cinderblock.sdk.error;

import io.cinderblock.sdk.ApiStatus;

/**
 * The machine-readable cause of a {@link CinderblockException}. Codes are stable: tools and
 * conformance reports match on them, never on messages. Drivers use the first seven; the last
 * four are raised by hosts.
 *
 * @since 0.1
 */
@ApiStatus(value = ApiStatus.Status.STABLE, since = "0.1")
public enum ErrorCode {
    /**
     * The driver does not declare the capability the operation needs.
     *
     * @since 0.1
     */
    NOT_SUPPORTED,
    /**
     * A configuration option is missing, unknown or malformed.
     *
     * @since 0.1
     */
    INVALID_CONFIG,
    /**
     * An argument to an operation is malformed (a hostile volume name, a negative size, ...).
     *
     * @since 0.1
     */
    INVALID_ARGUMENT,
    /**
     * The device cannot be reached, refused the connection, or did not answer in time.
     *
     * @since 0.1
     */
    DEVICE_UNAVAILABLE,
    /**
     * The device answered, but refused or failed the operation.
     *
     * @since 0.1
     */
    OPERATION_FAILED,
    /**
     * The device lacks the free capacity the operation needs.
     *
     * @since 0.1
     */
    INSUFFICIENT_CAPACITY,
    /**
     * The volume or snapshot is not known.
     *
     * @since 0.1
     */
    NOT_FOUND,
    /**
     * The driver broke the SPI contract: threw where it must not, returned invalid values, hung.
     * Raised by hosts about a driver; a driver never throws it.
     *
     * @since 0.1
     */
    DRIVER_CONTRACT_VIOLATION,
    /**
     * A driver provider could not be loaded or is incompatible with this SDK. Raised by hosts.
     *
     * @since 0.1
     */
    DRIVER_LOAD_FAILED,
    /**
     * A backend with the same name is already open. Raised by hosts.
     *
     * @since 0.1
     */
    DUPLICATE_BACKEND,
    /**
     * The host's volume metadata store failed to read or write. Raised by hosts; experimental
     * like the metadata store itself.
     *
     * @since 0.1
     */
    @ApiStatus(value = ApiStatus.Status.EXPERIMENTAL, since = "0.1")
    METADATA_STORE_FAILED
}
