package io.cinderblock.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.cinderblock.sdk.spi.VolumeDriver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** The bodies of the kit's {@code Resources} group; {@link VolumeDriverConformanceKit.Resources} delegates here. */
final class ResourceChecks extends KitChecks {

    ResourceChecks(Supplier<KitSession> session) {
        super(session);
    }

    private static final int CALLS = 40;
    private static final int CYCLES = 5;
    private static final int THREAD_SLACK = 2;
    private static final int FD_SLACK = 10;

    void noLeaks() throws Exception {
        List<String> problems = new ArrayList<>();
        try (ResourceProbe probe = new ResourceProbe("tck-resources-" + s().newId("res"))) {
            ExecutorService calls = probe.calls();
            OptionalLong fdsAtStart = ResourceProbe.openFileDescriptors();
            VolumeDriver driver = within(calls, s().operationLimit(), "open()", () -> s().openUnmanaged(
                    s().fixture().config()));
            for (int i = 0; i < 3; i++) {
                within(calls, s().stateLimit(driver), "backendState()", driver::backendState);
            }
            within(calls, s().statsLimit(), "collectStats()", driver::collectStats);
            List<String> warm = probe.driverThreads();
            OptionalLong fdsWarm = ResourceProbe.openFileDescriptors();
            for (int i = 0; i < CALLS; i++) {
                within(calls, s().stateLimit(driver), "backendState()", driver::backendState);
                if (i % 4 == 0) {
                    within(calls, s().statsLimit(), "collectStats()", driver::collectStats);
                }
            }
            List<String> busy = probe.driverThreads();
            if (busy.size() > warm.size() + THREAD_SLACK) {
                problems.add("live driver threads grew from " + warm.size() + " to " + busy.size() + " across "
                        + CALLS + " state and " + (CALLS / 4) + " stats calls: " + busy);
            }
            ResourceProbe.fileDescriptorsGrew(fdsWarm, ResourceProbe.openFileDescriptors(), FD_SLACK, "across " + CALLS + " state and " + (CALLS / 4) + " stats calls")
                    .ifPresent(problems::add);
            within(calls, s().operationLimit(), "close()", () -> {
                driver.close();
                return Boolean.TRUE;
            });
            for (int i = 0; i < CYCLES; i++) {
                VolumeDriver cycled = within(calls, s().operationLimit(), "open()", () -> s().openUnmanaged(
                        s().fixture().config()));
                within(calls, s().stateLimit(cycled), "backendState()", cycled::backendState);
                within(calls, s().statsLimit(), "collectStats()", cycled::collectStats);
                within(calls, s().operationLimit(), "close()", () -> {
                    cycled.close();
                    return Boolean.TRUE;
                });
            }
            Duration bound = s().stateLimit(driver).compareTo(Duration.ofSeconds(2)) > 0
                    ? s().stateLimit(driver) : Duration.ofSeconds(2);
            List<String> alive = probe.awaitDriverThreadsGone(bound);
            if (!alive.isEmpty()) {
                problems.add("threads the driver started still alive " + Kit.millis(bound)
                        + " after close(): " + alive);
            }
            ResourceProbe.fileDescriptorsGrew(fdsAtStart, ResourceProbe.openFileDescriptors(), FD_SLACK, "after " + (CYCLES + 1) + " open/close cycles")
                    .ifPresent(problems::add);
        }
        assertThat(problems).as("RES-1: resources the driver leaks").isEmpty();
    }

    private <T> T within(ExecutorService calls, Duration limit, String what, Callable<T> action) throws Exception {
        Future<T> future = calls.submit(action);
        try {
            return future.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            return fail(what + " did not return within " + Kit.millis(limit));
        } catch (java.util.concurrent.ExecutionException e) {
            s().observe(what + " exception and cause chain", Kit.chainText(e.getCause()));
            // Failing stats or opens are their own requirements' defects; RES-1 cannot judge without them.
            blockIfStatsRefused(e.getCause());
            if (what.startsWith("collectStats")) {
                throw new BlockedException("STATS-1", what + " threw " + Kit.describe(e.getCause()));
            }
            if (what.startsWith("open")) {
                throw new BlockedException("CONF-1", what + " threw " + Kit.describe(e.getCause()));
            }
            return fail(what + " threw " + Kit.describe(e.getCause()), e.getCause());
        }
    }
}
