package io.cinderblock.benchmarks;

import io.cinderblock.sdk.host.Backend;
import io.cinderblock.sdk.host.BackendRegistry;
import io.cinderblock.sdk.host.discovery.DriverRegistry;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Live threads of one process holding many backends during probe rounds, as an agent of the
 * reference service runs them: a timer spreads one {@code state()} probe per backend evenly over
 * the interval onto a probe pool ({@code backend_probe_threads}, default 16), and a stats pool
 * refreshes every backend's stats at the start and in the middle of the run. Then it waits past the
 * guard keep-alive and counts again. Prints a table; the command to rerun it is in
 * sdk-host/README.md.
 *
 * <p>Uses only API that {@code main} had before the shared guard pool, so the same source measures
 * both. Options: {@code --backends 1000 --interval-ms 5000 --rounds 4 --probe-threads 16
 * --latency-ms 2 --idle-ms 35000 --driver slow-probe} ({@code slow-probe} is a simulated device
 * whose calls take {@code --latency-ms}; {@code in-memory} answers in microseconds).
 */
public final class GuardThreadsMeasure {
    private static final List<String> KNOWN = List.of("--backends", "--interval-ms", "--rounds", "--probe-threads",
            "--latency-ms", "--idle-ms", "--driver");

    private GuardThreadsMeasure() {}

    /**
     * Runs the measurement.
     *
     * @param args options as above
     * @throws Exception if the run fails
     */
    public static void main(String[] args) throws Exception {
        Map<String, String> options = options(args);
        int count = Integer.parseInt(options.getOrDefault("--backends", "1000"));
        long interval = Long.parseLong(options.getOrDefault("--interval-ms", "5000"));
        int rounds = Integer.parseInt(options.getOrDefault("--rounds", "4"));
        int probeThreads = Integer.parseInt(options.getOrDefault("--probe-threads", "16"));
        long idle = Long.parseLong(options.getOrDefault("--idle-ms", "35000"));
        String driver = options.getOrDefault("--driver", "slow-probe");
        SlowProbeDriverProvider.latencyMillis = Long.parseLong(options.getOrDefault("--latency-ms", "2"));

        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        int atStart = threads.getThreadCount();
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(daemon("measure-timer"));
        ThreadPoolExecutor probes = pool(probeThreads, "measure-probe");
        ThreadPoolExecutor stats = pool(Math.max(2, probeThreads / 4), "measure-stats");
        AtomicInteger peak = new AtomicInteger();
        AtomicLong probesDone = new AtomicLong();
        try (BackendRegistry registry = BackendRegistry.builder().drivers(DriverRegistry.fromClassPath()).build()) {
            List<Backend> backends = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                Map<String, String> config = new LinkedHashMap<>();
                config.put("volume_driver", driver);
                if (driver.equals("in-memory")) {
                    config.put("password", "measure-" + i);
                }
                backends.add(registry.open("bench-" + i, config));
            }
            int opened = threads.getThreadCount();
            System.out.printf("# %d '%s' backends, probe interval %d ms, %d probe threads, latency %d ms, %s%n",
                    count, driver, interval, probeThreads, SlowProbeDriverProvider.latencyMillis,
                    Runtime.version());
            System.out.printf("%-28s %8s %8s %8s%n", "phase", "live", "peak", "guard");
            row("JVM start", atStart, atStart);
            row("backends opened", opened, opened);
            timer.scheduleAtFixedRate(() -> peak.accumulateAndGet(threads.getThreadCount(), Math::max),
                    0, 20, TimeUnit.MILLISECONDS);
            long origin = System.nanoTime();
            statsRound(backends, stats);
            for (int r = 0; r < rounds; r++) {
                if (r == rounds / 2) {
                    statsRound(backends, stats);
                }
                for (int i = 0; i < count; i++) {
                    Backend backend = backends.get(i);
                    long at = TimeUnit.MILLISECONDS.toNanos(r * interval) + TimeUnit.MILLISECONDS.toNanos(interval) * i / count;
                    timer.schedule(() -> probes.execute(() -> {
                        backend.state();
                        probesDone.incrementAndGet();
                    }), at - (System.nanoTime() - origin), TimeUnit.NANOSECONDS);
                }
                sleepUntil(origin, TimeUnit.MILLISECONDS.toNanos((r + 1) * interval));
                row("probe round " + (r + 1), threads.getThreadCount(), peak.getAndSet(0));
            }
            Thread.sleep(idle);
            row("idle " + idle / 1000 + " s after", threads.getThreadCount(), peak.getAndSet(0));
            System.out.printf("# probes answered: %d of %d; RSS %s%n", probesDone.get(), (long) rounds * count, rss());
        } finally {
            timer.shutdownNow();
            probes.shutdownNow();
            stats.shutdownNow();
        }
    }

    private static void statsRound(List<Backend> backends, ThreadPoolExecutor stats) {
        for (Backend backend : backends) {
            stats.execute(() -> backend.stats(true));
        }
    }

    private static void row(String phase, int live, int peak) {
        System.out.printf("%-28s %8d %8d %8d%n", phase, live, peak, guardThreads());
    }

    /** Threads of the SDK's guards: named {@code cinderblock-...} (the measurement's own are {@code measure-...}). */
    private static long guardThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("cinderblock-")).count();
    }

    private static String rss() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmRSS"))
                    .map(l -> l.replaceAll("\\s+", " ").substring("VmRSS: ".length())).findFirst().orElse("n/a");
        } catch (IOException e) {
            return "n/a";
        }
    }

    private static void sleepUntil(long origin, long offsetNanos) throws InterruptedException {
        long left = offsetNanos - (System.nanoTime() - origin);
        if (left > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }

    private static ThreadPoolExecutor pool(int size, String name) {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(size, size, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                daemon(name));
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        AtomicInteger numbers = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + numbers.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("Expected '--option value' pairs, got '" + args[i] + "'");
            }
            if (!KNOWN.contains(args[i])) {
                throw new IllegalArgumentException("Unknown option '" + args[i] + "'; known: " + KNOWN);
            }
            options.put(args[i], args[++i]);
        }
        return options;
    }
}
