package io.cinderblock.sdk.support;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.ApiStatus;
import java.time.Duration;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Daemon threads shared by many {@link BoundedCalls} guards, so that a process with thousands of
 * guards (one per backend) holds only as many threads as calls are running at once, not a few per
 * guard.
 *
 * <p>The pool is elastic: it has no fixed size and no queue. A call is handed to an idle thread or,
 * if none is idle, to a new one; a thread idle for the {@linkplain Builder#keepAlive(Duration)
 * keep-alive} ends. Its size is bounded by the guards that use it, never by the pool: each guard
 * keeps its own quota ({@link BoundedCalls.Builder#maxThreads(int)}), so a hung device occupies at
 * most its own guard's quota of threads and can never make another guard's call wait for a thread.
 * That is why the pool has no maximum of its own: a shared maximum would let one owner's hung calls
 * starve the others.
 *
 * <pre>{@code
 * // In a host: one pool for all backends, closed last.
 * try (GuardThreadPool threads = GuardThreadPool.builder("cinderblock-guard").build()) {
 *     BoundedCalls calls = BoundedCalls.builder("array-1").maxThreads(3).sharedThreads(threads).build();
 *     ...
 * }
 * }</pre>
 *
 * <p>Idle threads are named {@code <name>-<n>}; while a call runs, its thread is renamed {@code
 * cinderblock-<owner>-<kind>} (what a thread dump should show for a hung driver) and runs with the
 * owner's context class loader; afterwards the thread gets its idle name back and the platform
 * class loader, so an idle thread never keeps a driver's class loader reachable.
 *
 * <p>Thread-safe. Status {@code EXPERIMENTAL}: may change in a minor version.
 */
@ApiStatus(value = ApiStatus.Status.EXPERIMENTAL, since = "0.2")
public final class GuardThreadPool implements AutoCloseable {
    private final String name;
    private final Duration keepAlive;
    private final ThreadPoolExecutor executor;

    private GuardThreadPool(Builder b) {
        this.name = b.name;
        this.keepAlive = b.keepAlive;
        AtomicInteger numbers = new AtomicInteger();
        ClassLoader idleLoader = ClassLoader.getPlatformClassLoader();
        // Core 0, no queue, no maximum: a call goes to an idle thread or a new one at once; the
        // guards' quotas bound the total (see the class comment).
        this.executor = new ThreadPoolExecutor(0, Integer.MAX_VALUE, keepAlive.toNanos(), TimeUnit.NANOSECONDS,
                new SynchronousQueue<>(), r -> {
                    Thread t = new Thread(r, name + "-" + numbers.incrementAndGet());
                    t.setDaemon(true);
                    t.setContextClassLoader(idleLoader);
                    return t;
                });
    }

    /**
     * Starts a pool whose idle threads are named {@code <name>-<n>}.
     *
     * @param name printable, non-blank
     * @return a builder with the defaults
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** The executor the guards hand their calls to; package-private so only guards use it. */
    ThreadPoolExecutor executor() {
        return executor;
    }

    /**
     * The name given to {@link #builder(String)}.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * How long an idle thread waits for a call before it ends.
     *
     * @return the keep-alive
     */
    public Duration keepAlive() {
        return keepAlive;
    }

    /**
     * How many threads exist now, busy or idle (idle ones end after the keep-alive).
     *
     * @return the number of threads
     */
    public int threadCount() {
        return executor.getPoolSize();
    }

    /**
     * About how many threads are running a call now (including calls stuck past their deadline).
     *
     * @return the approximate number of busy threads
     */
    public int busyThreads() {
        return executor.getActiveCount();
    }

    /**
     * The most threads that existed at once since the pool was built.
     *
     * @return the high-water mark
     */
    public int largestThreadCount() {
        return executor.getLargestPoolSize();
    }

    /**
     * Whether {@link #close()} was called; every guard on a closed pool refuses calls with {@link
     * CallTimeoutException.Reason#CLOSED}.
     *
     * @return true once closed
     */
    public boolean isClosed() {
        return executor.isShutdown();
    }

    /**
     * Refuses further calls of every guard on this pool and interrupts running ones. Threads stuck
     * in code that ignores interrupts stay until that code returns (they are daemon threads, so they
     * never keep the JVM alive). Close it after the guards that use it. Idempotent.
     */
    @Override
    public void close() {
        executor.shutdownNow();
    }

    @Override
    public String toString() {
        return "GuardThreadPool[" + name + ", threads=" + executor.getPoolSize() + ", busy="
                + executor.getActiveCount() + "]";
    }

    /** Builds a {@link GuardThreadPool}. */
    public static final class Builder {
        private final String name;
        private Duration keepAlive = Duration.ofSeconds(30);

        private Builder(String name) {
            requireNonNull(name, "name is null");
            if (name.isBlank()) {
                throw new IllegalArgumentException("Guard thread pool name is blank");
            }
            this.name = name;
        }

        /**
         * How long an idle thread waits for the next call before it ends; default 30 s. Shorter
         * keeps fewer idle threads after a burst; longer saves thread starts when calls come in
         * rounds spaced further apart than the keep-alive.
         *
         * @param value positive
         * @return this builder
         * @throws IllegalArgumentException if {@code value} is not positive
         */
        public Builder keepAlive(Duration value) {
            requireNonNull(value, "keepAlive is null");
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException("keepAlive " + value + " is not positive");
            }
            this.keepAlive = value;
            return this;
        }

        /**
         * The pool; close it after every guard that uses it.
         *
         * @return a new pool, with no thread until the first call
         */
        public GuardThreadPool build() {
            return new GuardThreadPool(this);
        }
    }
}
