package io.cinderblock.service.agent;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.spi.BackendState;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Runs the {@link ProbeSchedule}: one timer entry per backend, re-armed when its probe ends (so a
 * slow backend never has two probes queued), moved earlier by a pushed DOWN.
 */
final class ProbeTimer {
    private final ScheduledExecutorService timer;
    private final ProbeSchedule schedule;
    private final Consumer<BackendMonitor> probe;
    private final LongSupplier millis;
    private volatile long origin;

    /**
     * @param probe starts one probe of a backend (called on the timer thread; must not block)
     * @param millis a monotonic clock in milliseconds
     */
    ProbeTimer(ScheduledExecutorService timer, ProbeSchedule schedule, Consumer<BackendMonitor> probe,
            LongSupplier millis) {
        this.timer = requireNonNull(timer, "timer is null");
        this.schedule = requireNonNull(schedule, "schedule is null");
        this.probe = requireNonNull(probe, "probe is null");
        this.millis = requireNonNull(millis, "millis is null");
    }

    /** Arms every backend's first probe at its phase. */
    void start(List<BackendMonitor> monitors) {
        origin = millis.getAsLong();
        for (int i = 0; i < monitors.size(); i++) {
            BackendMonitor monitor = monitors.get(i);
            monitor.phase = schedule.phase(i, monitors.size());
            at(monitor, origin + monitor.phase);
        }
    }

    /** Arms the next probe after one ended (or after a tick found one still running). */
    void scheduleNext(BackendMonitor monitor) {
        boolean healthy = monitor.state.map(s -> s == BackendState.Status.UP).orElse(false);
        at(monitor, schedule.next(origin, monitor.phase, millis.getAsLong(), healthy));
    }

    /** A pushed DOWN: probe again within the fast interval, unless a probe is already due sooner. */
    void sooner(BackendMonitor monitor) {
        synchronized (monitor) {
            if (monitor.nextProbe != null && !monitor.nextProbe.isDone()
                    && monitor.nextProbe.getDelay(TimeUnit.MILLISECONDS) <= schedule.fastInterval()) {
                return;
            }
            at(monitor, millis.getAsLong() + schedule.fastInterval());
        }
    }

    private void at(BackendMonitor monitor, long due) {
        synchronized (monitor) {
            if (monitor.nextProbe != null) {
                monitor.nextProbe.cancel(false);
            }
            try {
                monitor.nextProbe = timer.schedule(() -> probe.accept(monitor), Math.max(0, due - millis.getAsLong()),
                        TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                // The agent is closing.
                monitor.nextProbe = null;
            }
        }
    }
}
