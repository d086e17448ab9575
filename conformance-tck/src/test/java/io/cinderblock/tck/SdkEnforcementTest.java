package io.cinderblock.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cinderblock.driver.sim.SimulatedArrayDriverProvider;
import io.cinderblock.sdk.error.InvalidConfigException;
import io.cinderblock.sdk.spi.ConfigOption;
import io.cinderblock.sdk.spi.DriverConfig;
import io.cinderblock.sdk.spi.DriverDescriptor;
import io.cinderblock.sdk.spi.OptionType;
import io.cinderblock.sdk.spi.StorageProtocol;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Proves that the requirements REQUIREMENTS.md marks as SDK-enforced are refused by the SDK's own
 * types before any driver code runs, so no driver can fail them (and the kit's gallery need not try).
 */
class SdkEnforcementTest {
    private static final DriverDescriptor TYPED = DriverDescriptor.builder("typed").vendorName("Test")
            .driverVersion("1.0").storageProtocol(StorageProtocol.ISCSI)
            .option(ConfigOption.builder("t_host", OptionType.STRING).required().description("host").build())
            .option(ConfigOption.builder("t_count", OptionType.INTEGER).description("a count").build())
            .option(ConfigOption.builder("t_ratio", OptionType.DECIMAL).description("a ratio").build())
            .option(ConfigOption.builder("t_flag", OptionType.BOOLEAN).description("a flag").build())
            .option(ConfigOption.builder("t_wait", OptionType.DURATION).description("a wait").build())
            .build();

    @Test
    void theSdkEnforcedRequirementsAreExactlyThoseProvedHere() {
        Set<String> marked = Requirements.ALL.stream().filter(Requirement::sdkEnforced).map(Requirement::id)
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(marked).containsExactly("CONF-2", "CONF-3");
    }

    /** CONF-2: DriverConfig refuses a configuration without a required option, naming it. */
    @Test
    void missingRequiredOptionIsRefusedBeforeOpen() {
        assertThatThrownBy(() -> DriverConfig.validate(TYPED, "b", Map.of("t_count", "3")))
                .isInstanceOfSatisfying(InvalidConfigException.class,
                        e -> assertThat(e.option()).isEqualTo("t_host"));
        DriverDescriptor sim = new SimulatedArrayDriverProvider().descriptor();
        for (ConfigOption option : sim.options()) {
            if (option.required()) {
                Map<String, String> config = new LinkedHashMap<>(SimDeviceConfig.valid());
                config.remove(option.name());
                assertThatThrownBy(() -> DriverConfig.validate(sim, "b", config)).as("sim without %s", option.name())
                        .isInstanceOfSatisfying(InvalidConfigException.class,
                                e -> assertThat(e.option()).isEqualTo(option.name()));
            }
        }
    }

    /** CONF-3: DriverConfig refuses text where a number, decimal, boolean or duration is declared, naming the option. */
    @Test
    void wrongTypeIsRefusedBeforeOpen() {
        for (String option : new String[] {"t_count", "t_ratio", "t_flag", "t_wait"}) {
            Map<String, String> config = new LinkedHashMap<>();
            config.put("t_host", "h");
            config.put(option, "not-a-" + option);
            assertThatThrownBy(() -> DriverConfig.validate(TYPED, "b", config)).as(option)
                    .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.option()).isEqualTo(option));
        }
    }

    /** DESC-1's pattern (its length is the driver's, and the gallery's OverlongId breaks it). */
    @Test
    void descriptorRefusesAnIdThatIsNotLowerCase() {
        for (String id : new String[] {"MyArray", "1array", "my_array", ""}) {
            assertThatThrownBy(() -> DriverDescriptor.builder(id).vendorName("v").driverVersion("1")
                    .storageProtocol(StorageProtocol.ISCSI).build()).as("id '%s'", id)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    /** A valid configuration for the sim's descriptor, without a running device (validation only). */
    private static final class SimDeviceConfig {
        static Map<String, String> valid() {
            Map<String, String> config = new LinkedHashMap<>();
            config.put("sim_host", "127.0.0.1");
            config.put("sim_port", "8777");
            config.put("sim_device", "array-a");
            config.put("sim_access_key", "validation-only");
            return config;
        }
    }
}
