package io.cinderblock.sdk.support;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.ApiStatus;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
 * <p>A host with many guards (one per backend) gives them one {@link GuardThreadPool} with {@link
 * Builder#sharedThreads(GuardThreadPool)}: then {@code maxThreads} is the guard's quota of the
 * pool's threads rather than threads of its own, idle threads serve every guard, and a thread
 * carries the name {@code cinderblock-<owner>-<kind>} while it runs a call. The promise is the
 * same in both forms: at most {@code maxThreads} threads stuck per owner, one per kind, and a hung
 * owner never delays another owner's calls.
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
    /** The shared pool, or null when this guard owns its threads. */
    private final GuardThreadPool shared;
    private final ThreadPoolExecutor pool;
    /** This guard's threads: each call holds one permit from hand-off until it returns. */
    private final Semaphore quota;
    private final Set<GuardAttempt<?>> inFlight = ConcurrentHashMap.newKeySet();
    private final Map<String, GuardAttempt.Lane> lanes = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private BoundedCalls(Builder b) {
        this.owner = b.owner;
        this.contextClassLoader = b.contextClassLoader;
        this.maxThreads = b.maxThreads;
        this.quota = new Semaphore(maxThreads);
        this.shared = b.shared;
        if (shared != null) {
            this.pool = shared.executor();
        } else {
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
        GuardAttempt.Lane lane = lanes.computeIfAbsent(kind, k -> new GuardAttempt.Lane());
        GuardAttempt<?> stuck = lane.stuckCall();
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
            if (!quota.tryAcquire(Math.max(budget - (System.nanoTime() - start), 0), TimeUnit.NANOSECONDS)) {
                lane.permit.release();
                throw refusal(kind, CallTimeoutException.Reason.SATURATED, deadline, "'" + kind + "' call of "
                        + owner + " found all " + maxThreads + " guard threads busy (its quota) for its whole deadline of "
                        + deadline.toMillis() + " ms");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw refusal(kind, CallTimeoutException.Reason.INTERRUPTED, deadline,
                    "Interrupted while waiting for a '" + kind + "' call of " + owner);
        }
        GuardAttempt<T> attempt = newAttempt(lane, kind, deadline, call);
        handOff(attempt, kind, deadline, start, budget);
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

    private <T> GuardAttempt<T> newAttempt(GuardAttempt.Lane lane, String kind, Duration deadline,
            BoundedCall<T, ?> call) {
        // On a shared pool the thread carries the owner and kind while it runs the call, for thread dumps.
        String busyName = shared != null ? "cinderblock-" + owner + "-" + kind : null;
        return new GuardAttempt<>(kind, deadline, lane, quota, call, contextClassLoader, busyName, inFlight::remove);
    }

    /**
     * Hands the attempt to a thread, retrying within the deadline while all are busy (a thread that
     * has just finished may not be waiting for work yet); releases the permits on every refusal.
     */
    private void handOff(GuardAttempt<?> attempt, String kind, Duration deadline, long start, long budget) {
        inFlight.add(attempt);
        while (true) {
            if (closed) {
                attempt.abandon();
                throw refusal(kind, CallTimeoutException.Reason.CLOSED, deadline,
                        "'" + kind + "' call of " + owner + " refused: the guard is closed");
            }
            try {
                pool.execute(attempt);
                return;
            } catch (RejectedExecutionException e) {
                if (pool.isShutdown()) {
                    attempt.abandon();
                    throw refusal(kind, CallTimeoutException.Reason.CLOSED, deadline, "'" + kind + "' call of "
                            + owner + " refused: the guard" + (shared != null ? "'s shared thread pool" : "")
                            + " is closed");
                }
                long left = budget - (System.nanoTime() - start);
                if (left <= 0) {
                    attempt.abandon();
                    throw refusal(kind, CallTimeoutException.Reason.SATURATED, deadline, "'" + kind + "' call of "
                            + owner + " found all " + maxThreads + " guard threads busy for its whole deadline of "
                            + deadline.toMillis() + " ms");
                }
                LockSupport.parkNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(2)));
                if (Thread.currentThread().isInterrupted()) {
                    attempt.abandon();
                    throw refusal(kind, CallTimeoutException.Reason.INTERRUPTED, deadline,
                            "Interrupted while waiting for a '" + kind + "' call of " + owner);
                }
            }
        }
    }

    /** The caller stops waiting: marks the lane stuck if the call is still inside. */
    private CallTimeoutException giveUp(GuardAttempt<?> attempt, GuardAttempt.Lane lane, String kind,
            Duration deadline, boolean interrupted) {
        if (attempt.abandon() == GuardAttempt.Abandoned.INSIDE) {
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
        GuardAttempt.Lane lane = lanes.get(requireNonNull(kind, "kind is null"));
        return lane != null && lane.stuckCall() != null;
    }

    /**
     * How many threads this guard holds now: on its own threads, those that exist, busy or idle;
     * on a {@linkplain Builder#sharedThreads(GuardThreadPool) shared pool}, those running (or stuck
     * in) one of its calls. Never more than {@link Builder#maxThreads(int)}.
     *
     * @return the number of threads
     */
    public int threadCount() {
        return shared != null ? maxThreads - quota.availablePermits() : pool.getPoolSize();
    }

    /**
     * The shared pool this guard runs its calls on, if it was built with one.
     *
     * @return the pool, or empty when the guard has its own threads
     */
    @ApiStatus(value = ApiStatus.Status.EXPERIMENTAL, since = "0.2")
    public Optional<GuardThreadPool> sharedThreads() {
        return Optional.ofNullable(shared);
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
     * Refuses further calls, interrupts running ones, and answers every caller still waiting with
     * {@link CallTimeoutException.Reason#CLOSED}. On its own threads, ends them; on a shared pool,
     * gives back its quota as its calls return and leaves the pool (and other guards' calls) alone.
     * Threads stuck in code that ignores interrupts stay until that code returns (they are daemon
     * threads, so they never keep the JVM alive). Idempotent.
     */
    @Override
    public void close() {
        closed = true;
        for (GuardAttempt<?> attempt : inFlight) {
            attempt.abandon();
            attempt.result.completeExceptionally(refusal(attempt.kind, CallTimeoutException.Reason.CLOSED,
                    attempt.deadline, "'" + attempt.kind + "' call of " + owner + " ended: the guard was closed"));
        }
        if (shared == null) {
            pool.shutdownNow();
        }
    }

    @Override
    public String toString() {
        return "BoundedCalls[" + owner + ", threads=" + threadCount() + "/" + maxThreads
                + (shared != null ? ", shared=" + shared.name() : "") + "]";
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

    /** Builds a {@link BoundedCalls}. */
    public static final class Builder {
        private final String owner;
        private ClassLoader contextClassLoader = Thread.currentThread().getContextClassLoader();
        private int maxThreads = 4;
        private GuardThreadPool shared;

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
         * The most threads the guard ever holds (busy or idle; on a {@linkplain
         * #sharedThreads(GuardThreadPool) shared pool}, busy: its quota there); at least 1, default
         * 4. A call that finds them all busy waits within its deadline, then fails with {@link
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
         * Runs the calls on a pool shared with other guards instead of on threads of this guard's
         * own: threads are then held only while a call runs and serve every owner, so a process
         * with many guards holds as many threads as calls run at once. The isolation stays: this
         * guard never occupies more than {@link #maxThreads(int)} of the pool's threads (a hung
         * device costs at most that), and another guard's hung calls never make this one's wait.
         * Closing this guard leaves the pool open; closing the pool refuses every guard's calls.
         * Default: none, the guard has its own threads.
         *
         * @param pool the shared pool, open
         * @return this builder
         */
        @ApiStatus(value = ApiStatus.Status.EXPERIMENTAL, since = "0.2")
        public Builder sharedThreads(GuardThreadPool pool) {
            this.shared = requireNonNull(pool, "pool is null");
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
