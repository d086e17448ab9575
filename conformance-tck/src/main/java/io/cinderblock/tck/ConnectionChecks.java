package io.cinderblock.tck;

import static org.assertj.core.api.Assertions.assertThat;

import io.cinderblock.sdk.spi.Capability;
import io.cinderblock.sdk.spi.ConnectionInfo;
import io.cinderblock.sdk.spi.Volume;
import io.cinderblock.sdk.spi.VolumeDriver;
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
        ConnectionInfo info = connect(createVolume(s().fixture().volumeSizeGib(), Optional.empty()));
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
}
