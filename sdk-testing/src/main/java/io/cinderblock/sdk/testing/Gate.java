package io.cinderblock.sdk.testing;

import io.cinderblock.sdk.ApiStatus;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A one-shot barrier for fake drivers: threads that {@link #pass()} it block until the test calls
 * {@link #open()}, and the test can wait until a given number of threads are blocked in it. Used to
 * hold a device read, an {@code open}, or a state probe where a test wants it.
 *
 * @since 0.2
 */
@ApiStatus(value = ApiStatus.Status.EXPERIMENTAL, since = "0.2")
public final class Gate {
    private final CountDownLatch opened = new CountDownLatch(1);
    private final Object monitor = new Object();
    private int entered;
    private int left;

    /** A closed gate. */
    public Gate() {}

    /**
     * A gate that is already open: {@link #pass()} returns at once but still counts.
     *
     * @return an open gate
     */
    public static Gate alwaysOpen() {
        Gate gate = new Gate();
        gate.open();
        return gate;
    }

    /**
     * Blocks until the gate opens, ignoring interrupts, as a thread stuck in a socket read without a
     * timeout does. The interrupt status is restored on the way out.
     */
    public void pass() {
        synchronized (monitor) {
            entered++;
            monitor.notifyAll();
        }
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    opened.await();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            synchronized (monitor) {
                left++;
                monitor.notifyAll();
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Lets every waiting and future thread through. */
    public void open() {
        opened.countDown();
    }

    /**
     * How many threads have reached the gate.
     *
     * @return the number of {@link #pass()} calls so far
     */
    public int entered() {
        synchronized (monitor) {
            return entered;
        }
    }

    /**
     * How many threads have gone through the gate after it opened.
     *
     * @return the number of {@link #pass()} calls that returned
     */
    public int left() {
        synchronized (monitor) {
            return left;
        }
    }

    /**
     * Waits until {@code count} threads have reached the gate.
     *
     * @param count how many threads
     * @param timeout how long to wait
     * @throws AssertionError fewer threads arrived within the timeout
     */
    public void awaitEntered(int count, Duration timeout) {
        awaitCounter(count, timeout, true);
    }

    /**
     * Waits until {@code count} threads have gone through the gate.
     *
     * @param count how many threads
     * @param timeout how long to wait
     * @throws AssertionError fewer threads went through within the timeout
     */
    public void awaitLeft(int count, Duration timeout) {
        awaitCounter(count, timeout, false);
    }

    private void awaitCounter(int count, Duration timeout, boolean enteredCounter) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (monitor) {
            while ((enteredCounter ? entered : left) < count) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    throw new AssertionError("Expected " + count + " threads " + (enteredCounter ? "at" : "through")
                            + " the gate within " + timeout + ", got " + (enteredCounter ? entered : left));
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(monitor, remaining);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("Interrupted while waiting at the gate", e);
                }
            }
        }
    }
}
