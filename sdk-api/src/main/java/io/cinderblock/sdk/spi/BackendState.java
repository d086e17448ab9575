package io.cinderblock.sdk.spi;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.ApiStatus;
import java.time.Clock;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

/**
 * Whether the storage device behind a backend can serve requests now, as opposed to whether the
 * service process runs. The answer of {@link VolumeDriver#backendState()}; drivers build it with
 * {@link #up(String, Clock)} and {@link #down(String, Clock)}.
 *
 * @param status up or down
 * @param reason why, for an operator at 3 a.m.: {@code "volume group 'cinder' is missing"}; never a secret
 * @param observedAt when the driver looked
 * @since 0.1
 */
@ApiStatus(value = ApiStatus.Status.STABLE, since = "0.1")
public record BackendState(Status status, String reason, Instant observedAt) {

    /**
     * Cinder's {@code backend_state} values.
     *
     * @since 0.1
     */
    public enum Status {
        /**
         * The device can serve requests.
         *
         * @since 0.1
         */
        UP,
        /**
         * The device cannot serve requests, or did not say in time.
         *
         * @since 0.1
         */
        DOWN;

        /**
         * {@return {@code up} or {@code down}, as on Cinder's wire}
         *
         * @since 0.1
         */
        public String wireValue() {
            return name().toLowerCase(Locale.ROOT);
        }

        /**
         * Parses {@code up} or {@code down} (any case, surrounding blanks ignored).
         *
         * @param value the text; {@code null} gives empty
         * @return the status, or empty for anything else
         * @since 0.1
         */
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

    /**
     * Checks the components. Prefer {@link #up(String, Clock)} and {@link #down(String, Clock)}.
     *
     * @param status up or down; not null
     * @param reason why; not blank
     * @param observedAt when; not null
     * @throws IllegalArgumentException if the reason is blank
     * @since 0.1
     */
    public BackendState {
        requireNonNull(status, "status is null");
        requireNonNull(reason, "reason is null");
        requireNonNull(observedAt, "observedAt is null");
        if (reason.isBlank()) {
            throw new IllegalArgumentException("A backend state needs a reason");
        }
    }

    /**
     * The device is up, observed now.
     *
     * @param reason what was checked, e.g. {@code "volume group 'cinder' has 3 PVs"}; not blank
     * @param clock the context's clock
     * @return the state
     * @since 0.1
     */
    public static BackendState up(String reason, Clock clock) {
        return new BackendState(Status.UP, reason, clock.instant());
    }

    /**
     * The device is down, observed now.
     *
     * @param reason what an operator should fix, no secret; not blank
     * @param clock the context's clock
     * @return the state
     * @since 0.1
     */
    public static BackendState down(String reason, Clock clock) {
        return new BackendState(Status.DOWN, reason, clock.instant());
    }

    /**
     * {@return whether the status is {@link Status#UP}}
     *
     * @since 0.1
     */
    public boolean isUp() {
        return status == Status.UP;
    }
}
