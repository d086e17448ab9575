package io.cinderblock.sdk.host;

import io.cinderblock.sdk.spi.BackendState;
import io.cinderblock.sdk.spi.BackendStateListener;
import io.cinderblock.sdk.spi.BackendStatePublisher;
import io.cinderblock.sdk.spi.VolumeDriver;
import io.cinderblock.sdk.support.BoundedCalls;
import io.cinderblock.sdk.support.CallTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A backend's push channel: subscribes once to a driver that implements {@link
 * BackendStatePublisher}, records what it pushes through the {@link StateProber} (so {@link
 * Backend#lastState()} and cached stats see it), and hands it on to the host's listeners.
 *
 * <p>Ordering: a pushed state observed before the newest recorded state (a probe that looked later)
 * is dropped, so a late delivery never overwrites a fresher probe. Duplicates are passed on; the
 * host's listeners decide whether a state changed. A listener that throws is logged and does not
 * stop the others. After {@link #close()} nothing is passed on.
 */
final class PushChannel implements BackendStateListener {
    private static final System.Logger LOG = System.getLogger(PushChannel.class.getName());
    static final String KIND = "push-subscribe";

    enum Status { NOT_STARTED, NOT_OFFERED, LIVE, LOST }

    private final String backendName;
    private final VolumeDriver driver;
    private final StateProber prober;
    private final DriverCallGuard guard;
    private final List<BackendStateListener> listeners = new CopyOnWriteArrayList<>();
    private volatile Status status = Status.NOT_STARTED;
    private volatile String lostReason = "";
    private volatile boolean closed;

    PushChannel(String backendName, VolumeDriver driver, StateProber prober, DriverCallGuard guard) {
        this.backendName = backendName;
        this.driver = driver;
        this.prober = prober;
        this.guard = guard;
    }

    /**
     * Adds a listener; the first one starts the driver's channel ({@code publishTo} at most once,
     * bounded by {@code deadline} on its own lane so a driver that blocks in it cannot hang the host).
     */
    synchronized boolean add(BackendStateListener listener, BoundedCalls calls, Duration deadline) {
        listeners.add(listener);
        if (status == Status.NOT_STARTED) {
            status = start(calls, deadline);
        }
        return status == Status.LIVE || status == Status.LOST;
    }

    private Status start(BoundedCalls calls, Duration deadline) {
        if (!(driver instanceof BackendStatePublisher)) {
            return Status.NOT_OFFERED;
        }
        BackendStatePublisher publisher = (BackendStatePublisher) driver;
        try {
            boolean pushes = calls.call(KIND, deadline, () -> publisher.publishTo(this));
            // pushLost may already have been called from inside publishTo (port in use, refused).
            return !pushes ? Status.NOT_OFFERED : status == Status.LOST ? Status.LOST : Status.LIVE;
        } catch (CallTimeoutException e) {
            lostReason = "publishTo() did not return within " + deadline.toMillis() + " ms; polling only";
            return Status.LOST;
        } catch (RuntimeException | Error e) {
            lostReason = guard.redact("publishTo() threw " + e.getClass().getSimpleName() + ": " + e.getMessage())
                    + "; polling only";
            return Status.LOST;
        }
    }

    Status status() {
        return status;
    }

    String lostReason() {
        return lostReason;
    }

    void close() {
        closed = true;
        listeners.clear();
    }

    @Override
    public void stateChanged(BackendState pushed) {
        if (closed || pushed == null) {
            return;
        }
        BackendState newest = prober.last().orElse(null);
        if (newest != null && pushed.observedAt().isBefore(newest.observedAt())) {
            return; // older than what a probe already saw
        }
        BackendState shown = prober.record(pushed);
        for (BackendStateListener listener : listeners) {
            try {
                listener.stateChanged(shown);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "A state listener of backend ''{0}'' threw: {1}", backendName, e);
            }
        }
    }

    @Override
    public void pushLost(String reason) {
        if (closed) {
            return;
        }
        String shown = guard.redact(String.valueOf(reason));
        lostReason = shown;
        status = Status.LOST;
        LOG.log(System.Logger.Level.WARNING, "Push channel of backend ''{0}'' lost: {1}; polling only", backendName, shown);
        for (BackendStateListener listener : listeners) {
            try {
                listener.pushLost(shown);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "A state listener of backend ''{0}'' threw: {1}", backendName, e);
            }
        }
    }

    @Override
    public void pushRestored() {
        if (closed) {
            return;
        }
        lostReason = "";
        status = Status.LIVE;
        LOG.log(System.Logger.Level.INFO, "Push channel of backend ''{0}'' restored", backendName);
        for (BackendStateListener listener : listeners) {
            try {
                listener.pushRestored();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "A state listener of backend ''{0}'' threw: {1}", backendName, e);
            }
        }
    }
}
