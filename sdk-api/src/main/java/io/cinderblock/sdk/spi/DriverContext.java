package io.cinderblock.sdk.spi;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.ApiStatus;
import java.time.Clock;

/**
 * What the host gives a driver besides its configuration. Drivers take time from {@link #clock()}
 * (so tests can control it) and log through {@link #logger()} (so the host decides where logs go).
 */
@ApiStatus(value = ApiStatus.Status.STABLE, since = "0.1")
public interface DriverContext {

    /** The clock for {@link BackendState#observedAt()} and {@link BackendStats#collectedAt()}. */
    Clock clock();

    /** A logger named after the driver and backend. Never log a secret option's value. */
    System.Logger logger();

    /** A context with the system clock and a {@link System.Logger} named {@code cinderblock.driver.<backendName>}. */
    static DriverContext standard(String backendName) {
        requireNonNull(backendName, "backendName is null");
        return of(Clock.systemUTC(), System.getLogger("cinderblock.driver." + backendName));
    }

    /** A context with the given clock and logger; hosts that keep their own clock use this. */
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
