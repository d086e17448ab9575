package io.cinderblock.sdk.host.metadata;

import io.cinderblock.sdk.ApiStatus;

/**
 * Where a volume or snapshot stands. The {@code ING} states are written before the device call
 * and replaced after it, so a record left in one of them after a crash shows an operation whose
 * outcome on the device is unknown: retry it, or delete (deletes are idempotent).
 */
@ApiStatus(value = ApiStatus.Status.STABLE, since = "0.1")
public enum RecordStatus {
    /** Recorded; the device call to create it has not returned yet (or the process died during it). */
    CREATING,
    /** Exists on the device and is usable. */
    AVAILABLE,
    /** An extend is under way; the size is still the old one. */
    EXTENDING,
    /** A delete is under way; the record goes once the device call returns. */
    DELETING,
    /** A device call failed in a way that may have left it half done; delete it to clean up. */
    ERROR
}
