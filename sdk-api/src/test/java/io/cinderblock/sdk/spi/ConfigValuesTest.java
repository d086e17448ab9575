package io.cinderblock.sdk.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cinderblock.sdk.error.InvalidConfigException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("ConfigOption, DriverDescriptor and DriverConfig")
class ConfigValuesTest {
    private static final String SECRET = "hunter2-" + System.nanoTime();

    private static final DriverDescriptor DESCRIPTOR = DriverDescriptor.builder("acme")
            .vendorName("Acme").driverVersion("1.0").storageProtocol(StorageProtocol.ISCSI)
            .option(ConfigOption.builder("san_ip", OptionType.STRING).required()
                    .endpoint(EndpointRole.HOST, Transport.TCP).build())
            .option(ConfigOption.builder("san_port", OptionType.INTEGER).defaultValue("22")
                    .endpoint(EndpointRole.PORT, Transport.TCP).build())
            .option(ConfigOption.builder("san_password", OptionType.STRING).secret().build())
            .option(ConfigOption.builder("pin", OptionType.INTEGER).secret().build())
            .option(ConfigOption.builder("ratio", OptionType.DECIMAL).defaultValue("1.5").build())
            .option(ConfigOption.builder("use_chap", OptionType.BOOLEAN).defaultValue("False").build())
            .option(ConfigOption.builder("timeout", OptionType.DURATION).defaultValue("10").build())
            .option(ConfigOption.builder("key_file", OptionType.PATH).build())
            .option(ConfigOption.builder("mode", OptionType.CHOICE).choices("fast", "safe").defaultValue("safe").build())
            .build();

    private static DriverConfig validate(Map<String, String> values) {
        return DriverConfig.validate(DESCRIPTOR, "acme-1", values);
    }

    @Nested
    @DisplayName("ConfigOption")
    class Options {
        @Test
        @DisplayName("validates its name, default, choices and flags")
        void validation() {
            assertThatThrownBy(() -> ConfigOption.builder("San-IP", OptionType.STRING).build())
                    .hasMessageContaining("'San-IP'");
            assertThatThrownBy(() -> ConfigOption.builder("x", OptionType.STRING).required().defaultValue("a").build())
                    .hasMessageContaining("Required option 'x' cannot have a default");
            assertThatThrownBy(() -> ConfigOption.builder("x", OptionType.CHOICE).build())
                    .hasMessageContaining("choices are required");
            assertThatThrownBy(() -> ConfigOption.builder("x", OptionType.STRING).choices("a").build())
                    .hasMessageContaining("choices are required for CHOICE options and only for them");
            assertThatThrownBy(() -> ConfigOption.builder("x", OptionType.STRING).secret()
                    .endpoint(EndpointRole.HOST, Transport.TCP).build())
                    .hasMessageContaining("Endpoint option 'x' cannot be secret");
            assertThatThrownBy(() -> ConfigOption.builder("x", OptionType.INTEGER).defaultValue("ten").build())
                    .isInstanceOf(InvalidConfigException.class).hasMessageContaining("'ten'");
        }

        @Test
        @DisplayName("a secret option's bad default is not quoted")
        void secretDefaultHidden() {
            assertThatThrownBy(() -> ConfigOption.builder("pin", OptionType.INTEGER).secret().defaultValue(SECRET).build())
                    .hasMessageContaining("(value hidden)").hasMessageNotContaining(SECRET);
        }

        @Test
        @DisplayName("keeps the endpoint marker and transport")
        void endpoint() {
            ConfigOption community = ConfigOption.builder("snmp_port", OptionType.INTEGER)
                    .endpoint(EndpointRole.PORT, Transport.UDP).build();
            assertThat(community.endpoint()).contains(EndpointRole.PORT);
            assertThat(community.transport()).isEqualTo(Transport.UDP);
            assertThat(DESCRIPTOR.option("san_ip").orElseThrow().transport()).isEqualTo(Transport.TCP);
        }
    }

