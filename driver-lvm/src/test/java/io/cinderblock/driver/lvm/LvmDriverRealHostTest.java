package io.cinderblock.driver.lvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cinderblock.sdk.error.CinderblockException;
import io.cinderblock.sdk.error.DeviceUnavailableException;
import io.cinderblock.sdk.error.ErrorCode;
import io.cinderblock.sdk.spi.BackendState;
import io.cinderblock.sdk.spi.BackendStats;
import io.cinderblock.sdk.spi.ConnectionInfo;
import io.cinderblock.sdk.spi.Connector;
import io.cinderblock.sdk.spi.DriverConfig;
import io.cinderblock.sdk.spi.DriverContext;
import io.cinderblock.sdk.spi.PoolStats;
import io.cinderblock.sdk.spi.Volume;
import io.cinderblock.sdk.spi.VolumeDriver;
import io.cinderblock.sdk.spi.VolumeSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The driver against real parts on this machine: OpenSSH's sshd, LVM on loop devices (activation
 * off: this kernel has no device-mapper), and tgtd with libiscsi's initiator tools. Every DOWN
 * reason comes from a real fault made by {@link LvmTestHost}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("LVM driver against a real sshd, LVM and tgtd")
class LvmDriverRealHostTest {
    private static final long GIB = 1024L * 1024 * 1024;
    private static final String INITIATOR = "iqn.2026-11.io.cinderblock:test-initiator";

    private LvmTestHost host;
    private VolumeDriver driver;

    @BeforeAll
    void startHost() {
        host = LvmTestHost.start();
        host.startTgtd();
        driver = open(Map.of());
    }

    @AfterAll
    void stopHost() {
        if (driver != null) {
            driver.close();
        }
        if (host != null) {
            host.close();
        }
    }

    private VolumeDriver open(Map<String, String> overrides) {
        Map<String, String> values = new HashMap<>(host.driverConfig());
        values.putAll(overrides);
        LvmDriverProvider provider = new LvmDriverProvider();
        return provider.open(DriverConfig.validate(provider.descriptor(), "lvm-test", values),
                DriverContext.standard("lvm-test"));
    }

    private static VolumeSpec spec(long gib) {
        return VolumeSpec.of(UUID.randomUUID().toString(), gib);
    }

    private static BackendState stateWithinDeadline(VolumeDriver subject) {
        long start = System.nanoTime();
        BackendState state = subject.backendState();
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(took).as("backendState() must return within stateDeadline()").isLessThanOrEqualTo(subject.stateDeadline());
        return state;
    }

    @Nested
    @DisplayName("when the host is healthy")
    class Healthy {
        @Test
        @DisplayName("the state is UP")
        void up() {
            BackendState state = stateWithinDeadline(driver);
            assertThat(state.status()).isEqualTo(BackendState.Status.UP);
            assertThat(state.reason()).contains(host.volumeGroup()).contains("present and whole");
        }

        @Test
        @DisplayName("stats describe the volume group in Cinder's LVM vocabulary")
        void stats() {
            Volume volume = driver.createVolume(spec(1));
            try {
                BackendStats stats = driver.collectStats();
                assertThat(stats.backendName()).isEqualTo("lvm-test");
                assertThat(stats.vendorName()).isEqualTo("Open Source");
                assertThat(stats.storageProtocol()).isEqualTo("iSCSI");
                assertThat(stats.backendState()).isEqualTo(BackendState.Status.UP);
                assertThat(stats.pools()).hasSize(1);
                PoolStats pool = stats.pools().get(0);
                assertThat(pool.poolName()).isEqualTo("lvm-test");
                // Two 4 GiB PVs, less LVM's metadata area and extent rounding.
                assertThat(pool.totalCapacity().gib()).isBetween(7.9, 8.0);
                assertThat(pool.freeCapacity().gib()).isBetween(pool.totalCapacity().gib() - 1.01,
                        pool.totalCapacity().gib() - 0.99);
                assertThat(pool.provisionedCapacityGib().getAsDouble()).isEqualTo(1.0);
                assertThat(pool.totalVolumes().getAsLong()).isEqualTo(1);
                assertThat(pool.locationInfo()).contains("LVMVolumeDriver:127.0.0.1:" + host.volumeGroup() + ":default:0");
                assertThat(pool.thickProvisioningSupport()).isTrue();
                assertThat(pool.thinProvisioningSupport()).isFalse();
                assertThat(pool.maxOverSubscriptionRatio()).as("thick LVs do not over-subscribe").isEmpty();
                assertThat(pool.multiattach()).isFalse();
                assertThat(pool.qosSupport()).isFalse();
                assertThat(stats.toCinderMap()).containsEntry("backend_state", "up");
            } finally {
                driver.deleteVolume(volume);
            }
        }

