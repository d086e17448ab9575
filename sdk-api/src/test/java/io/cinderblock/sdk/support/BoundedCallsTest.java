package io.cinderblock.sdk.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.cinderblock.sdk.error.DeviceUnavailableException;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("BoundedCalls: a deadline per call, at most one thread stuck per kind, bounded daemon threads")
class BoundedCallsTest {
    /** Only keeps a broken build from hanging; the bounds under test are far shorter. Deadlines of
     * hung calls are 1 s, long enough for a guard thread to start even on a loaded machine (a call
     * abandoned before its thread starts is, correctly, not stuck). */
    private static final long WAIT_SECONDS = 10;

    private final CountDownLatch release = new CountDownLatch(1);
    private final AtomicInteger inside = new AtomicInteger();
    private final BoundedCalls calls = BoundedCalls.builder("unit-1").maxThreads(2).build();

    @AfterEach
    void tearDown() {
        release.countDown();
        calls.close();
    }

    /** Blocks until released, ignoring interrupts, as a socket read without a timeout does. */
    private String hang() {
        inside.incrementAndGet();
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    release.await();
                    return "released";
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            inside.decrementAndGet();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Test
    @DisplayName("returns the call's result, and its own exceptions unchanged (checked ones too)")
    void resultsAndExceptions() {
        assertThat(calls.call("read", Duration.ofSeconds(5), () -> 42)).isEqualTo(42);
        assertThat(calls.<String, RuntimeException>call("read", Duration.ofSeconds(5), () -> null)).isNull();
        assertThatThrownBy(() -> calls.call("read", Duration.ofSeconds(5), () -> {
            throw new IOException("simulated: connection reset");
        })).isExactlyInstanceOf(IOException.class).hasMessage("simulated: connection reset");
        assertThatThrownBy(() -> calls.call("read", Duration.ofSeconds(5), () -> {
            throw new IllegalStateException("simulated: bad reply");
        })).isExactlyInstanceOf(IllegalStateException.class);
    }

    @Test
    @DisplayName("a hung call is abandoned at its deadline; later calls of its kind fail at once without a new thread")
    void hungCallHoldsOneThread() throws Exception {
        CallTimeoutException first = catchThrowableOfType(CallTimeoutException.class,
                () -> calls.call("stats", Duration.ofMillis(1000), this::hang));
        assertThat(first.reason()).isEqualTo(CallTimeoutException.Reason.OVERRAN);
        assertThat(first).isInstanceOf(DeviceUnavailableException.class)
                .hasMessageContaining("'stats' call of unit-1 did not return within 1000 ms");
        assertThat(calls.isStuck("stats")).isTrue();

        for (int i = 0; i < 20; i++) {
            long started = System.nanoTime();
            CallTimeoutException later = catchThrowableOfType(CallTimeoutException.class,
                    () -> calls.call("stats", Duration.ofSeconds(WAIT_SECONDS), this::hang));
            assertThat(later.reason()).isEqualTo(CallTimeoutException.Reason.STILL_STUCK);
            assertThat(later).hasMessageContaining("has not returned");
            // Fails at once, not after its own (long) deadline: the bound is behaviour, not speed.
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(WAIT_SECONDS));
        }
        assertThat(inside.get()).as("threads inside the hung call").isEqualTo(1);
        assertThat(calls.threadCount()).isEqualTo(1);

        // Another kind still runs meanwhile.
        assertThat(calls.call("state", Duration.ofSeconds(5), () -> "up")).isEqualTo("up");

        release.countDown();
        awaitUntil(() -> !calls.isStuck("stats"));
        assertThat(calls.call("stats", Duration.ofSeconds(5), () -> "fresh")).isEqualTo("fresh");
    }

