package io.cinderblock.service.agent;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.spi.BackendState;
import io.cinderblock.sdk.spi.BackendStateListener;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The agent's listener for one backend's pushed states ({@link
 * io.cinderblock.sdk.host.Backend#watchState}). The driver calls it on its own threads, which must
 * not wait for the database, so every call only records the event and hands the work to the
 * agent's push executor. A burst of states for one backend is coalesced: the executor handles the
 * newest (by {@link BackendState#observedAt()}) once, however many arrived meanwhile.
 */
final class PushedStates implements BackendStateListener {
    /** What the agent does with the events, on its push executor. */
    interface Sink {
        void pushed(BackendState state);

        void lost(String reason);

        void restored();
    }

    private final Executor executor;
    private final Sink sink;
    private final AtomicReference<BackendState> latest = new AtomicReference<>();
    private final AtomicBoolean queued = new AtomicBoolean();

    PushedStates(Executor executor, Sink sink) {
        this.executor = requireNonNull(executor, "executor is null");
        this.sink = requireNonNull(sink, "sink is null");
    }

    @Override
    public void stateChanged(BackendState state) {
        if (state == null) {
            return;
        }
        // Keep the newest: an older event arriving late (another driver thread) must not win.
        latest.accumulateAndGet(state, (old, next) -> old == null || !next.observedAt().isBefore(old.observedAt())
                ? next : old);
        if (queued.compareAndSet(false, true)) {
            try {
                executor.execute(this::drain);
            } catch (RejectedExecutionException e) {
                // The agent is closing: nothing more to record.
                queued.set(false);
            }
        }
    }

    private void drain() {
        // Cleared before taking: an event arriving now queues another drain rather than being lost.
        queued.set(false);
        BackendState state = latest.getAndSet(null);
        if (state != null) {
            sink.pushed(state);
        }
    }

    @Override
    public void pushLost(String reason) {
        run(() -> sink.lost(reason == null ? "push channel lost" : reason));
    }

    @Override
    public void pushRestored() {
        run(sink::restored);
    }

    private void run(Runnable task) {
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            // closing
        }
    }
}
