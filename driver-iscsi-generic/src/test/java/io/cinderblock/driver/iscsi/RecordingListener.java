package io.cinderblock.driver.iscsi;

import io.cinderblock.sdk.spi.BackendState;
import io.cinderblock.sdk.spi.BackendStateListener;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** The host's side of the push contract, recording what the driver pushes. */
final class RecordingListener implements BackendStateListener {
    private final BlockingQueue<BackendState> states = new LinkedBlockingQueue<>();
    private final List<String> lost = new CopyOnWriteArrayList<>();
    private final AtomicInteger restored = new AtomicInteger();
    private final AtomicInteger pushed = new AtomicInteger();

    @Override
    public void stateChanged(BackendState state) {
        pushed.incrementAndGet();
        states.add(state);
    }

    @Override
    public void pushLost(String reason) {
        lost.add(reason);
    }

    @Override
    public void pushRestored() {
        restored.incrementAndGet();
    }

    /** The next pushed state with the given status, skipping others; null if none within {@code wait}. */
    BackendState next(BackendState.Status status, Duration wait) throws InterruptedException {
        long end = System.nanoTime() + wait.toNanos();
        while (true) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            BackendState state = states.poll(left, TimeUnit.NANOSECONDS);
            if (state == null || state.status() == status) {
                return state;
            }
        }
    }

    /** Whatever is pushed within {@code wait}; null if nothing. */
    BackendState any(Duration wait) throws InterruptedException {
        return states.poll(wait.toNanos(), TimeUnit.NANOSECONDS);
    }

    void clear() {
        states.clear();
    }

    List<String> lost() {
        return List.copyOf(lost);
    }

    int restored() {
        return restored.get();
    }

    int pushedCount() {
        return pushed.get();
    }
}
