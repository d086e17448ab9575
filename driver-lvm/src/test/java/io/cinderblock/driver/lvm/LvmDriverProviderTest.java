package io.cinderblock.driver.lvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cinderblock.sdk.error.InvalidConfigException;
import io.cinderblock.sdk.spi.Capability;
import io.cinderblock.sdk.spi.ConfigOption;
import io.cinderblock.sdk.spi.DriverConfig;
import io.cinderblock.sdk.spi.DriverContext;
import io.cinderblock.sdk.spi.DriverDescriptor;
import io.cinderblock.sdk.spi.EndpointRole;
import io.cinderblock.sdk.spi.StorageProtocol;
import io.cinderblock.sdk.spi.Transport;
import io.cinderblock.sdk.spi.VolumeDriver;
import io.cinderblock.sdk.spi.VolumeDriverProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("LVM driver provider and options")
class LvmDriverProviderTest {
    private static final String PASSPHRASE = "correct-horse-battery";

    @TempDir
    Path dir;
    private final LvmDriverProvider provider = new LvmDriverProvider();
    private Map<String, String> values;

    @BeforeEach
    void keys() throws IOException {
        HostCommands.check(HostCommands.tool("ssh-keygen", "openssh-client"), "-q", "-t", "ed25519", "-N", "", "-f",
                dir.resolve("key").toString());
        HostCommands.check("ssh-keygen", "-q", "-t", "ed25519", "-N", PASSPHRASE, "-f", dir.resolve("locked").toString());
        Files.writeString(dir.resolve("known_hosts"), "");
        values = new HashMap<>();
        values.put(LvmOptions.SAN_IP, "127.0.0.1");
        values.put(LvmOptions.SAN_SSH_PORT, "1");
        values.put(LvmOptions.SAN_LOGIN, "cinder");
        values.put(LvmOptions.SAN_PRIVATE_KEY, dir.resolve("key").toString());
        values.put(LvmOptions.SSH_HOSTS_KEY_FILE, dir.resolve("known_hosts").toString());
    }

    private VolumeDriver open() {
        return provider.open(DriverConfig.validate(provider.descriptor(), "b1", values), DriverContext.standard("b1"));
    }

