package io.cinderblock.sdk.support;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.ApiStatus;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs calls that may hang (a device call, a driver call) with a deadline, on a small bounded pool
 * of daemon threads, so that a hung device costs at most one thread per kind of call and never
 * blocks the caller past its deadline.
 *
 * <p>Every call names its <em>kind</em> ({@code "stats"}, {@code "state"}, {@code "ssh"}, ...). A
 * kind is one lane: at most one call of a kind runs at a time. A caller waits for the lane no
 * longer than its own deadline; once a call of a kind has overrun its deadline and is still inside
 * (the device hangs and the code ignores interrupts), every later call of that kind fails at once
 * with {@link CallTimeoutException.Reason#STILL_STUCK} instead of sending another thread in. When
 * the stuck call finally returns, its lane opens again. Use separate kinds for calls that may run
 * in parallel.
 *
 * <pre>{@code
 * // In a driver: one instance per backend, closed with the driver.
 * BoundedCalls calls = BoundedCalls.builder("array-1")
 *         .contextClassLoader(MyDriver.class.getClassLoader())
 *         .build();
 * String answer = calls.call("rest", Duration.ofSeconds(5), () -> http.get("/redfish/v1/Systems"));
 * }</pre>
 *
 * <p>Threads are daemon threads named {@code cinderblock-<owner>-<n>}, at most {@link
 * Builder#maxThreads(int)} of them (idle ones are reused, and end after 30 s); a call that finds
 * them all busy waits for one within its deadline, then fails with {@link
 * CallTimeoutException.Reason#SATURATED} without ever running. Each call runs with the configured
 * class loader as its thread context class loader (give the driver's, so that {@code
 * ServiceLoader} and JAXP lookups inside the call see the driver's jar). A call that overruns is
 * interrupted once; code that honours interrupts leaves the lane at once.
 *
 * <p>Exceptions of the call itself reach the caller unchanged (checked ones too: the call's
 * declared exception type is the method's). Only the guard's own refusals are {@link
 * CallTimeoutException}, a {@link io.cinderblock.sdk.error.DeviceUnavailableException}, so a
 * driver may simply let them propagate.
 *
 * <p>Thread-safe. Status {@code EXPERIMENTAL}: may change in a minor version.
 */
@ApiStatus(value = ApiStatus.Status.EXPERIMENTAL, since = "0.2")
public final class BoundedCalls implements AutoCloseable {

    /**
     * A call that may throw a checked exception of type {@code E}.
     *
     * @param <T> what the call returns
     * @param <E> the checked exception it may throw ({@link RuntimeException} for none)
     */
    @FunctionalInterface
    public interface BoundedCall<T, E extends Exception> {
        /**
         * Runs on a guard thread, with the configured context class loader.
         *
         * @return the call's result, which may be null
         * @throws E the call's own checked failure
         */
        T call() throws E;
    }

    private final String owner;
    private final ClassLoader contextClassLoader;
    private final int maxThreads;
    private final ThreadPoolExecutor pool;
    private final Map<String, Lane> lanes = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private BoundedCalls(Builder b) {
        this.owner = b.owner;
        this.contextClassLoader = b.contextClassLoader;
        this.maxThreads = b.maxThreads;
        AtomicInteger numbers = new AtomicInteger();
        // No queue and no core threads: a call is handed to an idle thread or a new one (up to
        // maxThreads), so idle threads are reused and a hung one never has calls parked behind it.
        this.pool = new ThreadPoolExecutor(0, maxThreads, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "cinderblock-" + owner + "-" + numbers.incrementAndGet());
            t.setDaemon(true);
            t.setContextClassLoader(contextClassLoader);
            return t;
        });
    }

    /**
     * Starts a guard for one owner (a backend name, a device address), which names its threads.
     *
     * @param owner printable, non-blank: it appears in thread names and messages
     * @return a builder with the defaults
     * @throws IllegalArgumentException if {@code owner} is blank
     */
    public static Builder builder(String owner) {
        return new Builder(owner);
    }

    /**
     * Runs {@code call} on a guard thread and returns its result, or fails by {@code deadline}.
     *
     * @param <T> what the call returns
     * @param <E> the checked exception the call may throw
     * @param kind the lane (see the class comment); non-blank
     * @param deadline how long the caller waits, for the lane and the call together; positive
     * @param call the call; its own exceptions reach the caller unchanged
     * @return what the call returned (may be null if the call returns null)
     * @throws E what the call threw
     * @throws CallTimeoutException if the call overran the deadline, a call of this kind is still
     *     stuck from before, the lane stayed busy past the deadline, every thread is busy, the
     *     caller was interrupted, or the guard is closed
     * @throws IllegalArgumentException if {@code kind} is blank or {@code deadline} is not positive
     */
    public <T, E extends Exception> T call(String kind, Duration deadline, BoundedCall<T, E> call) throws E {
        requireNonNull(kind, "kind is null");
        requireNonNull(deadline, "deadline is null");
        requireNonNull(call, "call is null");
        if (kind.isBlank()) {
            throw new IllegalArgumentException("Call kind is blank");
        }
        if (deadline.isNegative() || deadline.isZero()) {
            throw new IllegalArgumentException("Deadline " + deadline + " for '" + kind + "' calls is not positive");
        }
        long start = System.nanoTime();
        long budget = deadline.toNanos();
        if (closed) {
            throw refusal(kind, CallTimeoutException.Reason.CLOSED, deadline,
                    "'" + kind + "' call of " + owner + " refused: the guard is closed");
        }
        Lane lane = lanes.computeIfAbsent(kind, k -> new Lane());
        Attempt<T> stuck = lane.stuckCall();
        if (stuck != null) {
            throw refusal(kind, CallTimeoutException.Reason.STILL_STUCK, deadline, "The previous '" + kind
                    + "' call of " + owner + " has not returned for " + millis(System.nanoTime() - stuck.abandonedAt)
                    + " ms after its deadline; no further thread is sent in");
        }
        try {
            if (!lane.permit.tryAcquire(budget, TimeUnit.NANOSECONDS)) {
                throw refusal(kind, lane.stuckCall() != null ? CallTimeoutException.Reason.STILL_STUCK
                        : CallTimeoutException.Reason.LANE_BUSY, deadline, "Another '" + kind + "' call of " + owner
                        + " kept the lane busy for the whole deadline of " + deadline.toMillis() + " ms");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw refusal(kind, CallTimeoutException.Reason.INTERRUPTED, deadline,
                    "Interrupted while waiting for a '" + kind + "' call of " + owner);
        }
        Attempt<T> attempt = new Attempt<>(lane, call, contextClassLoader);
        handOff(attempt, lane, kind, deadline, start, budget);
        long left = budget - (System.nanoTime() - start);
        try {
            return attempt.result.get(Math.max(left, 0), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw giveUp(attempt, lane, kind, deadline, false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw giveUp(attempt, lane, kind, deadline, true);
        } catch (ExecutionException e) {
            throw BoundedCalls.<E>rethrow(e.getCause());
        }
    }

    /**
     * Hands the attempt to a thread, retrying within the deadline while all are busy (a thread that
     * has just finished may not be waiting for work yet); releases the lane on every refusal.
     */
    private void handOff(Attempt<?> attempt, Lane lane, String kind, Duration deadline, long start, long budget) {
        while (true) {
            try {
                pool.execute(attempt);
                return;
            } catch (RejectedExecutionException e) {
                if (closed || pool.isShutdown()) {
                    lane.permit.release();
                    throw refusal(kind, CallTimeoutException.Reason.CLOSED, deadline,
                            "'" + kind + "' call of " + owner + " refused: the guard is closed");
                }
                long left = budget - (System.nanoTime() - start);
                if (left <= 0) {
                    lane.permit.release();
                    throw refusal(kind, CallTimeoutException.Reason.SATURATED, deadline, "'" + kind + "' call of "
                            + owner + " found all " + maxThreads + " guard threads busy for its whole deadline of "
                            + deadline.toMillis() + " ms");
                }
                LockSupport.parkNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(2)));
                if (Thread.currentThread().isInterrupted()) {
                    lane.permit.release();
                    throw refusal(kind, CallTimeoutException.Reason.INTERRUPTED, deadline,
                            "Interrupted while waiting for a '" + kind + "' call of " + owner);
                }
            }
        }
    }

    /** The caller stops waiting: marks the lane stuck if the call is still inside. */
    private CallTimeoutException giveUp(Attempt<?> attempt, Lane lane, String kind, Duration deadline,
            boolean interrupted) {
        if (attempt.abandon() == Attempt.Abandoned.INSIDE) {
            lane.stuck = attempt;
        }
        if (interrupted) {
            return refusal(kind, CallTimeoutException.Reason.INTERRUPTED, deadline,
                    "Interrupted while waiting for a '" + kind + "' call of " + owner);
        }
        return refusal(kind, CallTimeoutException.Reason.OVERRAN, deadline, "'" + kind + "' call of " + owner
                + " did not return within " + deadline.toMillis() + " ms");
    }

    /**
     * Whether a call of {@code kind} overran its deadline and is still inside.
     *
     * @param kind the lane
     * @return true while such a call has not returned
     */
    public boolean isStuck(String kind) {
        Lane lane = lanes.get(requireNonNull(kind, "kind is null"));
        return lane != null && lane.stuckCall() != null;
    }

    /**
     * How many guard threads exist now, busy or idle; never more than {@link Builder#maxThreads(int)}.
     *
     * @return the number of threads
     */
    public int threadCount() {
        return pool.getPoolSize();
    }

    /**
     * The owner that names the threads.
     *
     * @return the owner given to {@link #builder(String)}
     */
    public String owner() {
        return owner;
    }

    /**
     * Refuses further calls and interrupts running ones. Threads stuck in code that ignores
     * interrupts stay until that code returns (they are daemon threads, so they never keep the JVM
     * alive). Idempotent.
     */
    @Override
    public void close() {
        closed = true;
        pool.shutdownNow();
    }

    @Override
    public String toString() {
        return "BoundedCalls[" + owner + ", threads=" + pool.getPoolSize() + "/" + maxThreads + "]";
    }

    private static CallTimeoutException refusal(String kind, CallTimeoutException.Reason reason, Duration deadline,
            String message) {
        return new CallTimeoutException(kind, reason, deadline, message);
    }

    private static long millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(Math.max(nanos, 0));
    }

    /** The call's own exception, unchanged: unchecked ones as they are, a checked one as the call's {@code E}. */
    @SuppressWarnings("unchecked")
    private static <E extends Exception> E rethrow(Throwable cause) throws E {
        if (cause instanceof RuntimeException) {
            throw (RuntimeException) cause;
        }
        if (cause instanceof Error) {
            throw (Error) cause;
        }
        throw (E) cause;
    }

    /** One kind's lane: one permit, and the call that overran while still inside, if any. */
    private static final class Lane {
        final Semaphore permit = new Semaphore(1);
        volatile Attempt<?> stuck;

        @SuppressWarnings("unchecked")
        <T> Attempt<T> stuckCall() {
            Attempt<?> s = stuck;
            if (s != null && s.hasReturned()) {
                stuck = null;
                return null;
            }
            return (Attempt<T>) s;
        }
    }

    /** One call on a guard thread; releases its lane whether it ran, failed or was abandoned before starting. */
    private static final class Attempt<T> implements Runnable {
        private static final int PENDING = 0;
        private static final int RUNNING = 1;
        private static final int RETURNED = 2;
        private static final int ABANDONED = 3;

        final CompletableFuture<T> result = new CompletableFuture<>();
        private final Lane lane;
        private final BoundedCall<T, ?> call;
        private final ClassLoader loader;
        private int phase = PENDING; // guarded by this
        private Thread runner; // guarded by this
        volatile long abandonedAt;

        Attempt(Lane lane, BoundedCall<T, ?> call, ClassLoader loader) {
            this.lane = lane;
            this.call = call;
            this.loader = loader;
        }

        @Override
        public void run() {
            synchronized (this) {
                if (phase != PENDING) {
                    return; // abandoned before a thread picked it up (and its lane released): never call in
                }
                phase = RUNNING;
                runner = Thread.currentThread();
            }
            Thread self = Thread.currentThread();
            // Reset per call: code inside may have changed it on a previous call.
            self.setContextClassLoader(loader);
            try {
                result.complete(call.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            } finally {
                synchronized (this) {
                    phase = RETURNED;
                    runner = null;
                    Thread.interrupted(); // an abandon's interrupt must not hit the next call on this thread
                }
                lane.permit.release();
            }
        }

        /** Where a call was when its caller gave up. */
        enum Abandoned {
            /** Handed to a thread that has not started it: it will never run, and its lane is free again. */
            BEFORE_START,
            /** Inside the call: interrupted once, and it holds its lane until it returns. */
            INSIDE,
            /** It had already returned. */
            AFTER_RETURN
        }

        /** Gives up on the call. */
        synchronized Abandoned abandon() {
            if (phase == PENDING) {
                phase = ABANDONED;
                lane.permit.release();
                return Abandoned.BEFORE_START;
            }
            if (phase == RUNNING) {
                abandonedAt = System.nanoTime();
                runner.interrupt();
                return Abandoned.INSIDE;
            }
            return Abandoned.AFTER_RETURN;
        }

        synchronized boolean hasReturned() {
            return phase != RUNNING;
        }
    }

    /** Builds a {@link BoundedCalls}. */
    public static final class Builder {
        private final String owner;
        private ClassLoader contextClassLoader = Thread.currentThread().getContextClassLoader();
        private int maxThreads = 4;

        private Builder(String owner) {
            requireNonNull(owner, "owner is null");
            if (owner.isBlank()) {
                throw new IllegalArgumentException("Owner name is blank");
            }
            this.owner = owner;
        }

        /**
         * The thread context class loader every call runs with; give the driver's own class
         * loader. Default: the context class loader of the thread that created this builder.
         *
         * @param value the class loader
         * @return this builder
         */
        public Builder contextClassLoader(ClassLoader value) {
            this.contextClassLoader = requireNonNull(value, "contextClassLoader is null");
            return this;
        }

        /**
         * The most threads the guard ever holds (busy or idle); at least 1, default 4. A call that
         * finds them all busy waits within its deadline, then fails with {@link
         * CallTimeoutException.Reason#SATURATED}.
         *
         * @param value the maximum, at least 1
         * @return this builder
         */
        public Builder maxThreads(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("maxThreads " + value + " is below 1");
            }
            this.maxThreads = value;
            return this;
        }

        /**
         * The guard; close it when its owner closes.
         *
         * @return a new guard
         */
        public BoundedCalls build() {
            return new BoundedCalls(this);
        }
    }
}