    @Nested
    @DisplayName("DriverDescriptor")
    class Descriptors {
        @Test
        @DisplayName("validates id, names, option uniqueness and reserved names")
        void validation() {
            assertThatThrownBy(() -> DriverDescriptor.builder("Acme").vendorName("a").driverVersion("1")
                    .storageProtocol(StorageProtocol.FC).build()).hasMessageContaining("'Acme'");
            assertThatThrownBy(() -> DriverDescriptor.builder("acme").vendorName(" ").driverVersion("1")
                    .storageProtocol(StorageProtocol.FC).build()).hasMessageContaining("vendorName is blank");
            assertThatThrownBy(() -> DriverDescriptor.builder("acme").vendorName("a").driverVersion("1").build())
                    .hasMessageContaining("storageProtocol is null");
            ConfigOption x = ConfigOption.builder("x", OptionType.STRING).build();
            assertThatThrownBy(() -> DriverDescriptor.builder("acme").vendorName("a").driverVersion("1")
                    .storageProtocol(StorageProtocol.FC).option(x).option(x).build())
                    .hasMessageContaining("declares option 'x' twice");
            assertThatThrownBy(() -> DriverDescriptor.builder("acme").vendorName("a").driverVersion("1")
                    .storageProtocol(StorageProtocol.FC)
                    .option(ConfigOption.builder("volume_driver", OptionType.STRING).build()).build())
                    .hasMessageContaining("reserved option 'volume_driver'");
        }

        @Test
        @DisplayName("answers capability and option questions, current SPI by default")
        void queries() {
            DriverDescriptor d = DriverDescriptor.builder("acme").vendorName("a").driverVersion("1")
                    .storageProtocol(StorageProtocol.NVME_OF).capability(Capability.CREATE_VOLUME, Capability.SNAPSHOT).build();
            assertThat(d.supports(Capability.SNAPSHOT)).isTrue();
            assertThat(d.supports(Capability.CLONE_VOLUME)).isFalse();
            assertThat(d.spiVersion()).isEqualTo(SpiVersion.CURRENT);
            assertThat(d.option("nope")).isEmpty();
            assertThat(d.storageProtocol().wireValue()).isEqualTo("NVMe-oF");
            assertThat(Capability.fromWireName("volume_from_snapshot")).contains(Capability.VOLUME_FROM_SNAPSHOT);
        }
    }

    @Nested
    @DisplayName("DriverConfig")
    class Configs {
        @Test
        @DisplayName("parses every type, defaults included")
        void parsesTypes() {
            DriverConfig config = validate(Map.of("volume_driver", "acme", "san_ip", "10.0.0.5", "use_chap", "TRUE",
                    "timeout", "500ms", "key_file", "/etc/acme/key", "mode", "fast", "ratio", "2.25"));
            assertThat(config.backendName()).isEqualTo("acme-1");
            assertThat(config.string("san_ip")).isEqualTo("10.0.0.5");
            assertThat(config.integer("san_port")).isEqualTo(22);
            assertThat(config.bool("use_chap")).isTrue();
            assertThat(config.duration("timeout")).isEqualTo(Duration.ofMillis(500));
            assertThat(config.path("key_file")).isEqualTo(Path.of("/etc/acme/key"));
            assertThat(config.string("mode")).isEqualTo("fast");
            assertThat(config.decimal("ratio")).isEqualByComparingTo(new BigDecimal("2.25"));
            assertThat(config.isSet("san_password")).isFalse();
            assertThat(config.optional("san_password", String.class)).isEmpty();
            assertThat(config.optionalString("san_port")).contains("22");
        }

