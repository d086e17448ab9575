package io.cinderblock.tck;

import static org.assertj.core.api.Assertions.assertThat;

import io.cinderblock.sdk.error.DeviceUnavailableException;
import io.cinderblock.sdk.spi.BackendState;
import io.cinderblock.sdk.spi.BackendStats;
import io.cinderblock.sdk.spi.Capacity;
import io.cinderblock.sdk.spi.PoolStats;
import io.cinderblock.sdk.spi.VolumeDriver;
import io.cinderblock.tck.proxy.DeviceProxies;
import io.cinderblock.tck.proxy.FaultMode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/** The bodies of the kit's {@code State} group; {@link VolumeDriverConformanceKit.State} delegates here. */
final class StateChecks extends KitChecks {

    StateChecks(Supplier<KitSession> session) {
        super(session);
    }

    void upWhileReachable() {
        Instant before = Instant.now();
        BackendState state = state(driver());
        Instant after = Instant.now();
        assertThat(state.status()).as("state while reachable (reason \"%s\")", state.reason())
                .isEqualTo(BackendState.Status.UP);
        assertThat(state.reason()).isNotBlank();
        assertThat(state.observedAt()).as("observedAt").isBetween(before.minusSeconds(1), after.plusSeconds(1));
    }

    void withinDeadline() {
        Duration deadline = s().stateDeadline();
        assertThat(deadline).as("stateDeadline()").isPositive().isLessThanOrEqualTo(Duration.ofSeconds(120));
        for (int i = 0; i < 5; i++) {
            state(driver());
        }
    }

