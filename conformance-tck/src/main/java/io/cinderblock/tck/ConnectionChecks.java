package io.cinderblock.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.cinderblock.sdk.spi.Capability;
import io.cinderblock.sdk.spi.ConnectionInfo;
import io.cinderblock.sdk.spi.Volume;
import io.cinderblock.sdk.spi.VolumeDriver;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/** The bodies of the kit's {@code Connections} group; {@link VolumeDriverConformanceKit.Connections} delegates here. */
final class ConnectionChecks extends KitChecks {

    ConnectionChecks(Supplier<KitSession> session) {
        super(session);
    }

    private ConnectionInfo connect(Volume volume) {
        VolumeDriver driver = driver();
        s().cleanup("terminateConnection(" + volume.name() + ")",
                () -> driver.terminateConnection(volume, s().fixture().connector()));
        s().fixture().beforeConnect().accept(volume);
        return operation("initializeConnection(" + volume.name() + ")",
                () -> driver.initializeConnection(volume, s().fixture().connector()));
    }

    void initialize() {
        requireCapability(Capability.CREATE_VOLUME, Capability.CONNECTION);
        Volume volume = createVolume(s().fixture().volumeSizeGib(), Optional.empty());
        ConnectionInfo info;
        try (ReadBack readBack = ReadBack.before(this, "CONN-1")) {
            info = connect(volume);
            readBack.expect(volume.poolName(), Double.NaN, 0, "after initializeConnection(" + volume.name() + ")");
            sameExportThroughSecond(readBack.second(), volume, info);
        }
        assertThat(info.driverVolumeType()).as("driver_volume_type").isNotBlank();
        if (info.driverVolumeType().equals("iscsi")) {
            Object iqn = info.data().get("target_iqn");
            Object portal = info.data().get("target_portal");
            Object lun = info.data().get("target_lun");
            assertThat(iqn).as("target_iqn").isInstanceOf(String.class);
            assertThat(ConnectionInfo.isValidIqn((String) iqn)).as("target_iqn '%s' is an IQN", iqn).isTrue();
            assertThat(portal).as("target_portal").isInstanceOf(String.class);
            assertThat(ConnectionInfo.isValidPortal((String) portal)).as("target_portal '%s' is host:port", portal)
                    .isTrue();
            assertThat(lun).as("target_lun is an integer").isInstanceOfAny(Integer.class, Long.class, Short.class);
            assertThat(((Number) lun).longValue()).as("target_lun").isGreaterThanOrEqualTo(0);
        }
    }

    void terminateTwice() {
        requireCapability(Capability.CREATE_VOLUME, Capability.CONNECTION);
        Volume volume = createVolume(s().fixture().volumeSizeGib(), Optional.empty());
        connect(volume);
        voidOperation("terminateConnection(" + volume.name() + ")",
                () -> driver().terminateConnection(volume, s().fixture().connector()));
        voidOperation("terminateConnection(" + volume.name() + ") a second time",
                () -> driver().terminateConnection(volume, s().fixture().connector()));
    }

    /**
     * The export exists on the device, not in the driver's memory: a second driver asked for the same
     * volume and host returns the same export (the SPI's contract for a repeated call): the same volume
     * type and, for iSCSI, the same target and LUN.
     */
    private void sameExportThroughSecond(VolumeDriver second, Volume volume, ConnectionInfo first) {
        Outcome<ConnectionInfo> again = s().call("initializeConnection(" + volume.name() + ") by a second driver",
                s().operationLimit(), () -> second.initializeConnection(volume, s().fixture().connector()));
        if (!again.returned() || again.value().isEmpty()) {
            fail("CONN-1: a second driver on the same device cannot read back the export of '" + volume.name()
                    + "': " + again.account());
        }
        ConnectionInfo info = again.value().get();
        assertThat(info.driverVolumeType()).as("CONN-1: driver_volume_type a second driver reports for the export")
                .isEqualTo(first.driverVolumeType());
        for (String key : List.of("target_iqn", "target_lun")) {
            if (first.data().containsKey(key)) {
                assertThat(String.valueOf(info.data().get(key)))
                        .as("CONN-1: %s of the export of '%s' as a second driver on the same device reads it", key,
                                volume.name())
                        .isEqualTo(String.valueOf(first.data().get(key)));
            }
        }
    }
}
