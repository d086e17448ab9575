package io.cinderblock.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;

import io.cinderblock.sdk.spi.BackendState;
import io.cinderblock.sdk.spi.BackendStats;
import io.cinderblock.sdk.spi.Capability;
import io.cinderblock.sdk.spi.Capacity;
import io.cinderblock.sdk.spi.PoolStats;
import io.cinderblock.sdk.spi.Volume;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/** The bodies of the kit's {@code Stats} group; {@link VolumeDriverConformanceKit.Stats} delegates here. */
final class StatsChecks extends KitChecks {

    StatsChecks(Supplier<KitSession> session) {
        super(session);
    }

    void statsReturn() {
        BackendStats stats = statsFor("STATS-1");
        assertThat(stats.backendState()).as("backend_state while the device is up").isEqualTo(BackendState.Status.UP);
    }

    void requiredKeys() {
        BackendStats stats = statsFor("STATS-2");
        Map<String, Object> map = stats.toCinderMap();
        assertThat(map).containsKeys("volume_backend_name", "vendor_name", "driver_version", "storage_protocol",
                "total_capacity_gb", "free_capacity_gb");
        assertThat(stats.vendorName()).as("vendor_name").isEqualTo(descriptor().vendorName());
        assertThat(stats.driverVersion()).as("driver_version").isEqualTo(descriptor().driverVersion());
        assertThat(stats.storageProtocol()).as("storage_protocol")
                .isEqualTo(descriptor().storageProtocol().wireValue());
    }

    void backendName() {
        assertThat(statsFor("STATS-3").backendName()).isEqualTo(s().fixture().backendName());
    }

    void capacitiesValid() {
        for (PoolStats pool : statsFor("STATS-4").pools()) {
            for (Capacity capacity : List.of(pool.totalCapacity(), pool.freeCapacity())) {
                if (capacity.isKnown()) {
                    assertThat(capacity.gib()).as("pool '%s' capacity", pool.poolName()).isFinite()
                            .isGreaterThanOrEqualTo(0);
                }
            }
        }
    }

    void freeWithinTotal() {
        BackendStats stats = statsFor("STATS-5");
        for (PoolStats pool : stats.pools()) {
            if (pool.totalCapacity().isKnown() && pool.freeCapacity().isKnown()) {
                assertThat(pool.freeCapacity().gib()).as("pool '%s' free vs total", pool.poolName())
                        .isLessThanOrEqualTo(pool.totalCapacity().gib());
            }
        }
        if (stats.totalCapacity().isKnown() && stats.freeCapacity().isKnown()) {
            assertThat(stats.freeCapacity().gib()).as("backend free vs total")
                    .isLessThanOrEqualTo(stats.totalCapacity().gib());
        }
    }

    void poolsUnique() {
        List<String> names = statsFor("STATS-6").pools().stream().map(PoolStats::poolName)
                .collect(Collectors.toList());
        assertThat(names).isNotEmpty().doesNotHaveDuplicates();
    }

    void reservedAndRatio() {
        for (PoolStats pool : statsFor("STATS-7").pools()) {
            assertThat(pool.reservedPercentage()).as("pool '%s' reserved_percentage", pool.poolName())
                    .isBetween(0, 100);
            pool.maxOverSubscriptionRatio().ifPresent(ratio -> assertThat(ratio)
                    .as("pool '%s' max_over_subscription_ratio", pool.poolName()).isGreaterThanOrEqualTo(1));
        }
    }

    void thinThickConsistent() {
        for (PoolStats pool : statsFor("STATS-8").pools()) {
            assertThat(pool.thinProvisioningSupport() || pool.thickProvisioningSupport())
                    .as("pool '%s' supports thin or thick provisioning", pool.poolName()).isTrue();
            if (!pool.thinProvisioningSupport()) {
                pool.maxOverSubscriptionRatio().ifPresent(ratio -> assertThat(ratio)
                        .as("pool '%s' is thick-only, so its max_over_subscription_ratio", pool.poolName())
                        .isEqualTo(1.0));
                if (pool.totalCapacity().isKnown() && pool.provisionedCapacityGib().isPresent()) {
                    assertThat(pool.provisionedCapacityGib().getAsDouble())
                            .as("pool '%s' is thick-only, so provisioned_capacity_gb vs total", pool.poolName())
                            .isLessThanOrEqualTo(pool.totalCapacity().gib() + s().fixture().capacityToleranceGib());
                }
            }
        }
    }

