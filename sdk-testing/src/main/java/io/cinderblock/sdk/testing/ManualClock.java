package io.cinderblock.sdk.testing;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.ApiStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A {@link Clock} that stands still until a test moves it: hand it to a driver through {@code
 * DriverContext.of(clock, logger)} (or to a host's {@code clock(...)} builder option) and step
 * time with {@link #advance} or {@link #set} instead of sleeping. Thread-safe: a driver's worker
 * threads see each move at once.
 *
 * <pre>{@code
 * ManualClock clock = ManualClock.at("2026-12-05T08:00:00Z");
 * VolumeDriver driver = provider.open(config, DriverContext.of(clock, logger));
 * clock.advance(Duration.ofMinutes(5));   // the driver's next observedAt() is 08:05
 * }</pre>
 *
 * @since 0.2
 */
@ApiStatus(value = ApiStatus.Status.EXPERIMENTAL, since = "0.2")
public final class ManualClock extends Clock {
    private final ZoneId zone;
    private volatile Instant now;

    private ManualClock(Instant now, ZoneId zone) {
        this.now = now;
        this.zone = zone;
    }

    /**
     * A clock in UTC showing {@code start} until moved.
     *
     * @param start the first instant; not null
     * @return the clock
     * @since 0.2
     */
    public static ManualClock at(Instant start) {
        return new ManualClock(requireNonNull(start, "start is null"), ZoneOffset.UTC);
    }

    /**
     * A clock in UTC showing the ISO-8601 instant {@code start}, e.g. {@code "2026-12-05T08:00:00Z"}.
     *
     * @param start an instant as {@link Instant#parse} reads it; not null
     * @return the clock
     * @throws java.time.format.DateTimeParseException if {@code start} is not an ISO-8601 instant
     * @since 0.2
     */
    public static ManualClock at(String start) {
        return at(Instant.parse(requireNonNull(start, "start is null")));
    }

    /**
     * Moves the clock forward.
     *
     * @param step how far; zero or positive (time never runs backwards on its own)
     * @return the new instant
     * @throws IllegalArgumentException if {@code step} is negative (the message names it)
     * @since 0.2
     */
    public synchronized Instant advance(Duration step) {
        requireNonNull(step, "step is null");
        if (step.isNegative()) {
            throw new IllegalArgumentException("step must not be negative: " + step + " (use set() to go back)");
        }
        now = now.plus(step);
        return now;
    }

    /**
     * Sets the clock to {@code instant}, earlier or later: how a test shows a driver a clock that
     * jumped back.
     *
     * @param instant the new instant; not null
     * @since 0.2
     */
    public void set(Instant instant) {
        now = requireNonNull(instant, "instant is null");
    }

    /**
     * {@inheritDoc}
     *
     * @since 0.2
     */
    @Override
    public ZoneId getZone() {
        return zone;
    }

    /**
     * A clock that shares this one's time (moving either moves both) in another zone.
     *
     * @param zone the zone; not null
     * @return a clock in {@code zone} that reads this clock's instant
     * @since 0.2
     */
    @Override
    public Clock withZone(ZoneId zone) {
        requireNonNull(zone, "zone is null");
        ManualClock owner = this;
        return new Clock() {
            @Override
            public ZoneId getZone() {
                return zone;
            }

            @Override
            public Clock withZone(ZoneId other) {
                return owner.withZone(other);
            }

            @Override
            public Instant instant() {
                return owner.instant();
            }
        };
    }

    /**
     * {@return the instant the test last set}
     *
     * @since 0.2
     */
    @Override
    public Instant instant() {
        return now;
    }

    /**
     * {@return the clock's current instant and zone, for assertion messages}
     *
     * @since 0.2
     */
    @Override
    public String toString() {
        return "ManualClock[" + now + ", " + zone + "]";
    }
}
