package io.cinderblock.driver.iscsi;

import java.time.Duration;

/**
 * A point in (monotonic) time by which a piece of work must be done. Shared by all requests of one
 * operation, so that a state probe of several round trips still ends in time.
 */
final class Deadline {
    private final long endNanos;

    private Deadline(long endNanos) {
        this.endNanos = endNanos;
    }

    static Deadline after(Duration duration) {
        return new Deadline(System.nanoTime() + duration.toNanos());
    }

    /** Time left; zero or negative once passed. */
    Duration remaining() {
        return Duration.ofNanos(endNanos - System.nanoTime());
    }

    boolean expired() {
        return endNanos - System.nanoTime() <= 0;
    }

    /** The shorter of {@code cap} and the time left. */
    Duration capped(Duration cap) {
        Duration left = remaining();
        return left.compareTo(cap) < 0 ? left : cap;
    }
}
