package io.cinderblock.sdk.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.URL;
import java.net.URLClassLoader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("GuardThreadPool: guards share elastic threads, and each keeps its own quota")
class SharedGuardThreadsTest {
    /** Only keeps a broken build from hanging; hung calls have 1 s deadlines (see BoundedCallsTest). */
    private static final long WAIT_SECONDS = 10;

    private final CountDownLatch release = new CountDownLatch(1);
    private final AtomicInteger inside = new AtomicInteger();
    private final GuardThreadPool threads = GuardThreadPool.builder("test-guard").keepAlive(Duration.ofMillis(300))
            .build();
    private final List<BoundedCalls> guards = new ArrayList<>();

    @AfterEach
    void tearDown() {
        release.countDown();
        guards.forEach(BoundedCalls::close);
        threads.close();
    }

    private BoundedCalls guard(String owner, int maxThreads) {
        BoundedCalls guard = BoundedCalls.builder(owner).maxThreads(maxThreads).sharedThreads(threads).build();
        guards.add(guard);
        return guard;
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

    private CallTimeoutException.Reason hangOn(BoundedCalls guard, String kind) {
        return catchThrowableOfType(CallTimeoutException.class,
                () -> guard.call(kind, Duration.ofMillis(1000), this::hang)).reason();
    }

    @Test
    @DisplayName("one owner hung in every lane of its quota: other owners' calls still run at once, on the same pool")
    void hungOwnerNeverDelaysAnother() throws Exception {
        BoundedCalls hung = guard("hung-1", 3);
        for (String kind : List.of("stats", "state", "push")) {
            assertThat(hangOn(hung, kind)).isEqualTo(CallTimeoutException.Reason.OVERRAN);
        }
        assertThat(hung.threadCount()).isEqualTo(3);

        List<BoundedCalls> healthy = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            healthy.add(guard("ok-" + i, 3));
        }
        ExecutorService callers = Executors.newFixedThreadPool(8);
        try {
            List<CompletableFuture<String>> answers = new ArrayList<>();
            for (BoundedCalls guard : healthy) {
                for (String kind : List.of("stats", "state")) {
                    answers.add(CompletableFuture.supplyAsync(() -> guard.call(kind, Duration.ofSeconds(WAIT_SECONDS),
                            () -> guard.owner() + "/" + kind), callers));
                }
            }
            for (int i = 0; i < answers.size(); i++) {
                assertThat(answers.get(i).get(WAIT_SECONDS, TimeUnit.SECONDS)).endsWith(i % 2 == 0 ? "/stats" : "/state");
            }
        } finally {
            callers.shutdownNow();
        }
        // The hung owner's lanes stay stuck and it got no further thread.
        assertThat(hangOn(hung, "stats")).isEqualTo(CallTimeoutException.Reason.STILL_STUCK);
        assertThat(inside.get()).isEqualTo(3);
        assertThat(healthy).allSatisfy(g -> assertThat(g.threadCount()).isZero());
    }

    @Test
    @DisplayName("quota per owner: with its quota stuck, a new kind of that owner is SATURATED and never runs")
    void quotaPerOwner() throws Exception {
        BoundedCalls owner = guard("array-1", 2);
        assertThat(hangOn(owner, "a")).isEqualTo(CallTimeoutException.Reason.OVERRAN);
        assertThat(hangOn(owner, "b")).isEqualTo(CallTimeoutException.Reason.OVERRAN);
        AtomicInteger ran = new AtomicInteger();
        CallTimeoutException refused = catchThrowableOfType(CallTimeoutException.class,
                () -> owner.call("c", Duration.ofMillis(200), ran::incrementAndGet));
        assertThat(refused.reason()).isEqualTo(CallTimeoutException.Reason.SATURATED);
        assertThat(refused).hasMessageContaining("array-1 found all 2 guard threads busy");
        assertThat(owner.threadCount()).isEqualTo(2);
        assertThat(inside.get()).isEqualTo(2);

        release.countDown();
        awaitUntil(() -> owner.threadCount() == 0);
        assertThat(owner.call("c", Duration.ofSeconds(WAIT_SECONDS), () -> "now")).isEqualTo("now");
        assertThat(ran.get()).as("the refused call never ran").isZero();
    }

