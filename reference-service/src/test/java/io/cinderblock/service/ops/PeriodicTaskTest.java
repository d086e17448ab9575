package io.cinderblock.service.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A periodic task keeps its schedule through failures")
class PeriodicTaskTest {

    @Test
    @DisplayName("an Error or exception on one tick does not cancel the next ticks")
    void survivesFailures() throws Exception {
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
        try {
            AtomicInteger ticks = new AtomicInteger();
            CountDownLatch fourTicks = new CountDownLatch(4);
            Runnable task = () -> {
                int tick = ticks.incrementAndGet();
                fourTicks.countDown();
                if (tick == 1) {
                    throw new OutOfMemoryError("simulated: Java heap space");
                }
                if (tick == 2) {
                    throw new IllegalStateException("simulated: database gone");
                }
            };
            ScheduledFuture<?> schedule = executor.scheduleWithFixedDelay(PeriodicTask.guarded("test task", task),
                    0, 5, TimeUnit.MILLISECONDS);
            assertThat(fourTicks.await(10, TimeUnit.SECONDS)).as("ticks after the failures").isTrue();
            assertThat(schedule.isDone()).as("schedule cancelled").isFalse();
        } finally {
            executor.shutdownNow();
        }
    }

    @Test
    @DisplayName("without the guard the executor would have stopped the schedule (what this class exists for)")
    void unguardedScheduleStops() throws Exception {
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
        try {
            AtomicInteger ticks = new AtomicInteger();
            ScheduledFuture<?> schedule = executor.scheduleWithFixedDelay(() -> {
                ticks.incrementAndGet();
                throw new OutOfMemoryError("simulated");
            }, 0, 5, TimeUnit.MILLISECONDS);
            Thread.sleep(100);
            assertThat(schedule.isDone()).isTrue();
            assertThat(ticks).hasValue(1);
        } finally {
            executor.shutdownNow();
        }
    }
}
