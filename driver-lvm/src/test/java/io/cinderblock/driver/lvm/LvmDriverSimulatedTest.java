package io.cinderblock.driver.lvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cinderblock.sdk.error.CinderblockException;
import io.cinderblock.sdk.error.ErrorCode;
import io.cinderblock.sdk.error.NotSupportedException;
import io.cinderblock.sdk.spi.BackendState;
import io.cinderblock.sdk.spi.BackendStats;
import io.cinderblock.sdk.spi.Capability;
import io.cinderblock.sdk.spi.Connector;
import io.cinderblock.sdk.spi.DriverConfig;
import io.cinderblock.sdk.spi.DriverContext;
import io.cinderblock.sdk.spi.PoolStats;
import io.cinderblock.sdk.spi.Volume;
import io.cinderblock.sdk.spi.VolumeSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The driver over a {@link ScriptedHost}: the thin-provisioning path (simulated {@code lvs}
 * output, since thin pools need device-mapper) and a hung SSH layer. The thick path and every
 * fault are covered against real parts in {@link LvmDriverRealHostTest}.
 */
@DisplayName("LVM driver on a simulated host")
class LvmDriverSimulatedTest {
    @TempDir
    Path dir;
    private Map<String, String> values;

    @BeforeEach
    void config() throws IOException {
        Files.writeString(dir.resolve("key"), "not read by the simulated host");
        Files.writeString(dir.resolve("known_hosts"), "");
        values = new HashMap<>();
        values.put(LvmOptions.SAN_IP, "192.0.2.10");
        values.put(LvmOptions.SAN_LOGIN, "cinder");
        values.put(LvmOptions.SAN_PRIVATE_KEY, dir.resolve("key").toString());
        values.put(LvmOptions.SSH_HOSTS_KEY_FILE, dir.resolve("known_hosts").toString());
        values.put(LvmOptions.VOLUME_GROUP, "cinder-volumes");
        values.put(LvmOptions.LVM_TYPE, "thin");
    }

    private LvmDriver open(ScriptedHost host) {
        LvmDriverProvider provider = new LvmDriverProvider();
        return LvmDriverProvider.open(DriverConfig.validate(provider.descriptor(), "thin-backend", values),
                DriverContext.standard("thin-backend"), host);
    }

    private static ScriptedHost thinHost() {
        return new ScriptedHost()
                .answer("vgs", LvmReportsTest.resource("simulated/vgs-thin.json"))
                .answer("lvs", LvmReportsTest.resource("simulated/lvs-thin.json"))
                .answer("lvcreate", "");
    }

    @Test
    @DisplayName("thin stats come from the pool and its data percent (simulated lvs output)")
    void thinStats() {
        try (LvmDriver driver = open(thinHost())) {
            BackendStats stats = driver.collectStats();
            PoolStats pool = stats.pools().get(0);
            assertThat(stats.backendState()).isEqualTo(BackendState.Status.UP);
            assertThat(pool.totalCapacity().gib()).isEqualTo(10.0);
            assertThat(pool.freeCapacity().gib()).isEqualTo(8.75);
            assertThat(pool.provisionedCapacityGib().getAsDouble()).isEqualTo(25.0);
            assertThat(pool.totalVolumes().getAsLong()).isEqualTo(2);
            assertThat(pool.thinProvisioningSupport()).isTrue();
            assertThat(pool.thickProvisioningSupport()).isFalse();
            assertThat(pool.maxOverSubscriptionRatio().getAsDouble()).isEqualTo(20.0);
            assertThat(pool.locationInfo()).contains("LVMVolumeDriver:192.0.2.10:cinder-volumes:thin:0");
        }
    }

    @Test
    @DisplayName("thin volumes are created in the pool with a virtual size")
    void thinCreate() {
        ScriptedHost host = thinHost();
        try (LvmDriver driver = open(host)) {
            Volume volume = driver.createVolume(VolumeSpec.of("abc", 3));
            assertThat(volume.poolName()).isEqualTo("thin-backend");
            assertThat(host.commands("lvcreate")).singleElement().satisfies(c -> assertThat(c.arguments())
                    .containsSubsequence("--name", "volume-abc")
                    .containsSubsequence("--thin", "--virtualsize", "3g", "cinder-volumes/cinder-volumes-pool"));
        }
    }