    @Test
    @DisplayName("the pool grows with concurrent calls only, and its idle threads end after the keep-alive")
    void elasticAndKeepAlive() throws Exception {
        CountDownLatch allIn = new CountDownLatch(6);
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService callers = Executors.newFixedThreadPool(6);
        try {
            List<CompletableFuture<String>> answers = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                BoundedCalls guard = guard("b-" + i, 3);
                answers.add(CompletableFuture.supplyAsync(() -> guard.<String, RuntimeException>call("state",
                        Duration.ofSeconds(WAIT_SECONDS), () -> {
                            allIn.countDown();
                            try {
                                go.await();
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                            return "up";
                        }), callers));
            }
            assertThat(allIn.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
            assertThat(threads.threadCount()).isEqualTo(6);
            go.countDown();
            for (CompletableFuture<String> answer : answers) {
                assertThat(answer.get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("up");
            }
        } finally {
            callers.shutdownNow();
        }
        // Sequential calls of many owners reuse idle threads rather than adding one per owner.
        for (int i = 0; i < 50; i++) {
            BoundedCalls guard = guard("seq-" + i, 3);
            assertThat(guard.call("state", Duration.ofSeconds(WAIT_SECONDS), () -> "up")).isEqualTo("up");
        }
        assertThat(threads.largestThreadCount()).isLessThanOrEqualTo(7);
        awaitUntil(() -> threads.threadCount() == 0);
    }

    @Test
    @DisplayName("a shared thread carries owner and kind while it runs a call, then its idle name and no driver class loader")
    void namesAndClassLoaders() throws Exception {
        try (URLClassLoader driverLoader = new URLClassLoader("driver", new URL[0], getClass().getClassLoader())) {
            BoundedCalls guard = BoundedCalls.builder("array-7").contextClassLoader(driverLoader)
                    .sharedThreads(threads).build();
            guards.add(guard);
            AtomicReference<Thread> thread = new AtomicReference<>();
            String busyName = guard.call("probe", Duration.ofSeconds(WAIT_SECONDS), () -> {
                thread.set(Thread.currentThread());
                assertThat(Thread.currentThread().getContextClassLoader()).isSameAs(driverLoader);
                return Thread.currentThread().getName();
            });
            assertThat(busyName).isEqualTo("cinderblock-array-7-probe");
            assertThat(thread.get().isDaemon()).isTrue();
            awaitUntil(() -> thread.get().getName().startsWith("test-guard-"));
            assertThat(thread.get().getContextClassLoader()).isNotSameAs(driverLoader);
            assertThat(guard.sharedThreads()).containsSame(threads);
        }
    }

    @Test
    @DisplayName("closing a guard answers its waiting caller CLOSED, frees its quota when the call returns, leaves the pool to others")
    void closeGuard() throws Exception {
        BoundedCalls closing = guard("closing-1", 2);
        BoundedCalls other = guard("other-1", 2);
        ExecutorService caller = Executors.newSingleThreadExecutor();
        try {
            CompletableFuture<CallTimeoutException.Reason> waiting = CompletableFuture.supplyAsync(
                    () -> catchThrowableOfType(CallTimeoutException.class,
                            () -> closing.call("stats", Duration.ofSeconds(WAIT_SECONDS), this::hang)).reason(), caller);
            awaitUntil(() -> inside.get() == 1);
            closing.close();
            assertThat(waiting.get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo(CallTimeoutException.Reason.CLOSED);
        } finally {
            caller.shutdownNow();
        }
        assertThat(catchThrowableOfType(CallTimeoutException.class,
                () -> closing.call("state", Duration.ofSeconds(1), () -> 1)).reason())
                .isEqualTo(CallTimeoutException.Reason.CLOSED);
        assertThat(other.call("state", Duration.ofSeconds(WAIT_SECONDS), () -> "up")).isEqualTo("up");
        assertThat(threads.isClosed()).isFalse();

        release.countDown();
        awaitUntil(() -> closing.threadCount() == 0 && inside.get() == 0);
    }

    @Test
    @DisplayName("closing the pool refuses every guard's calls and ends its threads")
    void closePool() throws Exception {
        BoundedCalls guard = guard("array-2", 2);
        assertThat(guard.call("state", Duration.ofSeconds(WAIT_SECONDS), () -> "up")).isEqualTo("up");
        assertThat(hangOn(guard, "stats")).isEqualTo(CallTimeoutException.Reason.OVERRAN);
        threads.close();
        CallTimeoutException refused = catchThrowableOfType(CallTimeoutException.class,
                () -> guard.call("state", Duration.ofSeconds(1), () -> 1));
        assertThat(refused.reason()).isEqualTo(CallTimeoutException.Reason.CLOSED);
        assertThat(refused).hasMessageContaining("shared thread pool is closed");
        // The idle thread ends at once; the one in the hung call when the call returns.
        release.countDown();
        awaitUntil(() -> threads.threadCount() == 0);
        assertThat(guard.threadCount()).isZero();
    }

    @Test
    @DisplayName("bad pool settings are clear errors")
    void badSettings() {
        assertThatThrownBy(() -> GuardThreadPool.builder(" ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("name is blank");
        assertThatThrownBy(() -> GuardThreadPool.builder("p").keepAlive(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("keepAlive PT0S");
        assertThatThrownBy(() -> BoundedCalls.builder("o").sharedThreads(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("pool is null");
    }

    private static void awaitUntil(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + WAIT_SECONDS + " s");
            }
            Thread.sleep(5);
        }
    }
}
