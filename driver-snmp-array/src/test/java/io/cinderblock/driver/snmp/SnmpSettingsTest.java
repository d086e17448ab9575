package io.cinderblock.driver.snmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cinderblock.sdk.error.InvalidConfigException;
import io.cinderblock.sdk.spi.ConfigOption;
import io.cinderblock.sdk.spi.DriverDescriptor;
import io.cinderblock.sdk.spi.EndpointRole;
import io.cinderblock.sdk.spi.StorageProtocol;
import io.cinderblock.sdk.spi.Transport;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("options: descriptor, cross-checks, secrets")
class SnmpSettingsTest {
    private static final String AUTH = "auth-secret-1234";
    private static final String PRIV = "priv-secret-5678";

    @Test
    @DisplayName("the provider is found by ServiceLoader; host and port are UDP endpoints; secrets are declared")
    void descriptor() {
        DriverDescriptor descriptor = ServiceLoader.load(io.cinderblock.sdk.spi.VolumeDriverProvider.class).stream()
                .map(ServiceLoader.Provider::get).map(p -> p.descriptor())
                .filter(d -> d.id().equals("snmp-array")).findFirst().orElseThrow();
        assertThat(descriptor.storageProtocol()).isEqualTo(StorageProtocol.ISCSI);
        ConfigOption host = descriptor.option("snmp_host").orElseThrow();
        ConfigOption port = descriptor.option("snmp_port").orElseThrow();
        assertThat(host.endpoint()).hasValue(EndpointRole.HOST);
        assertThat(host.transport()).isEqualTo(Transport.UDP);
        assertThat(port.endpoint()).hasValue(EndpointRole.PORT);
        assertThat(port.transport()).isEqualTo(Transport.UDP);
        assertThat(descriptor.options().stream().filter(ConfigOption::secret).map(ConfigOption::name))
                .containsExactlyInAnyOrder("snmp_community", "snmp_auth_key", "snmp_priv_key");
    }

    @Test
    @DisplayName("v3 defaults: SHA-256 and AES-128, authPriv")
    void v3Defaults() {
        SnmpSettings settings = SnmpSettings.from(SnmpTestSupport.validate(v3()));
        assertThat(settings.authProtocol()).isEqualTo(AuthProtocol.SHA_256);
        assertThat(settings.privProtocol()).isEqualTo(PrivProtocol.AES_128);
        assertThat(settings.requestDeadline()).hasMillis(2000);
        assertThat(settings.toString()).doesNotContain(AUTH, PRIV);
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
        "snmp_user||snmp_user",
        "snmp_user|a-user-name-of-thirty-three-bytes|snmp_user",
        "snmp_auth_key||snmp_auth_key",
        "snmp_auth_key|short|snmp_auth_key",
        "snmp_priv_key|short|snmp_priv_key",
        "snmp_community|public|snmp_community",
        "snmp_retries|9|snmp_retries",
        "snmp_timeout|120s|snmp_timeout",
        "snmp_max_repetitions|0|snmp_max_repetitions",
        "snmp_port|70000|snmp_port",
        "snmp_pools|a,,b|snmp_pools",
        "snmp_pools|a#b|snmp_pools",
        "snmp_pool_pattern|[|snmp_pool_pattern",
    })
    @DisplayName("a bad or inconsistent v3 option is refused naming the option, never showing a key")
    void refusedV3(String option, String value, String named) {
        Map<String, String> options = v3();
        if (value == null || value.isEmpty()) {
            options.remove(option);
        } else {
            options.put(option, value);
        }
        assertThatThrownBy(() -> SnmpSettings.from(SnmpTestSupport.validate(options)))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.option()).isEqualTo(named))
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(AUTH, PRIV, "short"));
    }

    @Test
    @DisplayName("v2c needs a community and refuses v3 keys")
    void v2c() {
        Map<String, String> options = SnmpTestSupport.baseConfig(161, Profiles.HOST_RESOURCES);
        options.put("snmp_version", "2c");
        assertThatThrownBy(() -> SnmpSettings.from(SnmpTestSupport.validate(options)))
                .isInstanceOfSatisfying(InvalidConfigException.class,
                        e -> assertThat(e.option()).isEqualTo("snmp_community"));
        options.put("snmp_community", "community-secret");
        options.put("snmp_auth_key", AUTH);
        assertThatThrownBy(() -> SnmpSettings.from(SnmpTestSupport.validate(options)))
                .isInstanceOfSatisfying(InvalidConfigException.class,
                        e -> assertThat(e.option()).isEqualTo("snmp_auth_key"))
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(AUTH, "community-secret"));
    }

    @Test
    @DisplayName("authNoPriv: privacy 'none' takes no privacy key; MD5 and DES need explicit choice")
    void legacyAndNone() {
        Map<String, String> options = v3();
        options.put("snmp_priv_protocol", "none");
        assertThatThrownBy(() -> SnmpSettings.from(SnmpTestSupport.validate(options)))
                .isInstanceOfSatisfying(InvalidConfigException.class,
                        e -> assertThat(e.option()).isEqualTo("snmp_priv_key"));
        options.remove("snmp_priv_key");
        assertThat(SnmpSettings.from(SnmpTestSupport.validate(options)).privKey()).isEmpty();
        options.put("snmp_auth_protocol", "MD5");
        options.put("snmp_priv_protocol", "DES");
        options.put("snmp_priv_key", PRIV);
        SnmpSettings legacy = SnmpSettings.from(SnmpTestSupport.validate(options));
        assertThat(legacy.authProtocol().legacy()).isTrue();
        assertThat(legacy.privProtocol().legacy()).isTrue();
    }

    private static Map<String, String> v3() {
        Map<String, String> options = SnmpTestSupport.baseConfig(161, Profiles.HOST_RESOURCES);
        options.put("snmp_timeout", "1s");
        options.put("snmp_version", "3");
        options.put("snmp_user", "monitor");
        options.put("snmp_auth_key", AUTH);
        options.put("snmp_priv_key", PRIV);
        return options;
    }
}
