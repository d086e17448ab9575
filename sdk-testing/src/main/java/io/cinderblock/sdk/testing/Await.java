package io.cinderblock.sdk.testing;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.ApiStatus;
import java.time.Duration;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Polls a value until it satisfies a condition, for tests of things that settle on another thread
 * or in another process (a backend's state after a fault, a service's answer after start). Always
 * bounded: it fails with the last value seen, never hangs.
 *
 * <pre>{@code
 * BackendState state = Await.until(Duration.ofSeconds(10), backend::state,
 *         s -> s.status() == BackendState.Status.UP, "backend up after the restart");
 * }</pre>
 *
 * @since 0.2
 */
@ApiStatus(value = ApiStatus.Status.EXPERIMENTAL, since = "0.2")
public final class Await {
    private static final Duration DEFAULT_POLL = Duration.ofMillis(25);

    private Await() {}

    /**
     * Reads {@code value} every 25 ms until {@code done} accepts it, and returns that value.
     * An exception from {@code value} counts as "not yet" and becomes the cause of the failure if
     * the time runs out while it is the last answer.
     *
     * @param <T> the value's type
     * @param timeout how long to keep polling; positive
     * @param value reads the value; called on the caller's thread
     * @param done the condition
     * @param what what the test waits for, for the failure message
     * @return the first value {@code done} accepted
     * @throws AssertionError after {@code timeout}, naming {@code what} and the last value, or when
     *     the waiting thread is interrupted (its interrupt flag is set again)
     * @throws IllegalArgumentException if {@code timeout} is not positive (the message names it)
     * @since 0.2
     */
    public static <T> T until(Duration timeout, Supplier<T> value, Predicate<? super T> done, String what) {
        return until(timeout, DEFAULT_POLL, value, done, what);
    }

    /**
     * As {@link #until(Duration, Supplier, Predicate, String)}, reading the value every {@code
     * every} instead: for values that are costly to read (a command-line client run, a process's
     * log).
     *
     * @param <T> the value's type
     * @param timeout how long to keep polling; positive
     * @param every the pause between two reads; positive
     * @param value reads the value; called on the caller's thread
     * @param done the condition
     * @param what what the test waits for, for the failure message
     * @return the first value {@code done} accepted
     * @throws AssertionError after {@code timeout}, naming {@code what} and the last value, or when
     *     the waiting thread is interrupted (its interrupt flag is set again)
     * @throws IllegalArgumentException if {@code timeout} or {@code every} is not positive (the
     *     message names it)
     * @since 0.2
     */
    public static <T> T until(Duration timeout, Duration every, Supplier<T> value, Predicate<? super T> done,
            String what) {
        requireNonNull(timeout, "timeout is null");
        requireNonNull(every, "every is null");
        if (every.isNegative() || every.isZero()) {
            throw new IllegalArgumentException("every must be positive: " + every);
        }
        requireNonNull(value, "value is null");
        requireNonNull(done, "done is null");
        requireNonNull(what, "what is null");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        T last = null;
        RuntimeException lastError;
        while (true) {
            try {
                last = value.get();
                lastError = null;
                if (done.test(last)) {
                    return last;
                }
            } catch (RuntimeException e) {
                lastError = e;
            }
            if (System.nanoTime() - deadline >= 0) {
                AssertionError failure = new AssertionError("Not reached within " + timeout + ": " + what
                        + "; last value: " + last);
                if (lastError != null) {
                    failure.initCause(lastError);
                }
                throw failure;
            }
            try {
                Thread.sleep(Math.max(1, every.toMillis()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("Interrupted while waiting for " + what + "; last value: " + last, e);
            }
        }
    }
}