        @Test
        @DisplayName("volumes are created, extended and deleted on the host; delete is idempotent")
        void lifecycle() {
            Volume volume = driver.createVolume(spec(1));
            assertThat(host.logicalVolumes()).contains(volume.name());
            assertThat(host.logicalVolumeBytes(volume.name())).isEqualTo(GIB);
            assertThat(volume.providerLocation()).contains(host.volumeGroup() + "/" + volume.name());

            Volume bigger = driver.extendVolume(volume, 2);
            assertThat(bigger.sizeGib()).isEqualTo(2);
            assertThat(host.logicalVolumeBytes(volume.name())).isEqualTo(2 * GIB);
            assertThatThrownBy(() -> driver.extendVolume(bigger, 1))
                    .isInstanceOfSatisfying(CinderblockException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
                    .hasMessageContaining("Cannot shrink");
            assertThatThrownBy(() -> driver.extendVolume(bigger, 2))
                    .isInstanceOfSatisfying(CinderblockException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
                    .hasMessageContaining("already that size");
            assertThatThrownBy(() -> driver.createVolume(new VolumeSpec(UUID.randomUUID().toString(), volume.name(), 1,
                    Optional.empty())))
                    .isInstanceOfSatisfying(CinderblockException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
                    .hasMessageContaining("already exists");

            driver.deleteVolume(bigger);
            assertThat(host.logicalVolumes()).doesNotContain(volume.name());
            driver.deleteVolume(bigger);
        }

        @Test
        @DisplayName("a request beyond the free space is refused and creates nothing")
        void insufficientCapacity() {
            List<String> before = host.logicalVolumes();
            assertThatThrownBy(() -> driver.createVolume(spec(100)))
                    .isInstanceOfSatisfying(CinderblockException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.INSUFFICIENT_CAPACITY))
                    .hasMessageContaining("GiB free");
            assertThat(host.logicalVolumes()).isEqualTo(before);

            Volume volume = driver.createVolume(spec(1));
            try {
                assertThatThrownBy(() -> driver.extendVolume(volume, 100))
                        .isInstanceOfSatisfying(CinderblockException.class,
                                e -> assertThat(e.code()).isEqualTo(ErrorCode.INSUFFICIENT_CAPACITY));
                assertThat(host.logicalVolumeBytes(volume.name())).isEqualTo(GIB);
            } finally {
                driver.deleteVolume(volume);
            }
        }
    }

    @Nested
    @DisplayName("hostile names")
    class HostileNames {
        @Test
        @DisplayName("are refused with a clear error before anything runs on the host")
        void refused() throws Exception {
            Path canary = host.directory().resolve("canary");
            List<String> names = List.of(
                    "vol'; touch " + canary + "; echo '",
                    "vol;touch " + canary,
                    "$(touch " + canary + ")",
                    "`touch " + canary + "`",
                    "vol name",
                    "vol\ntouch " + canary,
                    "-rf",
                    "--help",
                    "../../etc",
                    "vol|id",
                    "vol&id");
            LvmDriverProvider provider = new LvmDriverProvider();
            DriverConfig config = DriverConfig.validate(provider.descriptor(), "lvm-test", host.driverConfig());
            CountingRunner runner = new CountingRunner(new JschCommandRunner(LvmOptions.parse(config).ssh(),
                    System.getLogger("lvm-test")));
            try (LvmDriver spied = LvmDriverProvider.open(config, DriverContext.standard("lvm-test"), runner)) {
                for (String name : names) {
                    VolumeSpec hostile = new VolumeSpec("id-1", name, 1, Optional.empty());
                    Volume hostileVolume = new Volume("id-1", name, 1, "lvm-test", Optional.empty());
                    for (Runnable call : List.<Runnable>of(
                            () -> spied.createVolume(hostile),
                            () -> spied.deleteVolume(hostileVolume),
                            () -> spied.extendVolume(hostileVolume, 2),
                            () -> spied.initializeConnection(hostileVolume, Connector.iscsi("h", INITIATOR)),
                            () -> spied.terminateConnection(hostileVolume, Connector.iscsi("h", INITIATOR)))) {
                        assertThatThrownBy(call::run)
                                .isInstanceOfSatisfying(CinderblockException.class,
                                        e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
                                .hasMessageContaining("Invalid volume name")
                                .hasMessageContaining("nothing was run");
                    }
                }
                Volume fine = new Volume("id-2", "volume-fine", 1, "lvm-test", Optional.empty());
                assertThatThrownBy(() -> spied.initializeConnection(fine, Connector.iscsi("h", "iqn.x'; touch " + canary)))
                        .isInstanceOfSatisfying(CinderblockException.class,
                                e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
                        .hasMessageContaining("Invalid initiator name");
                assertThat(runner.commands()).as("commands sent to the host").isEmpty();
            }
            assertThat(Files.exists(canary)).isFalse();
        }
    }

    @Nested
    @DisplayName("each real fault gives DOWN with its own reason")
    class Faults {
        @Test
        @DisplayName("sshd stopped: unreachable; started again: UP on a new session")
        void unreachable() {
            assertThat(driver.backendState().isUp()).isTrue();
            host.stopSsh();
            try {
                BackendState state = stateWithinDeadline(driver);
                assertThat(state.status()).isEqualTo(BackendState.Status.DOWN);
                assertThat(state.reason()).contains("127.0.0.1").contains("unreachable");
                assertThatThrownBy(driver::collectStats).isInstanceOf(DeviceUnavailableException.class);
                assertThatThrownBy(() -> driver.createVolume(spec(1))).isInstanceOf(DeviceUnavailableException.class);
            } finally {
                host.startSsh();
            }
            assertThat(stateWithinDeadline(driver).isUp()).isTrue();
        }

        @Test
        @DisplayName("a key the host does not accept: authentication failed")
        void authenticationFailed() {
            try (VolumeDriver stranger = open(Map.of(LvmOptions.SAN_PRIVATE_KEY, host.unauthorizedKey().toString()))) {
                BackendState state = stateWithinDeadline(stranger);
                assertThat(state.status()).isEqualTo(BackendState.Status.DOWN);
                assertThat(state.reason()).contains("authentication").contains("failed");
            }
        }

        @Test
        @DisplayName("a host key missing from known_hosts: unknown, never accepted")
        void hostKeyUnknown() {
            try (VolumeDriver stranger = open(Map.of(LvmOptions.SSH_HOSTS_KEY_FILE, host.strangerKnownHosts().toString()))) {
                BackendState state = stateWithinDeadline(stranger);
                assertThat(state.status()).isEqualTo(BackendState.Status.DOWN);
                assertThat(state.reason()).contains("host key").contains("unknown");
                // Still refused on the second look: the key was not silently added.
                assertThat(stranger.backendState().reason()).contains("unknown");
            }
        }

        @Test
        @DisplayName("sshd restarted with another host key: changed, refused")
        void hostKeyChanged() {
            host.changeHostKey();
            try (VolumeDriver fresh = open(Map.of())) {
                BackendState state = stateWithinDeadline(fresh);
                assertThat(state.status()).isEqualTo(BackendState.Status.DOWN);
                assertThat(state.reason()).contains("host key").contains("changed");
                BackendState shared = stateWithinDeadline(driver);
                assertThat(shared.reason()).contains("changed");
            } finally {
                host.restoreHostKey();
            }
            assertThat(stateWithinDeadline(driver).isUp()).isTrue();
        }

        @Test
        @DisplayName("volume group renamed away: missing")
        void volumeGroupMissing() {
            host.hideVolumeGroup();
            try {
                BackendState state = stateWithinDeadline(driver);
                assertThat(state.status()).isEqualTo(BackendState.Status.DOWN);
                assertThat(state.reason()).contains(host.volumeGroup()).contains("missing");
                BackendStats stats = driver.collectStats();
                assertThat(stats.backendState()).isEqualTo(BackendState.Status.DOWN);
                assertThat(stats.pools().get(0).totalCapacity().isKnown()).isFalse();
                assertThatThrownBy(() -> driver.createVolume(spec(1)))
                        .isInstanceOfSatisfying(CinderblockException.class,
                                e -> assertThat(e.code()).isEqualTo(ErrorCode.OPERATION_FAILED))
                        .hasMessageContaining("missing");
            } finally {
                host.restoreVolumeGroup();
            }
            assertThat(stateWithinDeadline(driver).isUp()).isTrue();
        }

        @Test
        @DisplayName("a PV's loop device detached: partial, and provisioning is refused")
        void volumeGroupPartial() {
            host.detachPv();
            try {
                BackendState state = stateWithinDeadline(driver);
                assertThat(state.status()).isEqualTo(BackendState.Status.DOWN);
                assertThat(state.reason()).contains(host.volumeGroup()).contains("partial")
                        .contains("1 physical volume(s) missing");
                assertThat(driver.collectStats().backendState()).isEqualTo(BackendState.Status.DOWN);
                List<String> before = host.logicalVolumes();
                assertThatThrownBy(() -> driver.createVolume(spec(1)))
                        .isInstanceOfSatisfying(CinderblockException.class,
                                e -> assertThat(e.code()).isEqualTo(ErrorCode.OPERATION_FAILED))
                        .hasMessageContaining("partial");
                assertThat(host.logicalVolumes()).isEqualTo(before);
            } finally {
                host.reattachPv();
            }
            assertThat(stateWithinDeadline(driver).isUp()).isTrue();
        }

        @Test
        @DisplayName("an LVM command stuck behind the VG lock: timed out, within the deadline")
        void commandTimedOut() {
            try (VolumeDriver impatient = open(Map.of(LvmOptions.SSH_COMMAND_TIMEOUT, "2s"))) {
                assertThat(impatient.backendState().isUp()).isTrue();
                host.holdVolumeGroupLock();
                try {
                    BackendState state = stateWithinDeadline(impatient);
                    assertThat(state.status()).isEqualTo(BackendState.Status.DOWN);
                    assertThat(state.reason()).contains("vgs").contains("did not finish within 2000 ms");
                } finally {
                    host.releaseVolumeGroupLock();
                }
                assertThat(stateWithinDeadline(impatient).isUp()).isTrue();
            }
        }
    }

    @Nested
    @DisplayName("the fixture's fault list, as the conformance kit will use it")
    class FixtureFaults {
        @Test
        @DisplayName("every fault gives DOWN, and every heal (run twice) gives UP again")
        void eachFaultAndHeal() {
            try (VolumeDriver impatient = open(Map.of(LvmOptions.SSH_COMMAND_TIMEOUT, "2s"))) {
                for (LvmTestHost.Fault fault : host.faults()) {
                    fault.fail().run();
                    try {
                        assertThat(stateWithinDeadline(impatient).status()).as(fault.name())
                                .isEqualTo(BackendState.Status.DOWN);
                    } finally {
                        fault.heal().run();
                        fault.heal().run();
                    }
                    assertThat(stateWithinDeadline(impatient).status()).as("after healing " + fault.name())
                            .isEqualTo(BackendState.Status.UP);
                }
            }
        }
    }

    @Nested
    @DisplayName("iSCSI export with tgtd")
    class Export {
        @Test
        @DisplayName("returns CHAP connection info that libiscsi logs in with; terminate removes the target")
        void exportAndLogIn() {
            Volume volume = driver.createVolume(spec(1));
            try {
                // The LV has no device node without device-mapper: back the LUN with a file at the path
                // the driver is told devices appear under (lvm_device_dir).
                host.backLunWithFile(volume.name(), GIB);
                Connector connector = Connector.iscsi("test-host", INITIATOR);
                ConnectionInfo info = driver.initializeConnection(volume, connector);

                String iqn = "iqn.2010-10.org.openstack:" + volume.name();
                assertThat(info.driverVolumeType()).isEqualTo("iscsi");
                assertThat(info.data()).containsEntry("target_iqn", iqn)
                        .containsEntry("target_portal", host.tgtPortal())
                        .containsEntry("target_lun", 1)
                        .containsEntry("auth_method", "CHAP")
                        .containsEntry("volume_id", volume.id())
                        .containsKeys("auth_username", "auth_password");
                assertThat(info.toString()).doesNotContain((String) info.data().get("auth_password"));

                String user = (String) info.data().get("auth_username");
                String password = (String) info.data().get("auth_password");
                String capacity = HostCommands.check(HostCommands.tool("iscsi-readcapacity16", "libiscsi-bin"), "-i",
                        INITIATOR, "iscsi://" + user + "%" + password + "@" + host.tgtPortal() + "/" + iqn + "/1");
                assertThat(capacity).contains("Total size:" + GIB);
                String listing = HostCommands.check(HostCommands.tool("iscsi-ls", "libiscsi-bin"), "-s", "-i", INITIATOR,
                        "iscsi://" + user + "%" + password + "@" + host.tgtPortal());
                assertThat(listing).contains("Target:" + iqn).contains("Lun:1");
                HostCommands.Result wrong = HostCommands.run("iscsi-readcapacity16", "-i", INITIATOR,
                        "iscsi://" + user + "%wrong-password@" + host.tgtPortal() + "/" + iqn + "/1");
                assertThat(wrong.exitStatus()).isNotZero();

                // Exporting again keeps the target and issues a new password.
                ConnectionInfo again = driver.initializeConnection(volume, connector);
                assertThat(again.data()).containsEntry("target_iqn", iqn);
                assertThat(again.data().get("auth_password")).isNotEqualTo(password);
                assertThat(HostCommands.check("iscsi-readcapacity16", "-i", INITIATOR, "iscsi://" + user + "%"
                        + again.data().get("auth_password") + "@" + host.tgtPortal() + "/" + iqn + "/1"))
                        .contains("Total size:" + GIB);

                driver.terminateConnection(volume, connector);
                assertThat(host.tgtTargets()).doesNotContain(iqn);
                driver.terminateConnection(volume, connector);
            } finally {
                driver.terminateConnection(volume, Connector.iscsi("test-host", INITIATOR));
                driver.deleteVolume(volume);
            }
        }

        @Test
        @DisplayName("a volume that does not exist is not exported")
        void missingVolume() {
            Volume ghost = new Volume("ghost", "volume-ghost", 1, "lvm-test", Optional.empty());
            assertThatThrownBy(() -> driver.initializeConnection(ghost, Connector.iscsi("h", INITIATOR)))
                    .isInstanceOfSatisfying(CinderblockException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
            assertThat(host.tgtTargets()).doesNotContain("volume-ghost");
        }
    }
}
