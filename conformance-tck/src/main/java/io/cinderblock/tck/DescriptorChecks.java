package io.cinderblock.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.cinderblock.sdk.spi.ConfigOption;
import io.cinderblock.sdk.spi.EndpointRole;
import io.cinderblock.sdk.spi.SpiVersion;
import io.cinderblock.sdk.spi.StorageProtocol;
import io.cinderblock.tck.proxy.DeviceProxies;
import java.util.function.Supplier;

/** The bodies of the kit's {@code Descriptor} group; {@link VolumeDriverConformanceKit.Descriptor} delegates here. */
final class DescriptorChecks extends KitChecks {

    DescriptorChecks(Supplier<KitSession> session) {
        super(session);
    }

    void idIsLowerCase() {
        assertThat(descriptor().id()).matches(DRIVER_ID).hasSizeLessThanOrEqualTo(64);
    }

    void vendorAndVersion() {
        assertThat(descriptor().vendorName()).as("vendor name").isNotBlank();
        assertThat(descriptor().driverVersion()).as("driver version").matches(VERSION);
    }

    void protocolAndSpi() {
        assertThat(StorageProtocol.fromWireValue(descriptor().storageProtocol().wireValue()))
                .as("storage protocol").contains(descriptor().storageProtocol());
        assertThat(SpiVersion.CURRENT.canHost(descriptor().spiVersion()))
                .as("SPI %s hosted by this SDK's SPI %s", descriptor().spiVersion(), SpiVersion.CURRENT).isTrue();
    }

    void optionsAndEndpoints() {
        assertThat(descriptor().options()).as("options without a description")
                .filteredOn(o -> o.description().isBlank()).extracting(ConfigOption::name).isEmpty();
        assertThat(DeviceProxies.canProxy(descriptor()))
                .as("driver declares endpoint options (EndpointRole HOST+PORT or URL)").isTrue();
        try (DeviceProxies proxies = DeviceProxies.insert(descriptor(), s().fixture().config())) {
            assertThat(proxies.proxies()).isNotEmpty();
        } catch (IllegalArgumentException e) {
            fail("The endpoint options cannot be routed: " + e.getMessage());
        }
    }
}