    void concurrentCalls() throws Exception {
        VolumeDriver driver = driver();
        BackendStats reference = statsFor("STATE-3");
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "tck-concurrency");
            t.setDaemon(true);
            return t;
        });
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                boolean stats = i % 2 == 0;
                results.add(pool.submit(() -> {
                    start.await();
                    StringBuilder problems = new StringBuilder();
                    for (int round = 0; round < 3; round++) {
                        if (stats) {
                            BackendStats got = driver.collectStats();
                            if (got.backendState() != BackendState.Status.UP || !poolNames(got).equals(
                                    poolNames(reference))) {
                                problems.append("stats ").append(got.backendState()).append(' ')
                                        .append(poolNames(got)).append("; ");
                            }
                        } else {
                            BackendState state = driver.backendState();
                            if (!state.isUp()) {
                                problems.append("state DOWN: ").append(state.reason()).append("; ");
                            }
                        }
                    }
                    return problems.toString();
                }));
            }
            start.countDown();
            long limitMillis = s().statsLimit().multipliedBy(3).plus(s().stateLimit(driver).multipliedBy(3)).toMillis();
            for (Future<String> result : results) {
                String problems;
                try {
                    problems = result.get(limitMillis, TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.ExecutionException e) {
                    s().observe("concurrent call exception and cause chain", Kit.chainText(e.getCause()));
                    blockIfStatsRefused(e.getCause());
                    throw new AssertionError("A concurrent call threw " + Kit.describe(e.getCause()), e.getCause());
                } catch (java.util.concurrent.TimeoutException e) {
                    throw new AssertionError("Concurrent calls did not finish within " + limitMillis + " ms");
                }
                assertThat(problems).as("results of concurrent calls").isEmpty();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private List<String> poolNames(BackendStats stats) {
        return stats.pools().stream().map(PoolStats::poolName).collect(Collectors.toList());
    }

    void agreement() {
        List<String> problems = new ArrayList<>();
        VolumeDriver shared = driver();
        // Stats that differ between two calls in a row are STATS-9's defect; concurrency adds nothing to it.
        List<String> sequential = new ArrayList<>();
        comparePools(statsFor("STATE-4"), statsFor("STATE-4"), s().fixture().capacityToleranceGib(),
                "two calls in a row", sequential);
        if (!sequential.isEmpty()) {
            throw new BlockedException("STATS-9", String.join("; ", sequential));
        }
        agree(shared, BackendState.Status.UP, "healthy", problems);
        if (DeviceProxies.canProxy(descriptor())) {
            DeviceProxies proxies;
            try {
                proxies = s().proxies();
            } catch (IllegalArgumentException e) {
                throw new BlockedException("DESC-4", "cannot place the fault proxy: " + e.getMessage());
            }
            try {
                Outcome<VolumeDriver> opened = s().open(proxies.config(), s().operationLimit());
                if (!opened.returned() || opened.value().isEmpty()) {
                    throw new BlockedException("FAULT-1", "cannot open the driver through the fault proxy: "
                            + opened.account());
                }
                VolumeDriver proxied = opened.value().get();
                if (probe(proxied).value().filter(BackendState::isUp).isEmpty() || proxies.arrivals() == 0) {
                    throw new BlockedException("FAULT-1", "not UP through the healthy fault proxy, or its traffic"
                            + " does not pass the proxy");
                }
                collect(proxied); // as a host would have: stats served before the fault must not outlive it
                proxies.mode(FaultMode.REFUSE);
                faulted(proxied, "FAULT-2", "while the device refuses connections", problems);
                proxies.heal();
                healed(proxied, "FAULT-6", "after connections are accepted again", problems);
            } finally {
                proxies.close();
            }
        }
        for (DeviceFault fault : s().fixture().deviceFaults()) {
            try {
                try {
                    fault.breakDevice();
                } catch (Exception e) {
                    throw new AssertionError("The fixture's device fault '" + fault.name() + "' failed to break: "
                            + e, e);
                }
                faulted(shared, "FAULT-8", "during device fault '" + fault.name() + "'", problems);
            } finally {
                try {
                    fault.healDevice();
                } catch (Exception e) {
                    problems.add("the fixture's device fault '" + fault.name() + "' failed to heal: " + e);
                }
            }
            healed(shared, "FAULT-8", "after device fault '" + fault.name() + "' healed", problems);
        }
        assertThat(problems).as("STATE-4: disagreements between concurrent state and stats calls").isEmpty();
    }

    /** Once the state is DOWN and one stats call shows it (else the fault's own requirement fails), concurrent calls agree. */
    private void faulted(VolumeDriver driver, String faultRequirement, String situation, List<String> problems) {
        long end = System.nanoTime() + s().stateLimit(driver).toNanos();
        while (probe(driver).value().filter(st -> !st.isUp()).isEmpty()) {
            if (System.nanoTime() > end) {
                throw new BlockedException(faultRequirement, "backendState() not DOWN within the deadline " + situation);
            }
            sleep(POLL);
        }
        Outcome<BackendStats> one = collect(driver);
        boolean down = one.thrown().filter(t -> t instanceof DeviceUnavailableException).isPresent()
                || one.value().filter(st -> st.backendState() == BackendState.Status.DOWN).isPresent();
        if (!down) {
            throw new BlockedException(faultRequirement, "collectStats() does not show DOWN " + situation + ": "
                    + one.account());
        }
        agree(driver, BackendState.Status.DOWN, situation, problems);
    }

    /** Once the state is UP again (else the recovery requirement fails), concurrent calls agree. */
    private void healed(VolumeDriver driver, String recoveryRequirement, String situation, List<String> problems) {
        long end = System.nanoTime() + s().fixture().recoveryTimeout(s().stateDeadline()).toNanos();
        while (probe(driver).value().filter(BackendState::isUp).isEmpty()) {
            if (System.nanoTime() > end) {
                throw new BlockedException(recoveryRequirement, "backendState() not UP within the recovery timeout "
                        + situation);
            }
            sleep(POLL);
        }
        agree(driver, BackendState.Status.UP, situation, problems);
    }

    /**
     * Four threads call {@code backendState()} and four {@code collectStats()}, twice each, all at
     * once: every state and every stats' {@code backend_state} (a DeviceUnavailableException counts
     * as down) must be {@code expected}, and stats that are up must name the same pools with the
     * same capacities within the tolerance.
     */
    private void agree(VolumeDriver driver, BackendState.Status expected, String situation, List<String> problems) {
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "tck-agreement");
            t.setDaemon(true);
            return t;
        });
        List<Object> results = java.util.Collections.synchronizedList(new ArrayList<>());
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                boolean stats = i % 2 == 0;
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int round = 0; round < 2; round++) {
                        try {
                            results.add(stats ? driver.collectStats() : driver.backendState());
                        } catch (RuntimeException e) {
                            results.add(e);
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            long limitMillis = s().statsLimit().multipliedBy(2).plus(s().stateLimit(driver).multipliedBy(2))
                    .toMillis();
            for (Future<?> future : futures) {
                try {
                    future.get(limitMillis, TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.TimeoutException e) {
                    problems.add(situation + ": concurrent calls did not finish within " + limitMillis + " ms");
                    return;
                } catch (java.util.concurrent.ExecutionException e) {
                    problems.add(situation + ": " + Kit.describe(e.getCause()));
                    return;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted", e);
                }
            }
        } finally {
            pool.shutdownNow();
        }
        BackendStats reference = null;
        double tolerance = s().fixture().capacityToleranceGib();
        for (Object result : List.copyOf(results)) {
            if (result instanceof BackendState) {
                BackendState state = (BackendState) result;
                s().observe("backendState() reason", state.reason());
                if (state.status() != expected) {
                    if (situation.equals("healthy")) {
                        // Concurrent probes of a healthy device that say DOWN are STATE-3's defect.
                        throw new BlockedException("STATE-3", "backendState() " + state.status()
                                + " on a healthy device under concurrent calls: " + state.reason());
                    }
                    problems.add(situation + ": backendState() " + state.status() + " (\"" + state.reason()
                            + "\") while it was " + expected + " just before");
                }
            } else if (result instanceof BackendStats) {
                BackendStats stats = (BackendStats) result;
                s().observe("collectStats() toString()", stats.toString());
                if (stats.backendState() != expected) {
                    problems.add(situation + ": collectStats() says backend_state " + stats.backendState()
                            + " while the state is " + expected);
                } else if (expected == BackendState.Status.UP) {
                    if (reference == null) {
                        reference = stats;
                    } else {
                        comparePools(reference, stats, tolerance, situation, problems);
                    }
                }
            } else {
                Throwable thrown = (Throwable) result;
                s().observe("concurrent call exception and cause chain", Kit.chainText(thrown));
                blockIfStatsRefused(thrown);
                if (!(thrown instanceof DeviceUnavailableException) || expected == BackendState.Status.UP) {
                    problems.add(situation + ": a concurrent call threw " + Kit.describe(thrown)
                            + " while the state is " + expected);
                }
            }
        }
    }

    private void comparePools(BackendStats a, BackendStats b, double tolerance, String situation,
            List<String> problems) {
        if (!poolNames(a).equals(poolNames(b))) {
            problems.add(situation + ": concurrent stats name pools " + poolNames(a) + " and " + poolNames(b));
            return;
        }
        for (PoolStats pa : a.pools()) {
            PoolStats pb = pool(b, pa.poolName()).orElseThrow();
            for (String key : List.of("total_capacity_gb", "free_capacity_gb")) {
                Capacity ca = key.startsWith("total") ? pa.totalCapacity() : pa.freeCapacity();
                Capacity cb = key.startsWith("total") ? pb.totalCapacity() : pb.freeCapacity();
                if (ca.kind() != cb.kind() || (ca.isKnown() && Math.abs(ca.gib() - cb.gib()) > tolerance)) {
                    problems.add(situation + ": pool '" + pa.poolName() + "' " + key + " is " + ca + " and " + cb
                            + " in concurrent stats (tolerance " + tolerance + " GiB)");
                }
            }
        }
    }
}