    @Test
    @DisplayName("thin volumes beyond the over-subscription limit are refused before lvcreate")
    void overSubscription() {
        values.put(LvmOptions.MAX_OVER_SUBSCRIPTION_RATIO, "2.0");
        ScriptedHost host = thinHost();
        try (LvmDriver driver = open(host)) {
            assertThatThrownBy(() -> driver.createVolume(VolumeSpec.of("abc", 1)))
                    .isInstanceOfSatisfying(CinderblockException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.INSUFFICIENT_CAPACITY))
                    .hasMessageContaining("thin pool 'cinder-volumes-pool' has 25.00 GiB provisioned of 20.00 GiB allowed");
            assertThat(host.commands("lvcreate")).isEmpty();
        }
    }

    @Test
    @DisplayName("a missing thin pool is DOWN in stats and refuses volumes")
    void thinPoolMissing() {
        ScriptedHost host = thinHost().answer("lvs", LvmReportsTest.resource("recorded/lvs-thick.json"));
        try (LvmDriver driver = open(host)) {
            assertThat(driver.collectStats().backendState()).isEqualTo(BackendState.Status.DOWN);
            assertThatThrownBy(() -> driver.createVolume(VolumeSpec.of("abc", 1)))
                    .isInstanceOfSatisfying(CinderblockException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.OPERATION_FAILED))
                    .hasMessageContaining("Thin pool 'cinder-volumes-pool' does not exist");
        }
    }

    @Test
    @DisplayName("a hung SSH layer still gives DOWN within stateDeadline()")
    void hungProbe() {
        values.put(LvmOptions.SSH_CONN_TIMEOUT, "200ms");
        values.put(LvmOptions.SSH_COMMAND_TIMEOUT, "300ms");
        try (LvmDriver driver = open(thinHost().hang(Duration.ofSeconds(30)))) {
            long start = System.nanoTime();
            BackendState state = driver.backendState();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThanOrEqualTo(driver.stateDeadline());
            assertThat(state.status()).isEqualTo(BackendState.Status.DOWN);
            assertThat(state.reason()).contains("did not finish within");
        }
    }

    @Test
    @DisplayName("the recorded answer for a missing VG is DOWN with that reason")
    void recordedMissingVg() {
        ScriptedHost host = new ScriptedHost().answer("vgs", new CommandResult(5,
                LvmReportsTest.resource("recorded/vgs-missing.stdout"), LvmReportsTest.resource("recorded/vgs-missing.stderr")));
        try (LvmDriver driver = open(host)) {
            BackendState state = driver.backendState();
            assertThat(state.status()).isEqualTo(BackendState.Status.DOWN);
            assertThat(state.reason()).isEqualTo("Volume group 'cinder-volumes' is missing on 192.0.2.10");
        }
    }

    @Test
    @DisplayName("with target_helper 'none', connections are not offered, are refused as not supported and nothing runs")
    void noExport() {
        values.put(LvmOptions.TARGET_HELPER, "none");
        ScriptedHost host = thinHost();
        try (LvmDriver driver = open(host)) {
            assertThat(driver.capabilities()).doesNotContain(Capability.CONNECTION).contains(Capability.CREATE_VOLUME);
            Volume volume = new Volume("abc", "volume-abc", 1, "thin-backend", Optional.empty());
            assertThatThrownBy(() -> driver.initializeConnection(volume, Connector.iscsi("h", "iqn.2026-11.org.example:h")))
                    .isInstanceOf(NotSupportedException.class)
                    .hasMessageContaining("target_helper 'none'");
            assertThat(host.commands()).isEmpty();
        }
    }

    @Test
    @DisplayName("a volume for another pool is refused")
    void wrongPool() {
        try (LvmDriver driver = open(thinHost())) {
            assertThatThrownBy(() -> driver.createVolume(VolumeSpec.of("abc", 1).inPool("elsewhere")))
                    .isInstanceOfSatisfying(CinderblockException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
                    .hasMessageContaining("Unknown pool 'elsewhere'");
        }
    }
}
