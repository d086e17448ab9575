package io.cinderblock.sdk.support;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.ApiStatus;
import io.cinderblock.sdk.error.DeviceUnavailableException;
import java.time.Duration;

/**
 * A {@link BoundedCalls} guard gave up on a call, or refused to start it: the device (or the code
 * calling it) did not answer in time. A {@link DeviceUnavailableException}, so a driver may let it
 * propagate from {@code collectStats()} or an operation and callers read it as "the device is not
 * answering". {@link #reason()} says which limit was hit; the message names the call kind, its
 * owner and the deadline.
 */
@ApiStatus(value = ApiStatus.Status.EXPERIMENTAL, since = "0.2")
public final class CallTimeoutException extends DeviceUnavailableException {
    private static final long serialVersionUID = 1L;

    /** Which limit a call hit. */
    public enum Reason {
        /** The call ran and did not return within its deadline (it was interrupted once). */
        OVERRAN,
        /** An earlier call of the same kind overran and is still inside; no thread was sent in. */
        STILL_STUCK,
        /** Another call of the same kind, still within its own deadline, held the lane past this one's. */
        LANE_BUSY,
        /** Every guard thread stayed busy with other kinds for the call's whole deadline; it never ran. */
        SATURATED,
        /** The caller's thread was interrupted while it waited. */
        INTERRUPTED,
        /** The guard was closed. */
        CLOSED
    }

    /** The call kind (lane). */
    private final String kind;
    /** Which limit was hit. */
    private final Reason reason;
    /** The call's deadline. */
    private final Duration deadline;

    /**
     * A refusal or give-up of one call.
     *
     * @param kind the call kind
     * @param reason which limit was hit
     * @param deadline the call's deadline
     * @param message names the kind, the owner and the limit
     */
    public CallTimeoutException(String kind, Reason reason, Duration deadline, String message) {
        super(message);
        this.kind = requireNonNull(kind, "kind is null");
        this.reason = requireNonNull(reason, "reason is null");
        this.deadline = requireNonNull(deadline, "deadline is null");
    }

    /**
     * The kind of call.
     *
     * @return the kind, as given to {@link BoundedCalls#call}
     */
    public String kind() {
        return kind;
    }

    /**
     * Which limit was hit.
     *
     * @return the reason
     */
    public Reason reason() {
        return reason;
    }

    /**
     * The deadline the call had.
     *
     * @return the deadline
     */
    public Duration deadline() {
        return deadline;
    }
}
