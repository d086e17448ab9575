package io.cinderblock.sdk.support;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;

/**
 * One call of a {@link BoundedCalls} guard on a guard thread. It holds two permits from hand-off
 * until it returns (or is abandoned before it starts): its lane's (one call per kind) and its
 * guard's quota (at most {@code maxThreads} threads per guard, also in a shared pool). Package-private.
 */
final class GuardAttempt<T> implements Runnable {
    private static final int PENDING = 0;
    private static final int RUNNING = 1;
    private static final int RETURNED = 2;
    private static final int ABANDONED = 3;

    /** One kind's lane: one permit, and the call that overran while still inside, if any. */
    static final class Lane {
        final Semaphore permit = new Semaphore(1);
        volatile GuardAttempt<?> stuck;

        GuardAttempt<?> stuckCall() {
            GuardAttempt<?> s = stuck;
            if (s != null && s.hasReturned()) {
                stuck = null;
                return null;
            }
            return s;
        }
    }

    /** Where a call was when its caller gave up. */
    enum Abandoned {
        /** Handed to a thread that has not started it: it will never run, and its permits are free again. */
        BEFORE_START,
        /** Inside the call: interrupted once, and it holds its permits until it returns. */
        INSIDE,
        /** It had already returned. */
        AFTER_RETURN
    }

    final CompletableFuture<T> result = new CompletableFuture<>();
    final String kind;
    final Duration deadline;
    private final Lane lane;
    private final Semaphore quota;
    private final BoundedCalls.BoundedCall<T, ?> call;
    private final ClassLoader loader;
    /** Null on a guard's own threads; on a shared pool's, the name the thread carries during the call. */
    private final String busyName;
    /** Told once when the attempt frees its permits (its guard forgets it). */
    private final Consumer<GuardAttempt<?>> onEnd;
    private int phase = PENDING; // guarded by this
    private Thread runner; // guarded by this
    volatile long abandonedAt;

    GuardAttempt(String kind, Duration deadline, Lane lane, Semaphore quota, BoundedCalls.BoundedCall<T, ?> call, ClassLoader loader,
            String busyName, Consumer<GuardAttempt<?>> onEnd) {
        this.kind = kind;
        this.deadline = deadline;
        this.lane = lane;
        this.quota = quota;
        this.call = call;
        this.loader = loader;
        this.busyName = busyName;
        this.onEnd = onEnd;
    }

    @Override
    public void run() {
        synchronized (this) {
            if (phase != PENDING) {
                return; // abandoned before a thread picked it up (permits released): never call in
            }
            phase = RUNNING;
            runner = Thread.currentThread();
        }
        Thread self = Thread.currentThread();
        String idleName = self.getName();
        ClassLoader idleLoader = self.getContextClassLoader();
        if (busyName != null) {
            self.setName(busyName);
        }
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
            if (busyName != null) {
                // A shared thread serves other owners next: it must not keep this driver's loader reachable.
                self.setName(idleName);
                self.setContextClassLoader(idleLoader);
            }
            release();
        }
    }

    /** Gives up on the call (its caller's deadline passed, or the guard closed). */
    synchronized Abandoned abandon() {
        if (phase == PENDING) {
            phase = ABANDONED;
            release();
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

    synchronized boolean isRunning() {
        return phase == RUNNING;
    }

    private void release() {
        lane.permit.release();
        quota.release();
        onEnd.accept(this);
    }
}
