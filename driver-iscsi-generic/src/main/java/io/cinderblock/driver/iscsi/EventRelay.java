package io.cinderblock.driver.iscsi;

import com.fasterxml.jackson.databind.JsonNode;
import io.cinderblock.sdk.spi.BackendState;
import io.cinderblock.sdk.spi.BackendStateListener;
import io.cinderblock.sdk.support.SecretScrubber;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * What both Redfish event transports (POST subscription, Server-Sent Events) share: the host's
 * listener, the mapping of event records to pushes ({@link RedfishEvents}), coalescing, the
 * re-reads, and the channel's lost/restored signal. One transport feeds records in with {@link
 * #onRecord}; this class decides what the host hears.
 *
 * <p>A DOWN announcement is pushed from the caller's thread at once; anything else schedules one
 * re-read of the device on the worker (events in the next 250 ms share it) whose result is pushed.
 * Identical pushes within a second are dropped, so an event storm is not a listener storm. After
 * {@link #markClosed()} the listener is never called again.
 */
final class EventRelay {
    /** Events arriving this soon after one share its re-read; also lets the array finish the change it announced. */
    private static final Duration SETTLE = Duration.ofMillis(250);
    /** After a recovery announcement the device may still read DOWN for a moment: read again this often... */
    private static final Duration RECOVERY_RETRY = Duration.ofSeconds(1);
    /** ...at most this many times more. */
    private static final int RECOVERY_RETRIES = 3;
    private static final Duration DUPLICATE_WINDOW = Duration.ofSeconds(1);

    private enum Channel { STARTING, UP, LOST }

    private final SwordfishSettings settings;
    private final Supplier<BackendState> prober;
    private final System.Logger logger;
    private final Clock clock;
    private final String backendName;
    private final SecretScrubber scrubber;
    private final ScheduledThreadPoolExecutor worker;

    private volatile BackendStateListener listener;
    private volatile boolean closed;
    /** Guarded by this. */
    private Channel channel = Channel.STARTING;
    private volatile String watchedStorage;
    private volatile Set<String> watchedEnclosures = Set.of();

    private final AtomicBoolean rereadQueued = new AtomicBoolean();
    private final AtomicBoolean rereadExpectsUp = new AtomicBoolean();
    /** Counts DOWN announcements: a re-read that saw UP while one arrived is stale and not pushed. */
    private final AtomicLong downAnnouncements = new AtomicLong();
    /** Guarded by this: the last push, to drop identical ones within {@link #DUPLICATE_WINDOW}. */
    private String lastPushed = "";
    private long lastPushedNanos;
    private final AtomicLong coalesced = new AtomicLong();

    /**
     * @param secrets what may never reach a log line or a reason besides the password (a token)
     */
    EventRelay(SwordfishSettings settings, Supplier<BackendState> prober, System.Logger contextLogger, Clock clock,
            String backendName, List<String> secrets) {
        this.settings = settings;
        this.prober = prober;
        this.clock = clock;
        this.backendName = backendName;
        List<String> all = new java.util.ArrayList<>(secrets);
        all.add(settings.password());
        this.scrubber = SecretScrubber.of(all);
        this.logger = new ScrubbingLogger(contextLogger, scrubber);
        this.worker = new ScheduledThreadPoolExecutor(1, daemon("redfish-events-" + backendName));
        this.worker.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.worker.setRemoveOnCancelPolicy(true);
    }

    static ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    /** Sets the listener once; false if already started or closed. */
    synchronized boolean listenWith(BackendStateListener target) {
        if (closed || listener != null) {
            return false;
        }
        listener = target;
        return true;
    }

    boolean started() {
        return listener != null;
    }

    boolean closed() {
        return closed;
    }

    System.Logger logger() {
        return logger;
    }

    SecretScrubber scrubber() {
        return scrubber;
    }

    String backendName() {
        return backendName;
    }

    /** Which storage (and which enclosures) events are judged against. */
    void watch(String storagePath, Set<String> enclosures) {
        watchedEnclosures = Set.copyOf(enclosures);
        watchedStorage = storagePath;
    }

    // ------------------------------------------------------------------ the channel's health

    /** The push channel broke: {@code pushLost} once per outage (repeats go to DEBUG). */
    void lost(String reason) {
        BackendStateListener target;
        synchronized (this) {
            if (closed || channel == Channel.LOST) {
                logger.log(System.Logger.Level.DEBUG, "Backend ''{0}'': {1}", backendName, scrubber.scrub(reason));
                return;
            }
            channel = Channel.LOST;
            target = listener;
        }
        String clean = scrubber.scrub(reason);
        logger.log(System.Logger.Level.WARNING, "Backend ''{0}'': {1}", backendName, clean);
        target.pushLost(clean);
    }

    /** The channel works: {@code pushRestored} if it had been lost. Returns whether it had been. */
    boolean restored() {
        BackendStateListener target;
        synchronized (this) {
            Channel before = channel;
            channel = Channel.UP;
            if (closed || before != Channel.LOST) {
                return false;
            }
            target = listener;
        }
        logger.log(System.Logger.Level.INFO, "Backend ''{0}'': Redfish events flow again", backendName);
        target.pushRestored();
        return true;
    }

    // ------------------------------------------------------------------ records to pushes

    /** Judges one event record against the watched storage and pushes or re-reads accordingly. */
    void onRecord(JsonNode record) {
        String storage = watchedStorage;
        if (storage == null || closed) {
            return;
        }
        RedfishEvents.Verdict verdict = RedfishEvents.classify(record, storage, watchedEnclosures);
        switch (verdict.action()) {
            case DOWN:
                downAnnouncements.incrementAndGet();
                deliver(BackendState.down(scrubber.scrub("Storage '" + Json.lastSegment(storage) + "' on "
                        + settings.authority() + " announced a failure: " + verdict.event()), clock));
                break;
            case RECOVERY_CHECK:
                rereadExpectsUp.set(true);
                scheduleReread(verdict.event());
                break;
            case CHECK:
                scheduleReread(verdict.event());
                break;
            default:
                logger.log(System.Logger.Level.DEBUG, "Backend ''{0}'': ignoring {1}, not about storage {2}",
                        backendName, verdict.event(), storage);
        }
    }

    /** Schedules one re-read of the device (shared by whatever else arrives within the settle time). */
    void scheduleReread(String event) {
        if (!rereadQueued.compareAndSet(false, true)) {
            coalesced.incrementAndGet();
            return;
        }
        if (schedule(() -> reread(event, rereadExpectsUp.getAndSet(false), 0), SETTLE) == null) {
            rereadQueued.set(false); // closing
        }
    }

    private void reread(String event, boolean expectUp, int retry) {
        if (retry == 0) {
            rereadQueued.set(false);
        }
        if (closed) {
            return;
        }
        long downsBefore = downAnnouncements.get();
        BackendState state = prober.get();
        if (closed) {
            return;
        }
        boolean up = state.status() == BackendState.Status.UP;
        if (up && downAnnouncements.get() != downsBefore) {
            // A failure was announced while we read: this UP may predate it. The next event or probe decides.
            logger.log(System.Logger.Level.DEBUG, "Backend ''{0}'': dropped a re-read that overlapped a failure "
                    + "announcement", backendName);
            return;
        }
        deliver(new BackendState(state.status(), scrubber.scrub("After " + event + ": " + state.reason()),
                state.observedAt()));
        if (!up && expectUp && retry < RECOVERY_RETRIES) {
            schedule(() -> reread(event, true, retry + 1), RECOVERY_RETRY);
        }
    }

    private void deliver(BackendState state) {
        BackendStateListener target;
        synchronized (this) {
            if (closed) {
                return;
            }
            String key = state.status() + " " + state.reason();
            long now = System.nanoTime();
            if (key.equals(lastPushed) && now - lastPushedNanos < DUPLICATE_WINDOW.toNanos()) {
                coalesced.incrementAndGet();
                return;
            }
            lastPushed = key;
            lastPushedNanos = now;
            target = listener;
        }
        target.stateChanged(state);
    }

    long coalescedEvents() {
        return coalesced.get();
    }

    // ------------------------------------------------------------------ the worker

    /** Runs {@code task} on the worker; false when closing. */
    boolean submit(Runnable task) {
        try {
            worker.execute(task);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    /** Runs {@code task} on the worker after {@code delay}; null when closing. */
    ScheduledFuture<?> schedule(Runnable task, Duration delay) {
        try {
            return worker.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            return null;
        }
    }

    /** Runs {@code task} on the worker every {@code period}; null when closing. */
    ScheduledFuture<?> every(Runnable task, Duration period) {
        try {
            return worker.scheduleWithFixedDelay(task, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            return null;
        }
    }

    // ------------------------------------------------------------------ close

    /** From now on the listener is never called; returns false if it already was closed. */
    synchronized boolean markClosed() {
        if (closed) {
            return false;
        }
        closed = true;
        return true;
    }

    /**
     * Ends the worker: a task in flight (a subscription, a re-read) may run for up to {@code grace},
     * then it is interrupted.
     */
    void endWorker(Duration grace) {
        worker.shutdown();
        try {
            if (!worker.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                worker.shutdownNow();
                worker.awaitTermination(1, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            worker.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
