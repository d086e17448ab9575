package io.cinderblock.sdk.host;

import static org.assertj.core.api.Assertions.assertThat;

import io.cinderblock.sdk.host.discovery.DriverRegistry;
import io.cinderblock.sdk.host.discovery.LoadedDriver;
import io.cinderblock.sdk.host.testing.HostFixtures;
import io.cinderblock.sdk.spi.BackendState;
import io.cinderblock.sdk.spi.BackendStats;
import io.cinderblock.sdk.testing.DriverJarBuilder;
import io.cinderblock.sdk.testing.FaultyDriverProviders;
import io.cinderblock.sdk.testing.InMemoryDevice;
import io.cinderblock.sdk.testing.InMemoryDriverProvider;
import io.cinderblock.sdk.testing.ServiceEntriesClassLoader;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Driver calls are bounded: a hung collectStats() holds one thread, other backends keep their cadence")
class BoundedDriverCallsTest {
    private final DriverRegistry drivers = DriverRegistry.builder()
            .classLoader(BoundedDriverCallsTest.class.getClassLoader())
            .classLoader(new ServiceEntriesClassLoader(List.of(FaultyDriverProviders.HangingStats.class.getName())))
            .build();
    private final FaultyDriverProviders.HangingStats hanging =
            (FaultyDriverProviders.HangingStats) drivers.require("hanging-stats").provider();
    private final BackendRegistry registry = BackendRegistry.builder().drivers(drivers)
            .statsTimeout(Duration.ofMillis(200)).build();

    @AfterEach
    void tearDown() {
        hanging.release();
        registry.close();
    }

    @Test
    @DisplayName("refreshed every 100 ms for 10 s, a driver hung in collectStats() (ignoring interrupts) holds exactly one thread")
    void hungStatsHoldOneThread() throws Exception {
        Backend hung = registry.open("hung-stats", Map.of("volume_driver", "hanging-stats"));
        Backend healthy = registry.open("healthy-1", InMemoryDriverProvider.config());
        InMemoryDevice healthyDevice = HostFixtures.inMemory(registry).device("healthy-1");
        assertThat(hung.stats(true).backendState()).isEqualTo(BackendState.Status.UP);
        hanging.hang();

        List<BackendStats> hungResults = new CopyOnWriteArrayList<>();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        List<Long> healthyLatencies = new CopyOnWriteArrayList<>();
        AtomicInteger maxGuardThreads = new AtomicInteger();
        ScheduledExecutorService refreshers = Executors.newScheduledThreadPool(3);
        try {
            refreshers.scheduleAtFixedRate(() -> record(failures, () -> hungResults.add(hung.stats(true))),
                    0, 100, TimeUnit.MILLISECONDS);
            refreshers.scheduleAtFixedRate(() -> record(failures, () -> {
                long started = System.nanoTime();
                healthy.stats(true);
                healthyLatencies.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
            }), 0, 100, TimeUnit.MILLISECONDS);
            refreshers.scheduleAtFixedRate(() -> maxGuardThreads.accumulateAndGet(
                    guardThreads("hung-stats"), Math::max), 0, 20, TimeUnit.MILLISECONDS);
            Thread.sleep(10_000);
        } finally {
            refreshers.shutdownNow();
            assertThat(refreshers.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }

        assertThat(failures).isEmpty();
        assertThat(hanging.gate().entered()).as("threads sent into the hung driver").isEqualTo(1);
        assertThat(maxGuardThreads.get()).as("most guard threads of the hung backend at any time").isEqualTo(1);
        assertThat(guardThreads("hung-stats")).isEqualTo(1);
        assertThat(hungResults).hasSizeGreaterThan(50)
                .allSatisfy(s -> assertThat(s.backendState()).isEqualTo(BackendState.Status.DOWN));
        assertThat(hung.lastState()).hasValueSatisfying(s -> assertThat(s.reason()).contains("hung"));

        // Cadence: the healthy backend was refreshed on schedule, each read fresh from its device and
        // never held behind the hung backend's 200 ms stats timeout (bounds generous for a busy machine).
        assertThat(healthyLatencies).hasSizeGreaterThan(50);
        assertThat(healthyDevice.statsReads()).isEqualTo(healthyLatencies.size());
        assertThat(healthyLatencies.stream().mapToLong(Long::longValue).max().orElseThrow()).isLessThan(2_000);

        hanging.release();
        hanging.gate().awaitLeft(1, Duration.ofSeconds(10));
        BackendStats recovered = awaitRecovery(hung);
        assertThat(recovered.backendState()).isEqualTo(BackendState.Status.UP);
    }

    @Test
    @DisplayName("stats and state run with the driver's class loader as the thread context class loader")
    void driverClassLoaderIsTheContextLoader() throws Exception {
        Backend backend = registry.open("tccl", Map.of("volume_driver", "hanging-stats"));
        Thread self = Thread.currentThread();
        ClassLoader original = self.getContextClassLoader();
        try (URLClassLoader callers = new URLClassLoader("caller", new URL[0], null)) {
            self.setContextClassLoader(callers);
            backend.stats(true);
            backend.state();
        } finally {
            self.setContextClassLoader(original);
        }
        assertThat(hanging.contextLoaders()).containsExactly(FaultyDriverProviders.HangingStats.class.getClassLoader());
    }

    @Test
    @DisplayName("a driver from an isolated jar runs with its own jar's class loader as the context class loader")
    void isolatedDriverClassLoader(@TempDir Path drivers) throws Exception {
        new DriverJarBuilder().addPackageOf(FaultyDriverProviders.class)
                .provider(FaultyDriverProviders.HangingStats.class).writeTo(drivers.resolve("hanging-stats.jar"));
        try (BackendRegistry isolated = BackendRegistry.builder().drivers(DriverRegistry.fromDirectory(drivers))
                .build()) {
            LoadedDriver driver = isolated.drivers().require("hanging-stats");
            ClassLoader jarLoader = driver.provider().getClass().getClassLoader();
            assertThat(jarLoader).isNotSameAs(FaultyDriverProviders.HangingStats.class.getClassLoader());

            Backend backend = isolated.open("isolated", Map.of("volume_driver", "hanging-stats"));
            backend.stats(true);
            backend.state();

            // The provider class is the jar's copy, so the test reads it reflectively.
            Object seen = driver.provider().getClass().getMethod("contextLoaders").invoke(driver.provider());
            assertThat((java.util.Set<?>) seen).isEqualTo(java.util.Set.of(jarLoader));
        }
    }

    private static BackendStats awaitRecovery(Backend backend) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        BackendStats stats = backend.stats(true);
        while (stats.backendState() != BackendState.Status.UP && System.nanoTime() < deadline) {
            Thread.sleep(10);
            stats = backend.stats(true);
        }
        return stats;
    }

    private static int guardThreads(String backendName) {
        return (int) Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("cinderblock-" + backendName + "-"))
                .count();
    }

    private static void record(List<Throwable> failures, Runnable action) {
        try {
            action.run();
        } catch (RuntimeException | AssertionError e) {
            failures.add(e);
        }
    }
}
