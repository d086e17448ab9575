package io.cinderblock.driver.iscsi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cinderblock.sdk.error.InvalidConfigException;
import io.cinderblock.sdk.spi.Capability;
import io.cinderblock.sdk.spi.ConfigOption;
import io.cinderblock.sdk.spi.DriverConfig;
import io.cinderblock.sdk.spi.EndpointRole;
import io.cinderblock.sdk.spi.StorageProtocol;
import io.cinderblock.sdk.spi.VolumeDriverProvider;
import io.cinderblock.sdk.testing.RecordingLogger;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The descriptor and the checks made when a backend opens; no device involved. */
class SwordfishDriverProviderTest {
    private final SwordfishDriverProvider provider = new SwordfishDriverProvider();
    private final String password = "pw-" + java.util.UUID.randomUUID();

    @TempDir
    Path directory;

    private Map<String, String> valid() {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("swordfish_url", "https://array.example:8443");
        values.put("swordfish_user", "cinder");
        values.put("swordfish_password", password);
        return values;
    }

    private SwordfishSettings settings(Map<String, String> values) {
        return SwordfishSettings.from(DriverConfig.validate(provider.descriptor(), "b1", values));
    }

    @Test
    @DisplayName("is found by ServiceLoader under the id iscsi-generic")
    void discovered() {
        assertThat(ServiceLoader.load(VolumeDriverProvider.class).stream().map(ServiceLoader.Provider::get)
                .map(p -> p.descriptor().id())).contains("iscsi-generic");
    }

    @Test
    @DisplayName("declares iSCSI, its capabilities, a URL endpoint option and a secret password")
    void descriptor() {
        var descriptor = provider.descriptor();
        assertThat(descriptor.storageProtocol()).isEqualTo(StorageProtocol.ISCSI);
        assertThat(descriptor.capabilities()).containsExactlyInAnyOrder(Capability.CREATE_VOLUME,
                Capability.EXTEND_VOLUME, Capability.CONNECTION);
        assertThat(descriptor.option("swordfish_url").flatMap(ConfigOption::endpoint)).hasValue(EndpointRole.URL);
        assertThat(descriptor.option("swordfish_password").orElseThrow().secret()).isTrue();
        assertThat(descriptor.option("swordfish_verify_tls").flatMap(ConfigOption::defaultValue)).hasValue("true");
    }

    @Test
    @DisplayName("parses a valid configuration; toString masks the password")
    void parses() {
        Map<String, String> values = valid();
        values.put("swordfish_pools", " GOLD , SILVER ");
        values.put("iscsi_portal", "10.0.0.9:3260");
        SwordfishSettings settings = settings(values);
        assertThat(settings.baseUri().toString()).isEqualTo("https://array.example:8443/");
        assertThat(settings.authority()).isEqualTo("array.example:8443");
        assertThat(settings.pools()).containsExactly("GOLD", "SILVER");
        assertThat(settings.sessionAuth()).isTrue();
        assertThat(settings.portalOverride()).hasValue("10.0.0.9:3260");
        assertThat(settings.toString()).doesNotContain(password);
    }

    @ParameterizedTest(name = "{0} = ''{1}''")
    @DisplayName("refuses a bad value with an error naming the option")
    @CsvSource(delimiter = '|', value = {
        "swordfish_url|ftp://array.example",
        "swordfish_url|https://array.example/redfish/v1",
        "swordfish_url|https://admin:secret@array.example",
        "swordfish_url|not a url",
        "iscsi_portal|array.example",
        "swordfish_pools|' , '",
        "swordfish_storage_id|'  '",
        "swordfish_max_response_bytes|10",
        "swordfish_ca_bundle|/nonexistent/ca.pem",
    })
    void refuses(String option, String value) {
        Map<String, String> values = valid();
        values.put(option, value);
        assertThatThrownBy(() -> settings(values)).isInstanceOfSatisfying(InvalidConfigException.class, e -> {
            assertThat(e.option()).isEqualTo(option);
            assertThat(e.getMessage()).contains(option).doesNotContain(password);
        });
    }

