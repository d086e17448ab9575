package io.cinderblock.tck.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cinderblock.sdk.spi.ConfigOption;
import io.cinderblock.sdk.spi.DriverDescriptor;
import io.cinderblock.sdk.spi.EndpointRole;
import io.cinderblock.sdk.spi.OptionType;
import io.cinderblock.sdk.spi.StorageProtocol;
import io.cinderblock.sdk.spi.Transport;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Placing proxies by rewriting the endpoint options a driver declares. */
class DeviceProxiesTest {

    private static DriverDescriptor.Builder driver() {
        return DriverDescriptor.builder("example").vendorName("test").driverVersion("1.0")
                .storageProtocol(StorageProtocol.ISCSI);
    }

    private static ConfigOption endpoint(String name, OptionType type, EndpointRole role, Transport transport) {
        return ConfigOption.builder(name, type).endpoint(role, transport).description(name).build();
    }

    @Test
    void hostAndPortPairsOfEachTransportGetOneProxyEach() {
        DriverDescriptor d = driver()
                .option(endpoint("ssh_host", OptionType.STRING, EndpointRole.HOST, Transport.TCP))
                .option(endpoint("ssh_port", OptionType.INTEGER, EndpointRole.PORT, Transport.TCP))
                .option(endpoint("snmp_host", OptionType.STRING, EndpointRole.HOST, Transport.UDP))
                .option(endpoint("snmp_port", OptionType.INTEGER, EndpointRole.PORT, Transport.UDP))
                .option(ConfigOption.builder("pool", OptionType.STRING).description("pool").build())
                .build();
        try (DeviceProxies proxies = DeviceProxies.insert(d, Map.of("ssh_host", "127.0.0.1", "ssh_port", "2222",
                "snmp_host", "127.0.0.1", "snmp_port", "1161", "pool", "p"))) {
            assertThat(proxies.proxies()).extracting(FaultProxy::transport).containsExactly(Transport.TCP, Transport.UDP);
            assertThat(proxies.config()).containsEntry("ssh_host", "127.0.0.1").containsEntry("pool", "p")
                    .containsEntry("ssh_port", String.valueOf(proxies.proxies().get(0).address().getPort()))
                    .containsEntry("snmp_port", String.valueOf(proxies.proxies().get(1).address().getPort()));
            assertThat(proxies.proxies().get(0).target().getPort()).isEqualTo(2222);
            assertThat(proxies.supports(FaultMode.RESET)).isFalse();
        }
    }

    @Test
    void urlKeepsSchemeAndPath() {
        DriverDescriptor d = driver()
                .option(endpoint("api_url", OptionType.STRING, EndpointRole.URL, Transport.TCP)).build();
        try (DeviceProxies proxies = DeviceProxies.insert(d, Map.of("api_url", "http://127.0.0.1:8080/api/v2?x=1"))) {
            int port = proxies.proxies().get(0).address().getPort();
            assertThat(proxies.config().get("api_url")).isEqualTo("http://127.0.0.1:" + port + "/api/v2?x=1");
            assertThat(proxies.proxies().get(0).target().getPort()).isEqualTo(8080);
        }
    }

    @Test
    void defaultPortOfTheOptionIsUsed() {
        DriverDescriptor d = driver()
                .option(ConfigOption.builder("port", OptionType.INTEGER).defaultValue("3260")
                        .endpoint(EndpointRole.PORT, Transport.TCP).description("port").build()).build();
        try (DeviceProxies proxies = DeviceProxies.insert(d, Map.of())) {
            assertThat(proxies.proxies().get(0).target().getPort()).isEqualTo(3260);
        }
    }

    @Test
    void refusesWhatItCannotRoute() {
        DriverDescriptor none = driver().build();
        assertThatThrownBy(() -> DeviceProxies.insert(none, Map.of())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("declares no endpoint option");
        DriverDescriptor hostOnly = driver()
                .option(endpoint("san_ip", OptionType.STRING, EndpointRole.HOST, Transport.TCP)).build();
        assertThatThrownBy(() -> DeviceProxies.insert(hostOnly, Map.of("san_ip", "127.0.0.1")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'san_ip'")
                .hasMessageContaining("no PORT option");
        DriverDescriptor two = driver()
                .option(endpoint("a_port", OptionType.INTEGER, EndpointRole.PORT, Transport.TCP))
                .option(endpoint("b_port", OptionType.INTEGER, EndpointRole.PORT, Transport.TCP)).build();
        assertThatThrownBy(() -> DeviceProxies.insert(two, Map.of("a_port", "1", "b_port", "2")))
                .hasMessageContaining("'a_port' and 'b_port'");
    }
}