    void repeatable() {
        BackendStats first = statsFor("STATS-9");
        BackendStats second = statsFor("STATS-9");
        double tolerance = s().fixture().capacityToleranceGib();
        assertThat(second.pools().stream().map(PoolStats::poolName))
                .as("pool names of the second call").containsExactlyElementsOf(
                        first.pools().stream().map(PoolStats::poolName).collect(Collectors.toList()));
        for (PoolStats a : first.pools()) {
            PoolStats b = pool(second, a.poolName()).orElseThrow();
            assertClose(a.poolName(), "total_capacity_gb", a.totalCapacity(), b.totalCapacity(), tolerance);
            assertClose(a.poolName(), "free_capacity_gb", a.freeCapacity(), b.freeCapacity(), tolerance);
        }
    }

    private void assertClose(String pool, String key, Capacity a, Capacity b, double tolerance) {
        assertThat(b.kind()).as("pool '%s' %s kind on the second call", pool, key).isEqualTo(a.kind());
        if (a.isKnown()) {
            assertThat(Math.abs(a.gib() - b.gib())).as("pool '%s' %s changed from %s to %s between two calls",
                    pool, key, a, b).isLessThanOrEqualTo(tolerance);
        }
    }

    void capacityFollowsVolumes() {
        requireCapability(Capability.CREATE_VOLUME);
        double tolerance = s().fixture().capacityToleranceGib();
        long size = Math.max(s().fixture().volumeSizeGib(), (long) Math.ceil(2 * tolerance) + 1);
        BackendStats before = statsFor("STATS-10");
        PoolStats target = before.pools().stream()
                .filter(p -> p.freeCapacity().isKnown() && p.freeCapacity().gib() >= size + tolerance)
                .findFirst()
                .orElseGet(() -> abort("no pool reports a known free capacity of at least " + size + " GiB"));
        boolean thinOnly = target.thinProvisioningSupport() && !target.thickProvisioningSupport();
        if (thinOnly && target.provisionedCapacityGib().isEmpty()) {
            abort("pool '" + target.poolName() + "' is thin and reports no provisioned_capacity_gb to follow");
        }
        Volume volume = createVolume(size, Optional.of(target.poolName()));
        assertThat(volume.poolName()).as("pool the volume was placed in").isEqualTo(target.poolName());
        awaitCapacity(target, size, thinOnly, "after creating " + size + " GiB");
        voidOperation("deleteVolume(" + volume.name() + ")", () -> driver().deleteVolume(volume));
        awaitCapacity(target, 0, thinOnly, "after deleting the volume again");
    }

    /** Polls until the pool's free capacity (thin pools: provisioned capacity) moved by {@code expected} GiB. */
    private void awaitCapacity(PoolStats before, long expected, boolean thinOnly, String situation) {
        double tolerance = s().fixture().capacityToleranceGib();
        long end = System.nanoTime() + s().fixture().settleTimeout().toNanos();
        double moved;
        while (true) {
            PoolStats now = pool(statsFor("STATS-10"), before.poolName()).orElseGet(
                    () -> fail("pool '" + before.poolName() + "' disappeared from the stats " + situation));
            moved = thinOnly
                    ? now.provisionedCapacityGib().orElse(0) - before.provisionedCapacityGib().orElse(0)
                    : before.freeCapacity().gib() - now.freeCapacity().gib();
            if (Math.abs(moved - expected) <= tolerance) {
                return;
            }
            if (System.nanoTime() > end) {
                break;
            }
            sleep(Duration.ofMillis(200));
        }
        fail("STATS-10: pool '" + before.poolName() + "' " + (thinOnly ? "provisioned" : "free") + " capacity moved by "
                + moved + " GiB " + situation + ", expected " + expected + " GiB (tolerance " + tolerance
                + " GiB, waited " + Kit.millis(s().fixture().settleTimeout()) + ")");
    }
}
