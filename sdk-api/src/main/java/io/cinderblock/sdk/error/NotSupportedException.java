package io.cinderblock.sdk.error;

import io.cinderblock.sdk.ApiStatus;
import io.cinderblock.sdk.spi.Capability;
import java.util.Objects;

/**
 * The driver does not offer an operation: it did not declare the {@link Capability}. Distinct from
 * an operation that is supported but failed ({@link ErrorCode#OPERATION_FAILED}). Its code is
 * always {@link ErrorCode#NOT_SUPPORTED}.
 *
 * <p>Thrown by the default methods of {@link io.cinderblock.sdk.spi.VolumeDriver} for optional
 * operations, and by hosts that refuse an undeclared operation before it reaches the driver.
 * Drivers rarely construct it themselves.
 *
 * @since 0.1
 */
@ApiStatus(value = ApiStatus.Status.STABLE, since = "0.1")
public class NotSupportedException extends CinderblockException {
    private static final long serialVersionUID = 1L;

    /** The capability the caller needed; never null. */
    private final Capability capability;

    /**
     * An exception whose message names the driver and the capability's wire name.
     *
     * @param capability the capability the operation needs; not null
     * @param driverId the id of the driver that lacks it
     * @since 0.1
     */
    public NotSupportedException(Capability capability, String driverId) {
        super(ErrorCode.NOT_SUPPORTED,
                "Driver '" + driverId + "' does not support '"
                        + Objects.requireNonNull(capability, "capability is null").wireName() + "'");
        this.capability = capability;
    }

    /**
     * {@return the capability the caller needed}
     *
     * @since 0.1
     */
    public Capability capability() {
        return capability;
    }
}
