package io.cinderblock.tck;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.spi.BackendState;
import io.cinderblock.sdk.spi.BackendStats;
import io.cinderblock.sdk.spi.DriverConfig;
import io.cinderblock.sdk.spi.DriverContext;
import io.cinderblock.sdk.spi.DriverDescriptor;
import io.cinderblock.sdk.spi.VolumeDriver;
import io.cinderblock.sdk.spi.VolumeDriverProvider;
import io.cinderblock.tck.proxy.DeviceProxies;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The state of one kit run against one fixture: the driver under test, the run prefix, what was
 * created (deleted in reverse order at the end), the drivers and proxies opened, and every text the
 * driver produced (for the secrets checks).
 *
 * <p>Every driver call goes through {@link #call}, on a daemon thread with a limit, so a hung driver
 * fails its test instead of hanging the run.
 */
final class KitSession implements AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final TckFixture fixture;
    private final VolumeDriverProvider provider;
    private final DriverDescriptor descriptor;
    private final String runPrefix;
    private final ExecutorService calls;
    private final LogCapture logs = new LogCapture();
    private final Queue<Observed> observed = new ConcurrentLinkedQueue<>();
    private final Deque<Cleanup> cleanups = new ArrayDeque<>();
    private final Deque<AutoCloseable> closeables = new ArrayDeque<>();
    private final AtomicInteger names = new AtomicInteger();
    private VolumeDriver shared;
    private String sharedFailure;
    private Duration stateDeadline;

    private record Cleanup(String what, Runnable action) {}

    /**
     * A text the driver produced, and where the kit saw it.
     *
     * @param where e.g. {@code "backendState() reason"}, {@code "log record"}
     * @param text the text
     */
    record Observed(String where, String text) {}

    KitSession(TckFixture fixture) {
        this.fixture = requireNonNull(fixture, "fixture() returned null");
        this.provider = fixture.provider();
        AtomicInteger threads = new AtomicInteger();
        this.calls = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "tck-call-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.descriptor = call("descriptor()", Duration.ofSeconds(5), provider::descriptor).orFail();
        this.runPrefix = "tck-" + Integer.toHexString(0x100000 + RANDOM.nextInt(0xEFFFFF));
    }

    TckFixture fixture() {
        return fixture;
    }

    VolumeDriverProvider provider() {
        return provider;
    }

    DriverDescriptor descriptor() {
        return descriptor;
    }

    /** A fresh id under the run prefix, e.g. {@code tck-1a2b3c-7}: nothing else on the device can have it. */
    String newId(String purpose) {
        return runPrefix + "-" + purpose + "-" + names.incrementAndGet();
    }

    // ------------------------------------------------------------------ calls

    /** Runs {@code action} on a daemon thread and waits at most {@code limit}. */
    <T> Outcome<T> call(String what, Duration limit, Callable<T> action) {
        long start = System.nanoTime();
        Future<T> future = calls.submit(action);
        try {
            T value = future.get(limit.toMillis(), TimeUnit.MILLISECONDS);
            observeValue(what, value);
            return new Outcome<>(what, Optional.ofNullable(value), Optional.empty(), since(start), false);
        } catch (TimeoutException e) {
            // Abandoned, not cancelled: interrupting a driver mid-call would test our interrupt, not its timeout.
            return new Outcome<>(what, Optional.empty(), Optional.empty(), since(start), true);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            observed.add(new Observed(what + " exception and cause chain", Kit.chainText(cause)));
            return new Outcome<>(what, Optional.empty(), Optional.of(cause), since(start), false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("Interrupted while waiting for " + what, e);
        }
    }

    /** Runs a void action like {@link #call}. */
    Outcome<Boolean> run(String what, Duration limit, ThrowingAction action) {
        return call(what, limit, () -> {
            action.run();
            return Boolean.TRUE;
        });
    }

    @FunctionalInterface
    interface ThrowingAction {
        void run() throws Exception;
    }

    private static Duration since(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    private void observeValue(String what, Object value) {
        if (value instanceof BackendState) {
            observed.add(new Observed(what + " reason", ((BackendState) value).reason()));
            observed.add(new Observed(what + " toString()", value.toString()));
        } else if (value instanceof BackendStats) {
            observed.add(new Observed(what + " toString()", value.toString()));
            observed.add(new Observed(what + " stats map", ((BackendStats) value).toCinderMap().toString()));
        } else if (value != null && !(value instanceof Boolean)) {
            observed.add(new Observed(what + " result toString()", value.toString()));
        }
    }

    /** Records a text the driver produced, for the secrets checks. */
    void observe(String where, String text) {
        observed.add(new Observed(where, text));
    }

    /** Every text the driver produced so far: results, exception chains, log records. */
    List<Observed> observedTexts() {
        List<Observed> texts = new java.util.ArrayList<>(observed);
        logs.lines().forEach(line -> texts.add(new Observed("log record", line)));
        return texts;
    }

    LogCapture logs() {
        return logs;
    }

    // ------------------------------------------------------------------ timing

    /** The shared driver's state deadline (read once). */
    Duration stateDeadline() {
        if (stateDeadline == null) {
            VolumeDriver driver = sharedDriver();
            stateDeadline = call("stateDeadline()", Duration.ofSeconds(5), driver::stateDeadline).orFail();
        }
        return stateDeadline;
    }

    /** The deadline plus the fixture's grace: the longest the kit waits for a state probe. */
    Duration stateLimit(VolumeDriver driver) {
        Duration deadline = driver == shared ? stateDeadline()
                : call("stateDeadline()", Duration.ofSeconds(5), driver::stateDeadline).orFail();
        return deadline.plus(fixture.deadlineGrace());
    }

    Duration statsLimit() {
        return fixture.statsTimeout(stateDeadline()).plus(fixture.deadlineGrace());
    }

    Duration operationLimit() {
        return fixture.operationTimeout();
    }

    // ------------------------------------------------------------------ drivers

    /** Validates {@code config} as the SDK would and opens a driver; the kit closes it at the end. */
    Outcome<VolumeDriver> open(Map<String, String> config, Duration limit) {
        Outcome<VolumeDriver> outcome = call("open()", limit, () -> {
            DriverConfig validated = DriverConfig.validate(descriptor, fixture.backendName(), config);
            return provider.open(validated, context());
        });
        outcome.value().ifPresent(this::closeAtEnd);
        return outcome;
    }

    /** Validates and opens on the calling thread; the caller closes the driver. */
    VolumeDriver openUnmanaged(Map<String, String> config) {
        DriverConfig validated = DriverConfig.validate(descriptor, fixture.backendName(), config);
        return provider.open(validated, context());
    }

    /**
     * Validates and opens like {@link #open}, then closes the driver at once (within the same limit):
     * for checks that open many drivers and need none of them afterwards.
     */
    Outcome<VolumeDriver> openAndClose(Map<String, String> config, Duration limit) {
        Outcome<VolumeDriver> outcome = call("open()", limit, () -> openUnmanaged(config));
        outcome.value().ifPresent(driver -> {
            Outcome<Boolean> closed = run("close()", limit, driver::close);
            if (!closed.returned()) {
                closeAtEnd(driver); // tried again at the end of the run
            }
        });
        return outcome;
    }

    /**
     * A driver opened with the fixture's configuration, shared by the checks that only read. If it
     * does not open, CONF-1 fails and every check that needs it is blocked by CONF-1; the open is
     * tried once, so a hanging {@code open} costs one operation timeout, not one per test.
     */
    synchronized VolumeDriver sharedDriver() {
        if (shared == null && sharedFailure == null) {
            Outcome<VolumeDriver> outcome = open(fixture.config(), fixture.operationTimeout());
            if (outcome.returned() && outcome.value().isPresent()) {
                shared = outcome.value().get();
            } else {
                sharedFailure = outcome.account();
            }
        }
        if (shared == null) {
            throw new BlockedException("CONF-1", "the fixture's configuration does not open a driver: " + sharedFailure);
        }
        return shared;
    }

    /** The context drivers get: the system clock and a logger whose output the kit captures. */
    DriverContext context() {
        return DriverContext.of(Clock.systemUTC(),
                logs.capturing(System.getLogger("cinderblock.driver." + fixture.backendName())));
    }

    /** Starts fault proxies in front of the device; closed at the end of the run (or earlier by the caller). */
    DeviceProxies proxies() {
        DeviceProxies proxies = DeviceProxies.insert(descriptor, fixture.config());
        closeAtEnd(proxies);
        return proxies;
    }

    synchronized void closeAtEnd(AutoCloseable closeable) {
        closeables.push(closeable);
    }

    /** Registers the removal of something the kit created; run in reverse order at the end. */
    synchronized void cleanup(String what, Runnable action) {
        cleanups.push(new Cleanup(what, action));
    }

    /** Deletes what the kit created (newest first), then closes drivers, proxies and the fixture's resources. */
    @Override
    public void close() {
        List<String> problems = new java.util.ArrayList<>();
        Deque<Cleanup> todo;
        synchronized (this) {
            todo = new ArrayDeque<>(cleanups);
            cleanups.clear();
        }
        for (Cleanup cleanup : todo) {
            Outcome<Boolean> outcome = run(cleanup.what(), fixture.operationTimeout(), cleanup.action()::run);
            if (!outcome.returned()) {
                problems.add(outcome.account());
            }
        }
        Deque<AutoCloseable> toClose;
        synchronized (this) {
            toClose = new ArrayDeque<>(closeables);
            closeables.clear();
        }
        for (AutoCloseable closeable : toClose) {
            Outcome<Boolean> outcome = run("close " + closeable.getClass().getSimpleName(), Duration.ofSeconds(10),
                    closeable::close);
            if (!outcome.returned()) {
                problems.add(outcome.account());
            }
        }
        for (AutoCloseable resource : fixture.resources()) {
            try {
                resource.close();
            } catch (Exception e) {
                problems.add("closing fixture resource " + resource + ": " + e);
            }
        }
        logs.close();
        calls.shutdownNow();
        if (!problems.isEmpty()) {
            // Cleanup problems must not hide test results; they are printed for the operator.
            System.err.println("cinderblock TCK: cleanup problems (run prefix " + runPrefix + "): " + problems);
        }
    }
}