    @Test
    @DisplayName("concurrent callers of one kind never send a second thread into a hung call")
    void concurrentCallersShareTheLane() throws Exception {
        List<CompletableFuture<CallTimeoutException.Reason>> callers = new java.util.ArrayList<>();
        // Own threads: the common pool may have a single worker on a small machine.
        java.util.concurrent.ExecutorService callerThreads = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            for (int i = 0; i < 8; i++) {
                callers.add(CompletableFuture.supplyAsync(() -> catchThrowableOfType(CallTimeoutException.class,
                        () -> calls.call("stats", Duration.ofMillis(1000), this::hang)).reason(), callerThreads));
            }
            for (CompletableFuture<CallTimeoutException.Reason> caller : callers) {
                assertThat(caller.get(WAIT_SECONDS, TimeUnit.SECONDS)).isIn(CallTimeoutException.Reason.OVERRAN,
                        CallTimeoutException.Reason.LANE_BUSY, CallTimeoutException.Reason.STILL_STUCK);
            }
        } finally {
            callerThreads.shutdownNow();
        }
        assertThat(inside.get()).isEqualTo(1);
        assertThat(callers.stream().filter(c -> c.join() == CallTimeoutException.Reason.OVERRAN)).hasSize(1);
    }

    @Test
    @DisplayName("the pool is bounded: with every thread stuck, a new kind waits its deadline, never runs, and is SATURATED")
    void saturated() {
        for (String kind : List.of("a", "b")) {
            assertThat(catchThrowableOfType(CallTimeoutException.class,
                    () -> calls.call(kind, Duration.ofMillis(1000), this::hang)).reason())
                    .isEqualTo(CallTimeoutException.Reason.OVERRAN);
        }
        AtomicInteger ran = new AtomicInteger();
        CallTimeoutException refused = catchThrowableOfType(CallTimeoutException.class,
                () -> calls.call("c", Duration.ofMillis(200), ran::incrementAndGet));
        assertThat(refused.reason()).isEqualTo(CallTimeoutException.Reason.SATURATED);
        assertThat(refused).hasMessageContaining("found all 2 guard threads busy");
        assertThat(calls.threadCount()).isEqualTo(2);
        assertThat(calls.isStuck("c")).isFalse();

        release.countDown();
        awaitUntilQuietly(() -> !calls.isStuck("a") && !calls.isStuck("b"));
        assertThat(calls.call("c", Duration.ofSeconds(5), () -> "now")).isEqualTo("now");
        assertThat(ran.get()).as("the abandoned queued call never ran").isZero();
    }

    @Test
    @DisplayName("threads are daemons named after the owner, with the given context class loader")
    void threadsAndClassLoader() throws Exception {
        try (URLClassLoader driverLoader = new URLClassLoader("driver", new URL[0], getClass().getClassLoader());
                BoundedCalls guarded = BoundedCalls.builder("array-7").contextClassLoader(driverLoader).build()) {
            AtomicReference<Thread> thread = new AtomicReference<>();
            ClassLoader seen = guarded.call("probe", Duration.ofSeconds(5), () -> {
                thread.set(Thread.currentThread());
                // A driver changing its TCCL must not leak into the next call.
                Thread.currentThread().setContextClassLoader(ClassLoader.getPlatformClassLoader());
                return driverLoader;
            });
            assertThat(seen).isSameAs(driverLoader);
            assertThat(guarded.call("probe", Duration.ofSeconds(5),
                    () -> Thread.currentThread().getContextClassLoader())).isSameAs(driverLoader);
            assertThat(thread.get().isDaemon()).isTrue();
            assertThat(thread.get().getName()).startsWith("cinderblock-array-7-");
        }
    }

    @Test
    @DisplayName("bad arguments and a closed guard are clear errors")
    void badArguments() {
        assertThatThrownBy(() -> calls.call(" ", Duration.ofSeconds(1), () -> 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("kind is blank");
        assertThatThrownBy(() -> calls.call("x", Duration.ZERO, () -> 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT0S").hasMessageContaining("'x'");
        assertThatThrownBy(() -> BoundedCalls.builder("o").maxThreads(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxThreads 0");
        assertThatThrownBy(() -> BoundedCalls.builder(""))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Owner name is blank");
        calls.close();
        assertThat(catchThrowableOfType(CallTimeoutException.class,
                () -> calls.call("x", Duration.ofSeconds(1), () -> 1)).reason())
                .isEqualTo(CallTimeoutException.Reason.CLOSED);
    }

    private static void awaitUntilQuietly(java.util.function.BooleanSupplier condition) {
        try {
            awaitUntil(condition);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static void awaitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + WAIT_SECONDS + " s");
            }
            Thread.sleep(5);
        }
    }
}