    private void assertRefused(String option, String value, String message) {
        if (value == null) {
            values.remove(option);
        } else {
            values.put(option, value);
        }
        assertThatThrownBy(this::open)
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.option()).isEqualTo(option))
                .hasMessageContaining(message);
    }

    @Test
    @DisplayName("is found by ServiceLoader and describes the LVM driver")
    void discovered() {
        assertThat(ServiceLoader.load(VolumeDriverProvider.class).stream().map(ServiceLoader.Provider::type))
                .contains(LvmDriverProvider.class);
        DriverDescriptor descriptor = provider.descriptor();
        assertThat(descriptor.id()).isEqualTo("lvm");
        assertThat(descriptor.vendorName()).isEqualTo("Open Source");
        assertThat(descriptor.storageProtocol()).isEqualTo(StorageProtocol.ISCSI);
        assertThat(descriptor.capabilities()).containsExactlyInAnyOrder(Capability.CREATE_VOLUME,
                Capability.EXTEND_VOLUME, Capability.CONNECTION);
    }

    @Test
    @DisplayName("declares the SSH host and port as a TCP endpoint and the passphrase as secret")
    void endpoints() {
        ConfigOption host = provider.descriptor().option("san_ip").orElseThrow();
        ConfigOption port = provider.descriptor().option("san_ssh_port").orElseThrow();
        assertThat(host.endpoint()).contains(EndpointRole.HOST);
        assertThat(port.endpoint()).contains(EndpointRole.PORT);
        assertThat(host.transport()).isEqualTo(Transport.TCP);
        assertThat(provider.descriptor().option("san_private_key_passphrase").orElseThrow().secret()).isTrue();
    }

    @Test
    @DisplayName("opens without touching the host, and reports DOWN while it is unreachable")
    void opensWhileDown() {
        try (VolumeDriver driver = open()) {
            assertThat(driver.backendState().reason()).contains("127.0.0.1:1").contains("unreachable");
        }
    }

    @Test
    @DisplayName("refuses bad options, naming the option")
    void refusals() {
        assertRefused(LvmOptions.SAN_PRIVATE_KEY, dir.resolve("absent").toString(), "does not exist");
        values.put(LvmOptions.SAN_PRIVATE_KEY, dir.resolve("key").toString());
        assertRefused(LvmOptions.SSH_HOSTS_KEY_FILE, null, "required while 'strict_ssh_host_key_policy' is true");
        values.put(LvmOptions.SSH_HOSTS_KEY_FILE, dir.resolve("known_hosts").toString());
        assertRefused(LvmOptions.VOLUME_GROUP, "-vg", "must match");
        values.remove(LvmOptions.VOLUME_GROUP);
        assertRefused(LvmOptions.LVM_CONFIG_OVERRIDE, "global {activation=0}'; reboot; '", "may contain only");
        values.remove(LvmOptions.LVM_CONFIG_OVERRIDE);
        assertRefused(LvmOptions.SAN_SSH_PORT, "70000", "between 1 and 65535");
        values.put(LvmOptions.SAN_SSH_PORT, "22");
        assertRefused(LvmOptions.RESERVED_PERCENTAGE, "101", "between 0 and 100");
        values.remove(LvmOptions.RESERVED_PERCENTAGE);
        assertRefused(LvmOptions.MAX_OVER_SUBSCRIPTION_RATIO, "0.5", "at least 1");
        values.remove(LvmOptions.MAX_OVER_SUBSCRIPTION_RATIO);
        assertRefused(LvmOptions.TARGET_PREFIX, "volume-", "must look like");
        values.remove(LvmOptions.TARGET_PREFIX);
        assertRefused(LvmOptions.SAN_IP, "host;reboot", "host name or IP address");
    }

    @Test
    @DisplayName("strict host keys may be turned off, then no known-hosts file is needed")
    void lenient() {
        values.remove(LvmOptions.SSH_HOSTS_KEY_FILE);
        values.put(LvmOptions.STRICT_SSH_HOST_KEY_POLICY, "false");
        try (VolumeDriver driver = open()) {
            assertThat(driver.descriptor().id()).isEqualTo("lvm");
        }
    }

    @Test
    @DisplayName("an encrypted key opens with its passphrase; a wrong one is refused without showing it")
    void passphrase() {
        values.put(LvmOptions.SAN_PRIVATE_KEY, dir.resolve("locked").toString());
        values.put(LvmOptions.SAN_PRIVATE_KEY_PASSPHRASE, PASSPHRASE);
        try (VolumeDriver driver = open()) {
            assertThat(driver.stateDeadline()).isPositive();
        }
        values.put(LvmOptions.SAN_PRIVATE_KEY_PASSPHRASE, "wrong-" + PASSPHRASE);
        assertThatThrownBy(this::open)
                .isInstanceOfSatisfying(InvalidConfigException.class,
                        e -> assertThat(e.option()).isEqualTo(LvmOptions.SAN_PRIVATE_KEY_PASSPHRASE))
                .hasMessageContaining("passphrase is wrong")
                .hasMessageNotContaining(PASSPHRASE);
        // Without the passphrase the error names the option to set: san_private_key_passphrase.
        assertRefused(LvmOptions.SAN_PRIVATE_KEY_PASSPHRASE, null, "needs a passphrase");
    }

    @Test
    @DisplayName("the configuration's text never shows the passphrase")
    void masked() {
        values.put(LvmOptions.SAN_PRIVATE_KEY_PASSPHRASE, PASSPHRASE);
        DriverConfig config = DriverConfig.validate(provider.descriptor(), "b1", values);
        assertThat(config.toString()).doesNotContain(PASSPHRASE);
        assertThat(LvmOptions.parse(config).ssh().toString()).doesNotContain(PASSPHRASE);
    }
}
