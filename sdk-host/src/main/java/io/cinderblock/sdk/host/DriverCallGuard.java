package io.cinderblock.sdk.host;

import io.cinderblock.sdk.error.CinderblockException;
import io.cinderblock.sdk.error.DeviceUnavailableException;
import io.cinderblock.sdk.error.ErrorCode;
import io.cinderblock.sdk.error.InvalidConfigException;
import io.cinderblock.sdk.error.NotSupportedException;
import io.cinderblock.sdk.spi.DriverConfig;
import io.cinderblock.sdk.support.SecretScrubber;
import java.util.function.Supplier;

/**
 * Translates what a driver call throws into the SDK's typed errors and keeps every form of every
 * secret option's value out of messages and cause chains. One per backend (the scrubber is built
 * once); {@link #guard} serves calls made before a backend exists ({@code open}).
 */
final class DriverCallGuard {
    private final String driverId;
    private final SecretScrubber scrubber;

    DriverCallGuard(String driverId, DriverConfig config) {
        this(driverId, SecretScrubber.of(config));
    }

    private DriverCallGuard(String driverId, SecretScrubber scrubber) {
        this.driverId = driverId;
        this.scrubber = scrubber;
    }

    /** {@link #call} for a one-off call, e.g. the provider's {@code open}. */
    static <T> T guard(String driverId, String operation, DriverConfig config, Supplier<T> call) {
        return new DriverCallGuard(driverId, config).call(operation, call);
    }

    /**
     * Runs a driver call on the calling thread, passing typed SDK exceptions on and turning anything
     * else into {@link ErrorCode#DRIVER_CONTRACT_VIOLATION}; secret values are scrubbed from messages
     * (and the cause dropped when it held one).
     */
    <T> T call(String operation, Supplier<T> call) {
        try {
            return call.get();
        } catch (CinderblockException e) {
            throw clean(e);
        } catch (RuntimeException | LinkageError | AssertionError e) {
            throw untyped(operation, e);
        }
    }

    /** A typed exception as it may be shown: itself if it holds no secret, else rebuilt without its cause chain. */
    CinderblockException clean(CinderblockException e) {
        if (!scrubber.leaksFrom(e)) {
            return e;
        }
        // Rebuilt without the cause chain (which held the secret), keeping the type callers catch.
        String clean = redact(String.valueOf(e.getMessage()));
        if (e instanceof InvalidConfigException) {
            return new InvalidConfigException(((InvalidConfigException) e).option(), clean);
        }
        if (e instanceof DeviceUnavailableException) {
            return new DeviceUnavailableException(clean);
        }
        if (e instanceof NotSupportedException) {
            return new NotSupportedException(((NotSupportedException) e).capability(), driverId);
        }
        return new CinderblockException(e.code(), clean);
    }

    /** Any other failure: the driver broke the contract by throwing untyped. */
    CinderblockException untyped(String operation, Throwable e) {
        String clean = redact(e.getClass().getSimpleName() + ": " + e.getMessage());
        return new CinderblockException(ErrorCode.DRIVER_CONTRACT_VIOLATION, "Driver '" + driverId
                + "' failed in " + operation + " with an untyped error: " + clean, scrubber.leaksFrom(e) ? null : e);
    }

    /** The driver broke the SPI contract in a way the facade noticed (null result, wrong name). */
    CinderblockException contractViolation(String what) {
        return new CinderblockException(ErrorCode.DRIVER_CONTRACT_VIOLATION,
                "Driver '" + driverId + "' broke the SPI contract: " + what);
    }

    /** Every form of every secret option's value (plain, Base64, escaped, ...) masked. */
    String redact(String text) {
        return scrubber.scrub(text);
    }

    String driverId() {
        return driverId;
    }
}
