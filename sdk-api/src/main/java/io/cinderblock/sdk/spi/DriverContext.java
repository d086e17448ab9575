package io.cinderblock.sdk.spi;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.ApiStatus;
import java.time.Clock;

/**
 * What the host gives a driver besides its configuration. Drivers take time from {@link #clock()}
 * (so tests can control it) and log through {@link #logger()} (so the host decides where logs go).
 * Handed to {@link VolumeDriverProvider#open}; the driver may keep it for its lifetime and use it
 * from any thread, so implementations must be thread-safe.
 *
 * @since 0.1
 */
@ApiStatus(value = ApiStatus.Status.STABLE, since = "0.1")
public interface DriverContext {

    /**
     * {@return the clock for {@link BackendState#observedAt()} and {@link BackendStats#collectedAt()}}
     *
     * @since 0.1
     */
    Clock clock();

    /**
     * {@return a logger named after the driver and backend} Never log a secret option's value.
     *
     * @since 0.1
     */
    System.Logger logger();

    /**
     * A context with the system clock (UTC) and a {@link System.Logger} named {@code
     * cinderblock.driver.<backendName>}: what hosts without their own clock and drivers' own tests
     * use.
     *
     * @param backendName the backend's {@code volume_backend_name}; not null
     * @return the context
     * @since 0.1
     */
    static DriverContext standard(String backendName) {
        requireNonNull(backendName, "backendName is null");
        return of(Clock.systemUTC(), System.getLogger("cinderblock.driver." + backendName));
    }

    /**
     * A context with the given clock and logger; hosts that keep their own clock, and tests that
     * control time, use this.
     *
     * @param clock the clock; not null
     * @param logger the logger; not null
     * @return the context
     * @since 0.1
     */
    static DriverContext of(Clock clock, System.Logger logger) {
        requireNonNull(clock, "clock is null");
        requireNonNull(logger, "logger is null");
        return new DriverContext() {
            @Override
            public Clock clock() {
                return clock;
            }

            @Override
            public System.Logger logger() {
                return logger;
            }
        };
    }
}
