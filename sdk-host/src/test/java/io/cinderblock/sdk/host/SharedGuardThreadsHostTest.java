package io.cinderblock.sdk.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cinderblock.sdk.host.discovery.DriverRegistry;
import io.cinderblock.sdk.spi.BackendState;
import io.cinderblock.sdk.support.GuardThreadPool;
import io.cinderblock.sdk.testing.FaultyDriverProviders;
import io.cinderblock.sdk.testing.InMemoryDriverProvider;
import io.cinderblock.sdk.testing.ServiceEntriesClassLoader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A registry's backends share elastic guard threads: few threads for many backends, a hung one isolated")
class SharedGuardThreadsHostTest {
    /** Only keeps a broken build from hanging. */
    private static final long WAIT_SECONDS = 10;

    private final DriverRegistry drivers = DriverRegistry.builder()
            .classLoader(SharedGuardThreadsHostTest.class.getClassLoader())
            .classLoader(new ServiceEntriesClassLoader(List.of(FaultyDriverProviders.HangingState.class.getName(),
                    FaultyDriverProviders.HangingStats.class.getName())))
            .build();
    private final FaultyDriverProviders.HangingState hangingState =
            (FaultyDriverProviders.HangingState) drivers.require("hanging-state").provider();
    private final FaultyDriverProviders.HangingStats hangingStats =
            (FaultyDriverProviders.HangingStats) drivers.require("hanging-stats").provider();
    private final BackendRegistry registry = BackendRegistry.builder().drivers(drivers)
            .statsTimeout(Duration.ofMillis(300)).guardKeepAlive(Duration.ofMillis(300)).build();

    @AfterEach
    void tearDown() {
        hangingState.release();
        hangingStats.release();
        registry.close();
    }

    @Test
    @DisplayName("100 backends probed in rounds by 4 callers run on about 4 guard threads, which end after the keep-alive")
    void threadsFollowConcurrencyNotBackends() throws Exception {
        List<Backend> backends = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            backends.add(registry.open("mem-" + i, InMemoryDriverProvider.config()));
        }
        ExecutorService callers = Executors.newFixedThreadPool(4);
        try {
            for (int round = 0; round < 3; round++) {
                List<CompletableFuture<BackendState>> states = new ArrayList<>();
                for (Backend backend : backends) {
                    states.add(CompletableFuture.supplyAsync(backend::state, callers));
                    states.add(CompletableFuture.supplyAsync(() -> {
                        backend.stats(true);
                        return backend.state();
                    }, callers));
                }
                for (CompletableFuture<BackendState> state : states) {
                    assertThat(state.get(WAIT_SECONDS, TimeUnit.SECONDS).status()).isEqualTo(BackendState.Status.UP);
                }
            }
        } finally {
            callers.shutdownNow();
        }
        GuardThreadPool threads = registry.guardThreads();
        // 4 callers, each waiting for its call: at most 4 busy at once, plus threads that had just
        // finished a call and were not yet waiting for the next one (a handful, never one per backend).
        assertThat(threads.largestThreadCount()).isBetween(1, 12);
        awaitUntil(() -> threads.threadCount() == 0);
    }

    @Test
    @DisplayName("a backend hung in state and one hung in stats hold their own threads only; others answer within their deadline")
    void hungBackendsAreIsolated() throws Exception {
        Backend hungState = registry.open("hung-state", Map.of("volume_driver", "hanging-state"));
        Backend hungStats = registry.open("hung-stats", Map.of("volume_driver", "hanging-stats"));
        hungStats.stats(true);
        hangingStats.hang();
        List<Backend> healthy = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            healthy.add(registry.open("ok-" + i, InMemoryDriverProvider.config()));
        }
        ExecutorService callers = Executors.newFixedThreadPool(6);
        try {
            for (int round = 0; round < 5; round++) {
                List<CompletableFuture<?>> hung = List.of(
                        CompletableFuture.supplyAsync(hungState::state, callers),
                        CompletableFuture.supplyAsync(hungState::state, callers),
                        CompletableFuture.supplyAsync(() -> hungStats.stats(true), callers));
                for (Backend backend : healthy) {
                    long started = System.nanoTime();
                    BackendState state = backend.state();
                    assertThat(state.status()).isEqualTo(BackendState.Status.UP);
                    // Never held behind the hung backends: well inside the driver's own deadline.
                    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(backend.stateDeadline());
                }
                for (CompletableFuture<?> call : hung) {
                    call.get(WAIT_SECONDS, TimeUnit.SECONDS);
                }
            }
        } finally {
            callers.shutdownNow();
        }
        assertThat(hungState.state().status()).isEqualTo(BackendState.Status.DOWN);
        assertThat(hangingState.gate().entered()).as("threads sent into the hung state probe").isEqualTo(1);
        assertThat(hangingStats.gate().entered()).as("threads sent into the hung stats read").isEqualTo(1);
        assertThat(threadsNamed("cinderblock-hung-state-")).isEqualTo(1);
        assertThat(threadsNamed("cinderblock-hung-stats-")).isEqualTo(1);

        hangingState.release();
        hangingStats.release();
        awaitUntil(() -> hungState.state().status() == BackendState.Status.UP);
        awaitUntil(() -> threadsNamed("cinderblock-hung-") == 0);
    }

    @Test
    @DisplayName("closing a backend frees its threads; closing the registry closes its own pool, never one it was given")
    void closeReleases() throws Exception {
        Backend hung = registry.open("hung-state", Map.of("volume_driver", "hanging-state"));
        assertThat(hung.state().status()).isEqualTo(BackendState.Status.DOWN);
        hung.close();
        hangingState.release();
        awaitUntil(() -> threadsNamed("cinderblock-hung-state-") == 0);

        try (GuardThreadPool shared = GuardThreadPool.builder("shared-guard").build()) {
            BackendRegistry first = BackendRegistry.builder().drivers(drivers).guardThreads(shared).build();
            BackendRegistry second = BackendRegistry.builder().drivers(drivers).guardThreads(shared).build();
            assertThat(first.open("a-1", InMemoryDriverProvider.config()).state().status())
                    .isEqualTo(BackendState.Status.UP);
            Backend b1 = second.open("b-1", InMemoryDriverProvider.config());
            first.close();
            assertThat(shared.isClosed()).isFalse();
            assertThat(b1.state().status()).isEqualTo(BackendState.Status.UP);
            second.close();
            assertThat(shared.isClosed()).isFalse();
        }
        GuardThreadPool own = registry.guardThreads();
        registry.close();
        assertThat(own.isClosed()).isTrue();
        awaitUntil(() -> own.threadCount() == 0);
    }

    @Test
    @DisplayName("a bad guard keep-alive is a clear error naming the setting")
    void badKeepAlive() {
        assertThatThrownBy(() -> BackendRegistry.builder().guardKeepAlive(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("guardKeepAlive PT-1S");
    }

    private static long threadsNamed(String prefix) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith(prefix)).count();
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
