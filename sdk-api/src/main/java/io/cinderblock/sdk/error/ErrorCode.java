package io.cinderblock.sdk.error;

import io.cinderblock.sdk.ApiStatus;

/**
 * The machine-readable cause of a {@link CinderblockException}. Codes are stable: tools and
 * conformance reports match on them, never on messages.
 */
@ApiStatus(value = ApiStatus.Status.STABLE, since = "0.1")
public enum ErrorCode {
    /** The driver does not declare the capability the operation needs. */
    NOT_SUPPORTED,
    /** A configuration option is missing, unknown or malformed. */
    INVALID_CONFIG,
    /** An argument to an operation is malformed (a hostile volume name, a negative size, ...). */
    INVALID_ARGUMENT,
    /** The device cannot be reached, refused the connection, or did not answer in time. */
    DEVICE_UNAVAILABLE,
    /** The device answered, but refused or failed the operation. */
    OPERATION_FAILED,
    /** The device lacks the free capacity the operation needs. */
    INSUFFICIENT_CAPACITY,
    /** The volume or snapshot is not known. */
    NOT_FOUND,
    /** The driver broke the SPI contract: threw where it must not, returned invalid values, hung. */
    DRIVER_CONTRACT_VIOLATION,
    /** A driver provider could not be loaded or is incompatible with this SDK. */
    DRIVER_LOAD_FAILED,
    /** A backend with the same name is already open. */
    DUPLICATE_BACKEND,
    /** The volume metadata store failed to read or write. */
    METADATA_STORE_FAILED
}
