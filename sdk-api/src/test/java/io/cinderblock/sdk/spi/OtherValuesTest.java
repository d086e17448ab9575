package io.cinderblock.sdk.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("ConnectionInfo, BackendState, SpiVersion, volume and snapshot values")
class OtherValuesTest {
    @Test
    @DisplayName("ConnectionInfo checks the IQN, portal and LUN, and masks CHAP passwords when printed")
    void connectionInfo() {
        ConnectionInfo info = ConnectionInfo.iscsi("iqn.2010-10.org.openstack:volume-1", "192.0.2.10:3260", 0)
                .volumeId("1").chap("user", "chap-secret").accessMode("ro").build();
        assertThat(info.toCinderMap()).containsEntry("driver_volume_type", "iscsi");
        assertThat(info.data()).containsEntry("target_iqn", "iqn.2010-10.org.openstack:volume-1")
                .containsEntry("target_portal", "192.0.2.10:3260").containsEntry("target_lun", 0)
                .containsEntry("auth_method", "CHAP").containsEntry("auth_password", "chap-secret")
                .containsEntry("target_discovered", false).containsEntry("access_mode", "ro");
        assertThat(info.toString()).doesNotContain("chap-secret").contains("auth_username=user");

        assertThatThrownBy(() -> ConnectionInfo.iscsi("iqn.bad", "h:3260", 0)).hasMessageContaining("'iqn.bad'");
        assertThatThrownBy(() -> ConnectionInfo.iscsi("iqn.2010-10.org.x:t", "no-port", 0))
                .hasMessageContaining("'no-port'");
        assertThatThrownBy(() -> ConnectionInfo.iscsi("iqn.2010-10.org.x:t", "h:70000", 0))
                .hasMessageContaining("'h:70000'");
        assertThatThrownBy(() -> ConnectionInfo.iscsi("iqn.2010-10.org.x:t", "h:3260", -1))
                .hasMessageContaining("LUN must be >= 0, got -1");
        assertThatThrownBy(() -> ConnectionInfo.iscsi("iqn.2010-10.org.x:t", "h:3260", 1).accessMode("rwx"))
                .hasMessageContaining("'rwx'");
        assertThatThrownBy(() -> new ConnectionInfo(" ", Map.of())).hasMessageContaining("driver_volume_type is blank");

        assertThat(ConnectionInfo.isValidIqn("eui.02004567A425678D")).isTrue();
        assertThat(ConnectionInfo.isValidIqn("naa.52004567BA64678D")).isTrue();
        assertThat(ConnectionInfo.isValidIqn(null)).isFalse();
        assertThat(ConnectionInfo.isValidPortal("[2001:db8::1]:3260")).isTrue();
        assertThat(ConnectionInfo.isValidPortal("h:0")).isFalse();
    }

    @Test
    @DisplayName("BackendState needs a reason, parses Cinder's wire values")
    void backendState() {
        Clock clock = Clock.fixed(Instant.parse("2026-11-26T00:00:00Z"), ZoneOffset.UTC);
        BackendState down = BackendState.down("volume group 'cinder' is missing", clock);
        assertThat(down.isUp()).isFalse();
        assertThat(down.observedAt()).isEqualTo(clock.instant());
        assertThatThrownBy(() -> BackendState.up(" ", clock)).hasMessageContaining("needs a reason");
        assertThatThrownBy(() -> new BackendState(null, "r", clock.instant())).hasMessageContaining("status is null");
        assertThat(BackendState.Status.fromWireValue(" Up ")).contains(BackendState.Status.UP);
        assertThat(BackendState.Status.fromWireValue("sideways")).isEmpty();
        assertThat(BackendState.Status.DOWN.wireValue()).isEqualTo("down");
    }

    @Test
    @DisplayName("SpiVersion hosts its own major version up to its own minor")
    void spiVersion() {
        SpiVersion host = new SpiVersion(1, 2);
        assertThat(host.canHost(new SpiVersion(1, 0))).isTrue();
        assertThat(host.canHost(new SpiVersion(1, 2))).isTrue();
        assertThat(host.canHost(new SpiVersion(1, 3))).isFalse();
        assertThat(host.canHost(new SpiVersion(2, 0))).isFalse();
        assertThat(new SpiVersion(1, 99)).isGreaterThan(host).hasToString("1.99");
        assertThatThrownBy(() -> new SpiVersion(0, 1)).hasMessageContaining("0.1");
    }

    @Test
    @DisplayName("volume, snapshot and connector values check ids and sizes")
    void volumesAndSnapshots() {
        VolumeSpec spec = VolumeSpec.of("v-1", 2);
        assertThat(spec.name()).isEqualTo("volume-v-1");
        assertThat(spec.inPool("p").pool()).contains("p");
        Volume volume = spec.toVolume("p", Optional.empty());
        assertThat(volume.withSizeGib(3).sizeGib()).isEqualTo(3);
        assertThatThrownBy(() -> VolumeSpec.of("bad id!", 1)).hasMessageContaining("'bad id!'");
        assertThatThrownBy(() -> VolumeSpec.of("v", 0)).hasMessageContaining("at least 1 GiB, got 0");
        assertThatThrownBy(() -> new VolumeSpec("v", " ", 1, Optional.empty())).hasMessageContaining("name is blank");

        SnapshotSpec snapshotSpec = SnapshotSpec.of("s-1", volume);
        assertThat(snapshotSpec.name()).isEqualTo("snapshot-s-1");
        assertThat(Snapshot.of(snapshotSpec, Optional.empty()).volumeId()).isEqualTo("v-1");
        assertThatThrownBy(() -> SnapshotSpec.of("../etc", volume)).hasMessageContaining("'../etc'");

        assertThat(Connector.iscsi("h", "iqn.2026-01.x:y").initiator()).contains("iqn.2026-01.x:y");
        assertThatThrownBy(() -> Connector.iscsi(" ", "i")).hasMessageContaining("host is blank");
    }
}
