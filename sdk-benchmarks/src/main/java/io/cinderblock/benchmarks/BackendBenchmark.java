package io.cinderblock.benchmarks;

import io.cinderblock.sdk.host.Backend;
import io.cinderblock.sdk.host.BackendRegistry;
import io.cinderblock.sdk.host.discovery.DriverRegistry;
import io.cinderblock.sdk.spi.BackendState;
import io.cinderblock.sdk.spi.BackendStats;
import io.cinderblock.sdk.testing.InMemoryDriverProvider;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The costs a host pays on every poll of a backend, on the in-memory test driver (a simulated
 * device, so this measures the facade, not a device): a cached {@code stats(false)}, a {@code
 * state()} probe (one hop to the probe thread and back, bounded by the driver's deadline), and, for
 * reference, turning stats into Cinder's dictionary.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class BackendBenchmark {
    private BackendRegistry registry;
    private Backend backend;
    private BackendStats stats;

    /** For JMH, which creates one instance per trial. */
    public BackendBenchmark() {}

    /**
     * Opens one in-memory backend, fills its stats cache and probes its state once, as a host has
     * done before its first poll (so {@code stats(false)} also weighs the newest state against the
     * cached stats).
     */
    @Setup(Level.Trial)
    public void open() {
        registry = BackendRegistry.builder().drivers(DriverRegistry.fromClassPath()).build();
        backend = registry.open("bench-1", InMemoryDriverProvider.config());
        stats = backend.stats(true);
        if (!backend.state().isUp()) {
            throw new IllegalStateException("The in-memory backend should be up");
        }
    }

    /** Closes the backend and its registry. */
    @TearDown(Level.Trial)
    public void close() {
        registry.close();
    }

    /**
     * A cached stats read: what a scheduler poll costs between device reads.
     *
     * @return the cached stats, returned so JMH keeps the work
     */
    @Benchmark
    public BackendStats cachedStats() {
        return backend.stats(false);
    }

    /**
     * A state probe through the facade, including the hand-off to the probe thread.
     *
     * @return the state, returned so JMH keeps the work
     */
    @Benchmark
    public BackendState state() {
        return backend.state();
    }

    /**
     * Reference: converting stats to Cinder's stats dictionary.
     *
     * @return the dictionary, returned so JMH keeps the work
     */
    @Benchmark
    public Map<String, Object> statsToCinderMap() {
        return stats.toCinderMap();
    }
}
