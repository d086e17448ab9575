package io.cinderblock.sdk.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.cinderblock.sdk.error.CinderblockException;
import io.cinderblock.sdk.error.DeviceUnavailableException;
import io.cinderblock.sdk.error.ErrorCode;
import io.cinderblock.sdk.host.discovery.DriverRegistry;
import io.cinderblock.sdk.host.testing.HostFixtures;
import io.cinderblock.sdk.spi.BackendState;
import io.cinderblock.sdk.spi.BackendStats;
import io.cinderblock.sdk.testing.FaultyDriverProviders;
import io.cinderblock.sdk.testing.Gate;
import io.cinderblock.sdk.testing.InMemoryDevice;
import io.cinderblock.sdk.testing.InMemoryDriverProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Backend.stats: cached, refreshed on demand, one device read for concurrent callers")
class BackendStatsCachingTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final BackendRegistry registry = BackendRegistry.builder().drivers(DriverRegistry.fromClassPath()).build();
    private final Backend backend = registry.open("stats-1", InMemoryDriverProvider.config());
    private final InMemoryDevice device = HostFixtures.inMemory(registry).device("stats-1");

    @AfterEach
    void tearDown() {
        registry.close();
    }

    @Test
    @DisplayName("stats(false) reads the device once, then answers from the cache")
    void cachedRead() {
        BackendStats first = backend.stats(false);
        BackendStats second = backend.stats(false);

        assertThat(device.statsReads()).isEqualTo(1);
        assertThat(second).isEqualTo(first);
        assertThat(first.backendName()).isEqualTo("stats-1");
        assertThat(first.totalCapacity().gib()).isEqualTo(100);
    }

    @Test
    @DisplayName("stats(true) reads the device every time and updates the cache")
    void refreshReadsDevice() {
        backend.stats(false);
        device.capacityGib(300);

        assertThat(backend.stats(false).totalCapacity().gib()).as("cached").isEqualTo(100);
        assertThat(backend.stats(true).totalCapacity().gib()).isEqualTo(300);
        assertThat(backend.stats(true).totalCapacity().gib()).isEqualTo(300);
        assertThat(device.statsReads()).isEqualTo(3);
        assertThat(backend.stats(false).totalCapacity().gib()).as("the cache holds the refresh").isEqualTo(300);
        assertThat(device.statsReads()).isEqualTo(3);
    }

    @Test
    @DisplayName("8 concurrent refreshes share one device read")
    void concurrentRefreshesShareOneRead() throws Exception {
        Gate read = device.holdStatsReads();
        ExecutorService callers = Executors.newFixedThreadPool(8);
        try {
            List<CompletableFuture<BackendStats>> results = new ArrayList<>();
            results.add(CompletableFuture.supplyAsync(() -> backend.stats(true), callers));
            read.awaitEntered(1, WAIT);
            List<Thread> joiners = new ArrayList<>();
            for (int i = 0; i < 7; i++) {
                results.add(CompletableFuture.supplyAsync(() -> {
                    synchronized (joiners) {
                        joiners.add(Thread.currentThread());
                    }
                    return backend.stats(true);
                }, callers));
            }
            awaitAllBlocked(joiners, 7);

            read.open();
            List<BackendStats> stats = new ArrayList<>();
            for (CompletableFuture<BackendStats> result : results) {
                stats.add(result.get(WAIT.toSeconds(), TimeUnit.SECONDS));
            }

            assertThat(device.statsReads()).isEqualTo(1);
            assertThat(stats).hasSize(8).allSatisfy(s -> assertThat(s).isEqualTo(stats.get(0)));
        } finally {
            callers.shutdownNow();
        }
    }

    /** Waits until the 7 late callers are parked, i.e. waiting on the refresh already under way. */
    private static void awaitAllBlocked(List<Thread> threads, int count) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            synchronized (threads) {
                if (threads.size() == count && threads.stream().allMatch(
                        t -> t.getState() == Thread.State.WAITING || t.getState() == Thread.State.TIMED_WAITING)) {
                    return;
                }
            }
            Thread.sleep(5);
        }
        throw new AssertionError("The late callers did not block on the running refresh");
    }

    @Test
    @DisplayName("stats always carry backend_state, up for a healthy device")
    void statsCarryState() {
        BackendStats stats = backend.stats(true);
        assertThat(stats.backendState()).isEqualTo(BackendState.Status.UP);
        assertThat(stats.toCinderMap()).containsEntry("backend_state", "up");
    }

    @Test
    @DisplayName("when the device goes away, a refresh returns the last stats marked down, and a later one recovers")
    void staleStatsMarkedDown() {
        BackendStats healthy = backend.stats(true);
        device.goDown();

        BackendStats stale = backend.stats(true);
        assertThat(stale.backendState()).isEqualTo(BackendState.Status.DOWN);
        assertThat(stale.collectedAt()).as("the age of the stats shows").isEqualTo(healthy.collectedAt());
        assertThat(stale.pools()).isEqualTo(healthy.pools());
        assertThat(backend.stats(false).backendState()).isEqualTo(BackendState.Status.DOWN);
        assertThat(backend.lastState()).hasValueSatisfying(s -> {
            assertThat(s.status()).isEqualTo(BackendState.Status.DOWN);
            assertThat(s.reason()).contains("switched off");
        });

        device.comeUp();
        assertThat(backend.stats(true).backendState()).isEqualTo(BackendState.Status.UP);
    }

    @Test
    @DisplayName("an unreachable device with a blank message still yields the stale stats, marked down with a reason")
    void blankUnavailableMessage() {
        backend.stats(true);
        device.failNextStatsRead(new DeviceUnavailableException(" "));

        assertThat(backend.stats(true).backendState()).isEqualTo(BackendState.Status.DOWN);
        assertThat(backend.lastState()).hasValueSatisfying(
                s -> assertThat(s.reason()).isEqualTo("The device did not answer a stats request"));
    }

    @Test
    @DisplayName("with no earlier stats, an unreachable device is a DeviceUnavailableException")
    void noStatsYetAndDeviceDown() {
        device.goDown();
        assertThatThrownBy(() -> backend.stats(false))
                .isInstanceOf(DeviceUnavailableException.class)
                .hasMessageContaining("switched off");
        device.comeUp();
        assertThat(backend.stats(false).backendState()).isEqualTo(BackendState.Status.UP);
    }

    @Test
    @DisplayName("a state() that says down shows in the cached stats, and a later up does too")
    void newestStateWins() {
        backend.stats(true);
        device.goDown();
        assertThat(backend.state().status()).isEqualTo(BackendState.Status.DOWN);
        assertThat(backend.stats(false).backendState()).isEqualTo(BackendState.Status.DOWN);
        assertThat(device.statsReads()).isEqualTo(1);

        device.comeUp();
        assertThat(backend.state().isUp()).isTrue();
        assertThat(backend.stats(false).backendState()).isEqualTo(BackendState.Status.UP);
    }

    @Test
    @DisplayName("stats a driver cannot build (free > total) are a driver contract violation, and callers are not stuck")
    void freeExceedsTotal() {
        try (BackendRegistry faulty = BackendRegistry.builder()
                .drivers(HostFixtures.registryOf(FaultyDriverProviders.FreeExceedsTotal.class)).build()) {
            Backend bad = faulty.open("bad", Map.of("volume_driver", "free-exceeds-total"));
            CinderblockException e = catchThrowableOfType(CinderblockException.class, () -> bad.stats(true));
            assertThat(e.code()).isEqualTo(ErrorCode.DRIVER_CONTRACT_VIOLATION);
            assertThat(e).hasMessageContaining("free_capacity_gb 20.0 exceeds total_capacity_gb 10.0");
            // the failed refresh did not leave a stuck in-flight read behind
            assertThat(catchThrowableOfType(CinderblockException.class, () -> bad.stats(false)).code())
                    .isEqualTo(ErrorCode.DRIVER_CONTRACT_VIOLATION);
        }
    }

    @Test
    @DisplayName("a stats read longer than the registry's stats timeout counts as the device not answering")
    void statsTimeout() {
        try (BackendRegistry quick = BackendRegistry.builder().drivers(DriverRegistry.fromClassPath())
                .statsTimeout(Duration.ofMillis(200)).build()) {
            Backend slow = quick.open("slow", InMemoryDriverProvider.config());
            Gate read = HostFixtures.inMemory(quick).device("slow").holdStatsReads();
            try {
                assertThatThrownBy(() -> slow.stats(true))
                        .isInstanceOf(DeviceUnavailableException.class)
                        .hasMessageContaining("did not finish within 200 ms");
            } finally {
                read.open();
            }
        }
    }

    @Test
    @DisplayName("a closed backend refuses stats")
    void closedBackend() {
        backend.close();
        CinderblockException e = catchThrowableOfType(CinderblockException.class, () -> backend.stats(false));
        assertThat(e).hasMessageContaining("closed");
    }
}
