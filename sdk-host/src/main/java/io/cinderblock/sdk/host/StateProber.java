package io.cinderblock.sdk.host;

import io.cinderblock.sdk.spi.BackendState;
import io.cinderblock.sdk.spi.VolumeDriver;
import io.cinderblock.sdk.support.BoundedCalls;
import io.cinderblock.sdk.support.CallTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * Probes a backend's state through the driver's {@code backendState()} on the backend's {@link
 * BoundedCalls} lane {@value #KIND}, bounded by the driver's deadline plus the registry's grace,
 * and remembers the newest state (a failed stats refresh also reports here). Never throws: every
 * failure is a {@code DOWN} with a reason, scrubbed of secrets.
 */
final class StateProber {
    static final String KIND = "state";
    static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(10);

    private final VolumeDriver driver;
    private final BoundedCalls calls;
    private final DriverCallGuard guard;
    private final Clock clock;
    private final Duration grace;
    private volatile BackendState last;

    StateProber(VolumeDriver driver, BoundedCalls calls, DriverCallGuard guard, Clock clock, Duration grace) {
        this.driver = driver;
        this.calls = calls;
        this.guard = guard;
        this.clock = clock;
        this.grace = grace;
    }

    /** Probes now; returns within the driver's deadline plus the grace. */
    BackendState probe() {
        Duration driverDeadline = stateDeadline();
        Duration deadline = driverDeadline.plus(grace);
        BackendState state;
        try {
            state = calls.call(KIND, deadline, () -> {
                try {
                    return driver.backendState();
                } catch (RuntimeException | Error e) {
                    throw new DriverThrew(e); // kept apart from the guard's own CallTimeoutException
                }
            });
        } catch (DriverThrew e) {
            Throwable cause = e.getCause();
            return record(BackendState.down("Driver '" + guard.driverId() + "' threw from backendState(): "
                    + cause.getClass().getSimpleName() + ": " + cause.getMessage(), clock));
        } catch (CallTimeoutException e) {
            return record(BackendState.down(reasonFor(e, deadline, driverDeadline), clock));
        }
        if (state == null) {
            return record(BackendState.down("Driver '" + guard.driverId() + "' returned no state (null)", clock));
        }
        return record(state);
    }

    private String reasonFor(CallTimeoutException e, Duration deadline, Duration driverDeadline) {
        switch (e.reason()) {
            case OVERRAN:
            case LANE_BUSY:
                return "State probe did not return within " + deadline.toMillis() + " ms (driver deadline "
                        + driverDeadline.toMillis() + " ms)";
            case STILL_STUCK:
                return "The previous state probe of driver '" + guard.driverId() + "' has not returned; the driver is hung";
            case INTERRUPTED:
                return "Interrupted while probing the backend state";
            default:
                return "Cannot start a state probe: " + e.getMessage();
        }
    }

    /** Records a state the facade learned otherwise (closed backend, failed stats refresh). */
    BackendState record(BackendState state) {
        String reason = guard.redact(state.reason());
        // The driver must not put a secret in its reason; if it does, the facade still never shows it.
        BackendState shown = reason.equals(state.reason())
                ? state
                : new BackendState(state.status(), reason, state.observedAt());
        last = shown;
        return shown;
    }

    /** Records a {@code DOWN} with this reason, observed now. */
    BackendState recordDown(String reason) {
        return record(BackendState.down(reason, clock));
    }

    Optional<BackendState> last() {
        return Optional.ofNullable(last);
    }

    /** The driver's declared probe deadline; {@link #DEFAULT_DEADLINE} if the driver fails to say. */
    Duration stateDeadline() {
        try {
            Duration declared = driver.stateDeadline();
            return declared != null && !declared.isNegative() && !declared.isZero() ? declared : DEFAULT_DEADLINE;
        } catch (RuntimeException e) {
            return DEFAULT_DEADLINE;
        }
    }

    /** Carries what the driver threw out of the guard thread, distinct from the guard's own refusals. */
    static final class DriverThrew extends RuntimeException {
        private static final long serialVersionUID = 1L;

        DriverThrew(Throwable cause) {
            super(cause);
        }
    }
}