    @ParameterizedTest(name = "{0} = ''{1}'' with {2} = ''{3}''")
    @DisplayName("refuses a bad push option with an error naming it")
    @CsvSource(delimiter = '|', value = {
        "redfish_event_transport|poll|redfish_event_port|0",
        "redfish_event_transport|SSE-please|redfish_event_port|0",
        "redfish_event_port|8080|redfish_event_transport|sse",
        "redfish_sse_heartbeat|500ms|redfish_event_transport|sse",
        "redfish_sse_heartbeat|0s|redfish_event_transport|auto",
        "redfish_event_check_interval|0s|redfish_event_port|8080",
        "redfish_event_check_interval|250ms|redfish_event_port|8080",
    })
    void refusesPushOptions(String option, String value, String other, String otherValue) {
        Map<String, String> values = valid();
        values.put(option, value);
        values.put(other, otherValue);
        assertThatThrownBy(() -> EventPushSettings.from(DriverConfig.validate(provider.descriptor(), "b1", values)))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> {
                    assertThat(e.option()).isEqualTo(option);
                    assertThat(e.getMessage()).contains(option);
                });
    }

    @Test
    @DisplayName("push: off by default; sse and auto need no port; the transport's case and spaces do not matter")
    void pushTransports() {
        Map<String, String> values = valid();
        assertThat(EventPushSettings.from(DriverConfig.validate(provider.descriptor(), "b1", values))).isEmpty();
        values.put("redfish_event_transport", "sse");
        EventPushSettings sse = EventPushSettings.from(DriverConfig.validate(provider.descriptor(), "b1", values))
                .orElseThrow();
        assertThat(sse.transport()).isEqualTo(EventPushSettings.Transport.SSE);
        assertThat(sse.heartbeat()).isEqualTo(java.time.Duration.ofSeconds(300));
        values.put("redfish_event_transport", "auto");
        values.put("redfish_sse_heartbeat", "20s");
        EventPushSettings auto = EventPushSettings.from(DriverConfig.validate(provider.descriptor(), "b1", values))
                .orElseThrow();
        assertThat(auto.transport()).isEqualTo(EventPushSettings.Transport.AUTO);
        assertThat(auto.port()).isZero();
        assertThat(auto.heartbeat()).isEqualTo(java.time.Duration.ofSeconds(20));
        assertThat(EventPushSettings.Transport.parse(" Subscription ")).isEqualTo(
                EventPushSettings.Transport.SUBSCRIPTION);
    }

    @Test
    @DisplayName("a CA bundle with verification off is a contradiction; a file without certificates is refused")
    void caBundleChecks() throws Exception {
        Path empty = java.nio.file.Files.writeString(directory.resolve("empty.pem"), "not a certificate\n");
        Map<String, String> off = valid();
        off.put("swordfish_verify_tls", "false");
        off.put("swordfish_ca_bundle", empty.toString());
        assertThatThrownBy(() -> settings(off)).isInstanceOfSatisfying(InvalidConfigException.class,
                e -> assertThat(e.option()).isEqualTo("swordfish_ca_bundle"));

        Map<String, String> bad = valid();
        bad.put("swordfish_ca_bundle", empty.toString());
        assertThatThrownBy(() -> provider.open(DriverConfig.validate(provider.descriptor(), "b1", bad),
                new RecordingLogger("iscsi-test").context())).isInstanceOfSatisfying(InvalidConfigException.class,
                        e -> assertThat(e.option()).isEqualTo("swordfish_ca_bundle"));
    }

    @Test
    @DisplayName("opens without the device: an unreachable array is DOWN, not an error")
    void opensWithoutDevice() throws Exception {
        try (SwordfishArrayFixture fixture = SwordfishArrayFixture.http();
                var driver = fixture.openDriver(fixture.refusingConfig(), new RecordingLogger("iscsi-test").context())) {
            assertThat(driver.backendState().isUp()).isFalse();
        }
    }
}
