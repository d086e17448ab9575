package io.cinderblock.sdk.testing;

import io.cinderblock.sdk.ApiStatus;
import io.cinderblock.sdk.spi.Snapshot;
import io.cinderblock.sdk.spi.Volume;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;

/**
 * The simulated storage device behind one in-memory backend: a stand-in for an array, not a real
 * device. It keeps the volumes, snapshots and exports the driver made, counts every call the driver
 * makes to it (a spy), and lets a test break and heal it ({@link #goDown()}, {@link #comeUp()}),
 * hold its stats reads ({@link #holdStatsReads()}), watch its operations ({@link #onDeviceCall})
 * and fail the next one ({@link #failNextOperation}).
 *
 * @since 0.2
 */
@ApiStatus(value = ApiStatus.Status.EXPERIMENTAL, since = "0.2")
public final class InMemoryDevice {
    /** The operation name of a stats read, as the driver reports it to {@link #record(String, String)}. */
    public static final String COLLECT_STATS = "collectStats";
    /** The operation name of a state probe, as recorded. */
    public static final String BACKEND_STATE = "backendState";

    private final String name;
    private volatile boolean up = true;
    private volatile long capacityGib = 100;
    private final Map<String, Volume> volumes = new ConcurrentHashMap<>();
    private final Map<String, Snapshot> snapshots = new ConcurrentHashMap<>();
    private final Set<String> exports = ConcurrentHashMap.newKeySet();
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private volatile Gate statsGate = Gate.alwaysOpen();
    private volatile BiConsumer<String, String> deviceCallHook = (operation, id) -> {};
    private final AtomicReference<RuntimeException> nextFailure = new AtomicReference<>();
    private final AtomicReference<RuntimeException> nextStatsFailure = new AtomicReference<>();

    InMemoryDevice(String name) {
        this.name = name;
    }

    /**
     * The device's name: the backend's name.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    // ------------------------------------------------------------ break and heal

    /** Simulates an outage: state probes say DOWN, stats reads and operations fail as unreachable. */
    public void goDown() {
        up = false;
    }

    /** Ends a simulated outage. */
    public void comeUp() {
        up = true;
    }

    /**
     * Whether the device answers.
     *
     * @return true unless the test took the device down
     */
    public boolean isUp() {
        return up;
    }

    /**
     * Sets the device's raw capacity.
     *
     * @param value the raw capacity in GiB
     */
    public void capacityGib(long value) {
        capacityGib = value;
    }

    /**
     * The device's raw capacity.
     *
     * @return the raw capacity in GiB
     */
    public long capacityGib() {
        return capacityGib;
    }

    // ------------------------------------------------------------ spy

    /**
     * How many times the driver read the device's stats.
     *
     * @return the number of stats reads so far
     */
    public int statsReads() {
        return calls(COLLECT_STATS);
    }

    /**
     * How many times the driver called {@code operation} (a {@code VolumeDriver} method name).
     *
     * @param operation e.g. {@code createVolume}
     * @return the number of calls so far, 0 if none
     */
    public int calls(String operation) {
        AtomicInteger count = calls.get(operation);
        return count == null ? 0 : count.get();
    }

    /**
     * How many calls the driver made in all, state probes and stats reads included.
     *
     * @return the number of calls so far
     */
    public int totalCalls() {
        return calls.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    // ------------------------------------------------------------ fault injection

    /**
     * Makes every later stats read block at the returned gate, after it was counted, until the test
     * opens the gate.
     *
     * @return the gate the reads block at
     */
    public Gate holdStatsReads() {
        Gate gate = new Gate();
        statsGate = gate;
        return gate;
    }

    /**
     * Calls {@code hook} with the operation name and the volume or snapshot id at the start of every
     * volume operation, before the device changes anything: the moment a crash would hit.
     *
     * @param hook called on the driver's thread with the operation name and the id; an exception it throws fails the operation
     */
    public void onDeviceCall(BiConsumer<String, String> hook) {
        deviceCallHook = hook;
    }

    /**
     * Makes the next volume operation throw {@code failure} instead of changing anything.
     *
     * @param failure thrown once, by the next volume operation
     */
    public void failNextOperation(RuntimeException failure) {
        nextFailure.set(failure);
    }

    /**
     * Makes the next stats read throw {@code failure}, whatever the device's state.
     *
     * @param failure thrown once, by the next stats read
     */
    public void failNextStatsRead(RuntimeException failure) {
        nextStatsFailure.set(failure);
    }

    // ------------------------------------------------------------ what the device holds

    /**
     * The volumes on the device, by id.
     *
     * @return a sorted copy
     */
    public Map<String, Volume> volumes() {
        return new TreeMap<>(volumes);
    }

    /**
     * The snapshots on the device, by id.
     *
     * @return a sorted copy
     */
    public Map<String, Snapshot> snapshots() {
        return new TreeMap<>(snapshots);
    }

    /**
     * Whether the volume is exported to the host.
     *
     * @param volumeId the volume's id
     * @param host the connector's host name
     * @return true while an export to that host exists
     */
    public boolean isExported(String volumeId, String host) {
        return exports.contains(volumeId + "@" + host);
    }

    // ------------------------------------------------------------ used by the driver

    void record(String operation, String id) {
        calls.computeIfAbsent(operation, k -> new AtomicInteger()).incrementAndGet();
        if (!operation.equals(COLLECT_STATS) && !operation.equals(BACKEND_STATE)) {
            deviceCallHook.accept(operation, id);
            RuntimeException failure = nextFailure.getAndSet(null);
            if (failure != null) {
                throw failure;
            }
        }
    }

    void awaitStatsGate() {
        statsGate.pass();
        RuntimeException failure = nextStatsFailure.getAndSet(null);
        if (failure != null) {
            throw failure;
        }
    }

    Map<String, Volume> volumeTable() {
        return volumes;
    }

    Map<String, Snapshot> snapshotTable() {
        return snapshots;
    }

    Set<String> exportTable() {
        return exports;
    }
}
