package io.cinderblock.sdk.error;

import io.cinderblock.sdk.ApiStatus;
import io.cinderblock.sdk.spi.Capability;
import java.util.Objects;

/**
 * The driver does not offer an operation: it did not declare the {@link Capability}. Distinct from
 * an operation that is supported but failed ({@link ErrorCode#OPERATION_FAILED}).
 */
@ApiStatus(value = ApiStatus.Status.STABLE, since = "0.1")
public class NotSupportedException extends CinderblockException {
    private static final long serialVersionUID = 1L;

    private final Capability capability;

    public NotSupportedException(Capability capability, String driverId) {
        super(ErrorCode.NOT_SUPPORTED,
                "Driver '" + driverId + "' does not support '" + capability.wireName() + "'");
        this.capability = Objects.requireNonNull(capability, "capability is null");
    }

    /** The capability the caller needed. */
    public Capability capability() {
        return capability;
    }
}
