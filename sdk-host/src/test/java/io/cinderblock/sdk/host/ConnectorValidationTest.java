package io.cinderblock.sdk.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.cinderblock.sdk.error.ErrorCode;
import io.cinderblock.sdk.host.discovery.DriverRegistry;
import io.cinderblock.sdk.host.metadata.VolumeRecord;
import io.cinderblock.sdk.host.testing.HostFixtures;
import io.cinderblock.sdk.spi.Connector;
import io.cinderblock.sdk.testing.InMemoryDevice;
import io.cinderblock.sdk.testing.InMemoryDriverProvider;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Connector validation before initializeConnection (cinderlib's validate_connector)")
class ConnectorValidationTest {
    private final BackendRegistry registry = BackendRegistry.builder().drivers(DriverRegistry.fromClassPath()).build();
    private final Backend backend = registry.open("conn-1", InMemoryDriverProvider.config());
    private final InMemoryDevice device = HostFixtures.inMemory(registry).device("conn-1");

    @AfterEach
    void tearDown() {
        registry.close();
    }

    @Test
    @DisplayName("an iSCSI backend refuses a connector without initiator, naming the field, before the driver is called")
    void missingInitiator() {
        VolumeRecord volume = backend.createVolume(1);
        int callsBefore = device.totalCalls();
        Connector bare = new Connector("compute-2", Optional.empty(), Optional.of("10.0.0.2"), false);

        InvalidConnectorException e = catchThrowableOfType(InvalidConnectorException.class,
                () -> backend.initializeConnection(volume.id(), bare));

        assertThat(e.field()).isEqualTo("initiator");
        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
        assertThat(e).hasMessageContaining("lacks field 'initiator'").hasMessageContaining("'compute-2'")
                .hasMessageContaining("iSCSI").hasMessageContaining("'conn-1'");
        assertThat(device.totalCalls()).as("the driver was not called").isEqualTo(callsBefore);
        assertThat(device.isExported(volume.id(), "compute-2")).isFalse();
    }

    @Test
    @DisplayName("a malformed initiator is refused quoting it; iqn, eui and naa names pass")
    void initiatorForms() {
        for (String bad : List.of("compute-2", "iqn.93-08.org.debian", "iqn.1993-08.", "eui.123", "naa.xyz")) {
            InvalidConnectorException e = catchThrowableOfType(InvalidConnectorException.class,
                    () -> backend.validateConnector(Connector.iscsi("h", bad)));
            assertThat(e).as(bad).hasMessageContaining("'" + bad + "'").hasMessageContaining("not an iSCSI name");
            assertThat(e.field()).isEqualTo("initiator");
        }
        for (String good : List.of("iqn.1993-08.org.debian:01:compute-1", "iqn.2026-11.io.cinderblock",
                "eui.02004567A425678D", "naa.52004567BA64678D", "naa.52004567BA64678D52004567BA64678D")) {
            backend.validateConnector(Connector.iscsi("h", good));
        }
    }

    @Test
    @DisplayName("a valid connector goes through to the driver")
    void validConnector() {
        VolumeRecord volume = backend.createVolume(1);
        backend.initializeConnection(volume.id(), Connector.iscsi("compute-1", "iqn.1993-08.org.debian:01:compute-1"));
        assertThat(device.isExported(volume.id(), "compute-1")).isTrue();
    }
}
