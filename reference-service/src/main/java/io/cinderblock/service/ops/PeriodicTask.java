package io.cinderblock.service.ops;

import static java.util.Objects.requireNonNull;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A task for {@code ScheduledExecutorService.scheduleAtFixedRate}/{@code scheduleWithFixedDelay}
 * that never ends its own schedule. The executor cancels a periodic task for good, without a log
 * line, the first time it throws: an {@code OutOfMemoryError} while an API node rendered a large
 * list once stopped its snapshot refreshes, and the node served a frozen list from then on. Here a
 * failure is logged (once per run of failures, then once when the task works again) and the next
 * tick runs as planned. With {@code -XX:+ExitOnOutOfMemoryError} (the distribution's start script)
 * the JVM exits on that error before this matters.
 */
public final class PeriodicTask implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(PeriodicTask.class);

    private final String name;
    private final Runnable task;
    private volatile boolean failing;

    private PeriodicTask(String name, Runnable task) {
        this.name = requireNonNull(name, "name is null");
        this.task = requireNonNull(task, "task is null");
    }

    /**
     * Wraps {@code task} so that no exception or error ends its schedule.
     *
     * @param name what the task does, for the log (e.g. "API snapshot refresh")
     * @param task the periodic work
     * @return the guarded task
     */
    public static Runnable guarded(String name, Runnable task) {
        return new PeriodicTask(name, task);
    }

    @Override
    public void run() {
        try {
            task.run();
            if (failing) {
                failing = false;
                LOG.warn("{} works again", name);
            }
        } catch (RuntimeException | Error e) {
            if (!failing) {
                failing = true;
                LOG.error("{} failed; it runs again at its next tick: {}", name, e.toString(), e);
            }
        }
    }
}
