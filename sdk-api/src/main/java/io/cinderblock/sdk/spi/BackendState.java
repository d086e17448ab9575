package io.cinderblock.sdk.spi;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.ApiStatus;
import java.time.Clock;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

/**
 * Whether the storage device behind a backend can serve requests now, as opposed to whether the
 * service process runs. The answer of {@link VolumeDriver#backendState()}.
 *
 * @param status up or down
 * @param reason why, for an operator at 3 a.m.: {@code "volume group 'cinder' is missing"}; never a secret
 * @param observedAt when the driver looked
 */
@ApiStatus(value = ApiStatus.Status.STABLE, since = "0.1")
public record BackendState(Status status, String reason, Instant observedAt) {

    /** Cinder's {@code backend_state} values. */
    public enum Status {
        UP,
        DOWN;

        /** {@code up} or {@code down}, as on Cinder's wire. */
        public String wireValue() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Parses {@code up} or {@code down} (any case). */
        public static Optional<Status> fromWireValue(String value) {
            if (value == null) {
                return Optional.empty();
            }
            switch (value.strip().toLowerCase(Locale.ROOT)) {
                case "up":
                    return Optional.of(UP);
                case "down":
                    return Optional.of(DOWN);
                default:
                    return Optional.empty();
            }
        }
    }

    public BackendState {
        requireNonNull(status, "status is null");
        requireNonNull(reason, "reason is null");
        requireNonNull(observedAt, "observedAt is null");
        if (reason.isBlank()) {
            throw new IllegalArgumentException("A backend state needs a reason");
        }
    }

    /** The device is up. */
    public static BackendState up(String reason, Clock clock) {
        return new BackendState(Status.UP, reason, clock.instant());
    }

    /** The device is down. */
    public static BackendState down(String reason, Clock clock) {
        return new BackendState(Status.DOWN, reason, clock.instant());
    }

    /** Whether the status is {@link Status#UP}. */
    public boolean isUp() {
        return status == Status.UP;
    }
}
