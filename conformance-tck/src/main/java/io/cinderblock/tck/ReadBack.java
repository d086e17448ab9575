package io.cinderblock.tck;

import static org.assertj.core.api.Assertions.fail;

import io.cinderblock.sdk.spi.BackendStats;
import io.cinderblock.sdk.spi.PoolStats;
import io.cinderblock.sdk.spi.VolumeDriver;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Confirms an operation's effect on the device instead of taking the driver's word for it (issue 13
 * item 2): the pools are read before the operation and polled after it through two independent
 * readers, a fresh {@code collectStats()} of the shared driver and a second driver opened on the same
 * device with the same configuration (so state kept in the first driver's memory does not count).
 *
 * <p>What moves: free capacity, on thick-only pools with a known free capacity (thin pools need not
 * move), within the fixture's capacity tolerance; and {@code total_volumes}, where both readings
 * report it. Pools a reader cannot see are left unread; stats failures are STATS-1's to judge.
 */
final class ReadBack implements AutoCloseable {
    private static final Duration POLL = Duration.ofMillis(200);

    private final KitChecks checks;
    private final String requirement;
    private final List<VolumeDriver> readers;
    private final List<Map<String, PoolStats>> before;

    private ReadBack(KitChecks checks, String requirement, List<VolumeDriver> readers) {
        this.checks = checks;
        this.requirement = requirement;
        this.readers = readers;
        this.before = readers.stream().map(this::pools).toList();
    }

    /**
     * Opens the second reader and takes the "before" readings. Call before the operation. A second
     * driver that does not open with the configuration the shared one opened with fails {@code requirement}.
     */
    static ReadBack before(KitChecks checks, String requirement) {
        KitSession s = checks.s();
        Outcome<VolumeDriver> second = s.call("open() of a second driver", s.operationLimit(),
                () -> s.openUnmanaged(s.fixture().config()));
        if (!second.returned() || second.value().isEmpty()) {
            fail(requirement + ": a second driver on the same device, to read the effect back, did not open: "
                    + second.account());
        }
        return new ReadBack(checks, requirement, List.of(checks.driver(), second.value().get()));
    }

    /** The second driver, for reads the SPI offers beyond stats (an export, a restore). */
    VolumeDriver second() {
        return readers.get(1);
    }

    /** Growth (GiB) that shows in stats whatever the tolerance: more than twice it. */
    static long visibleGib(double tolerance) {
        return (long) Math.ceil(2 * tolerance) + 1;
    }

    /** Whether {@code pool} is thick-only, with a known free capacity of at least {@code room}, in every reading. */
    boolean thickWithRoom(String pool, double room) {
        return before.stream().allMatch(m -> Optional.ofNullable(m.get(pool)).filter(p -> thickKnown(p)
                && p.freeCapacity().gib() >= room).isPresent());
    }

    /** Whether every thick-only pool with a known free capacity has at least {@code room}, in every reading. */
    boolean everyThickHasRoom(double room) {
        return before.stream().flatMap(m -> m.values().stream()).filter(ReadBack::thickKnown)
                .allMatch(p -> p.freeCapacity().gib() >= room);
    }

    /**
     * Polls both readers until {@code pool}'s free capacity fell by {@code dropGib} (negative: rose;
     * {@code NaN}: not checked) and its volume count changed by {@code volumeDelta}, each where it can
     * be read (capacity on thick-only pools, counts where both readings report them); fails {@code
     * requirement} naming the reader and what it saw when the settle timeout passes first.
     */
    void expect(String pool, double dropGib, long volumeDelta, String situation) {
        KitSession s = checks.s();
        double tolerance = s.fixture().capacityToleranceGib();
        long end = System.nanoTime() + s.fixture().settleTimeout().toNanos();
        for (int i = 0; i < readers.size(); i++) {
            PoolStats was = before.get(i).get(pool);
            if (was == null) {
                continue; // this reader did not see the pool before; nothing to compare
            }
            String reader = i == 0 ? "a fresh collectStats() of the driver" : "a second driver on the same device";
            String seen = "no stats";
            while (true) {
                PoolStats now = pools(readers.get(i)).get(pool);
                Optional<String> wrong = now == null ? Optional.of("the pool gone")
                        : mismatch(was, now, dropGib, volumeDelta, tolerance);
                if (wrong.isEmpty()) {
                    break;
                }
                seen = wrong.get();
                if (System.nanoTime() > end) {
                    fail(requirement + ": " + reader + " sees pool '" + pool + "' " + seen + " " + situation
                            + " (tolerance " + tolerance + " GiB, waited " + Kit.millis(s.fixture().settleTimeout())
                            + ")");
                }
                KitChecks.sleep(POLL);
            }
        }
    }

    /**
     * How far {@code pool}'s free capacity has fallen since the "before" reading, as the second driver
     * reads it now; {@code NaN} where it cannot be read (not thick-only, unknown, or no stats).
     */
    double dropNow(String pool) {
        PoolStats was = before.get(1).get(pool);
        PoolStats now = pools(second()).get(pool);
        if (was == null || now == null || !thickKnown(was) || !now.freeCapacity().isKnown()) {
            return Double.NaN;
        }
        return was.freeCapacity().gib() - now.freeCapacity().gib();
    }

    private static Optional<String> mismatch(PoolStats was, PoolStats now, double dropGib, long volumeDelta,
            double tolerance) {
        if (!Double.isNaN(dropGib) && thickKnown(was) && now.freeCapacity().isKnown()) {
            double dropped = was.freeCapacity().gib() - now.freeCapacity().gib();
            if (Math.abs(dropped - dropGib) > tolerance) {
                return Optional.of("free capacity " + (dropped >= 0 ? "dropped by " + dropped : "rose by " + -dropped)
                        + " GiB, expected " + (dropGib >= 0 ? "a drop of " + dropGib : "a rise of " + -dropGib) + " GiB");
            }
        }
        OptionalLong a = was.totalVolumes();
        OptionalLong b = now.totalVolumes();
        if (a.isPresent() && b.isPresent() && b.getAsLong() - a.getAsLong() != volumeDelta) {
            return Optional.of("total_volumes " + a.getAsLong() + " -> " + b.getAsLong() + ", expected a change of "
                    + volumeDelta);
        }
        return Optional.empty();
    }

    private static boolean thickKnown(PoolStats pool) {
        return pool.thickProvisioningSupport() && !pool.thinProvisioningSupport() && pool.freeCapacity().isKnown();
    }

    /** One reader's pools by name; empty when it has no stats (STATS-1 judges that). */
    private Map<String, PoolStats> pools(VolumeDriver reader) {
        Outcome<BackendStats> stats = checks.collect(reader);
        Map<String, PoolStats> pools = new LinkedHashMap<>();
        stats.value().ifPresent(st -> st.pools().forEach(p -> pools.put(p.poolName(), p)));
        return pools;
    }

    /** Closes the second driver; one that does not close in time is closed again at the end of the run. */
    @Override
    public void close() {
        KitSession s = checks.s();
        VolumeDriver second = second();
        if (!s.run("close() of the second driver", s.operationLimit(), second::close).returned()) {
            s.closeAtEnd(second);
        }
    }
}