        @Test
        @DisplayName("reads durations with and without units, and Cinder's booleans")
        void durationsAndBooleans() {
            Map<String, Duration> durations = Map.of("10", Duration.ofSeconds(10), "0.5", Duration.ofMillis(500),
                    "10s", Duration.ofSeconds(10), "2m", Duration.ofMinutes(2), "1h", Duration.ofHours(1),
                    " 250ms ", Duration.ofMillis(250));
            durations.forEach((text, expected) -> assertThat(
                    validate(Map.of("san_ip", "h", "timeout", text)).duration("timeout")).as(text).isEqualTo(expected));
            assertThatThrownBy(() -> validate(Map.of("san_ip", "h", "timeout", "soon")))
                    .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.option()).isEqualTo("timeout"))
                    .hasMessageContaining("'soon'");
            assertThatThrownBy(() -> validate(Map.of("san_ip", "h", "timeout", "-1s")))
                    .hasMessageContaining("timeout");
            assertThatThrownBy(() -> validate(Map.of("san_ip", "h", "timeout", "0")).duration("timeout"))
                    .isInstanceOf(InvalidConfigException.class).hasMessageContaining("must be a positive duration");

            assertThat(validate(Map.of("san_ip", "h", "use_chap", "False")).bool("use_chap")).isFalse();
            assertThat(validate(Map.of("san_ip", "h", "use_chap", " true ")).bool("use_chap")).isTrue();
            assertThatThrownBy(() -> validate(Map.of("san_ip", "h", "use_chap", "1")))
                    .hasMessageContaining("Option 'use_chap' must be true or false, got '1'");
        }

        @Test
        @DisplayName("names a missing required option, an unknown one, and a bad choice or path")
        void errors() {
            assertThatThrownBy(() -> validate(Map.of()))
                    .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.option()).isEqualTo("san_ip"))
                    .hasMessageContaining("Missing required option 'san_ip' for driver 'acme'");
            assertThatThrownBy(() -> validate(Map.of("san_ip", "h", "san_prot", "22")))
                    .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.option()).isEqualTo("san_prot"))
                    .hasMessageContaining("did you mean 'san_port'?");
            assertThatThrownBy(() -> validate(Map.of("san_ip", "h", "mode", "reckless")))
                    .hasMessageContaining("one of [fast, safe]").hasMessageContaining("'reckless'");
            assertThatThrownBy(() -> validate(Map.of("san_ip", "h", "key_file", " ")))
                    .hasMessageContaining("'key_file' must be a file path");
        }

        @Test
        @DisplayName("never echoes a secret value: not when malformed, out of range, or printed")
        void secretsNeverEchoed() {
            assertThatThrownBy(() -> validate(Map.of("san_ip", "h", "pin", SECRET)))
                    .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.option()).isEqualTo("pin"))
                    .hasMessageContaining("(value hidden)").hasMessageNotContaining(SECRET);
            DriverConfig config = validate(Map.of("san_ip", "h", "pin", "987654", "san_password", SECRET));
            assertThatThrownBy(() -> config.integer("pin", 0, 10))
                    .hasMessageContaining("(value hidden)").hasMessageNotContaining("987654");
            assertThat(config.masked()).containsEntry("san_password", DriverConfig.MASK).containsEntry("pin", DriverConfig.MASK);
            assertThat(config.toString()).doesNotContain(SECRET).doesNotContain("987654");
            assertThat(config.string("san_password")).as("the driver itself gets the value").isEqualTo(SECRET);
        }

        @Test
        @DisplayName("treats asking for an undeclared option or the wrong type as a driver bug")
        void driverBugs() {
            DriverConfig config = validate(Map.of("san_ip", "h"));
            assertThatThrownBy(() -> config.string("undeclared")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("did not declare option 'undeclared'");
            assertThatThrownBy(() -> config.optional("san_port", String.class))
                    .hasMessageContaining("'san_port' is of type INTEGER, not String");
            assertThatThrownBy(() -> config.string("san_password"))
                    .isInstanceOf(InvalidConfigException.class).hasMessageContaining("not set for backend 'acme-1'");
            assertThat(config.optional("pin", Long.class)).isEqualTo(Optional.empty());
        }
    }
}
