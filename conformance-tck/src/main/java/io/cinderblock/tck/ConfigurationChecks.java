package io.cinderblock.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.cinderblock.sdk.error.InvalidConfigException;
import io.cinderblock.sdk.spi.ConfigOption;
import io.cinderblock.sdk.spi.DriverDescriptor;
import io.cinderblock.sdk.spi.EndpointRole;
import io.cinderblock.sdk.spi.OptionType;
import io.cinderblock.sdk.spi.VolumeDriver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/** The bodies of the kit's {@code Configuration} group; {@link VolumeDriverConformanceKit.Configuration} delegates here. */
final class ConfigurationChecks extends KitChecks {

    ConfigurationChecks(Supplier<KitSession> session) {
        super(session);
    }

    void fixtureConfigOpens() {
        VolumeDriver opened = s().open(s().fixture().config(), s().operationLimit()).orFail();
        DriverDescriptor reported = s().call("descriptor()", Duration.ofSeconds(1), opened::descriptor).orFail();
        assertThat(reported).isEqualTo(descriptor());
    }

    void missingRequiredOption() {
        List<ConfigOption> required = descriptor().options().stream().filter(ConfigOption::required)
                .collect(Collectors.toList());
        assumeTrue(!required.isEmpty(), "driver declares no required option");
        for (ConfigOption option : required) {
            assertRefusedNaming(option, configWithout(option.name()), "without required option");
        }
    }

    void wrongType() {
        Set<OptionType> typed = EnumSet.of(OptionType.INTEGER, OptionType.DECIMAL, OptionType.BOOLEAN,
                OptionType.DURATION, OptionType.CHOICE);
        List<ConfigOption> options = descriptor().options().stream().filter(o -> typed.contains(o.type()))
                .collect(Collectors.toList());
        assumeTrue(!options.isEmpty(), "driver declares no typed option");
        for (ConfigOption option : options) {
            assertRefusedNaming(option, configWith(option.name(), "not-a-" + option.type().name().toLowerCase()),
                    "with a value of the wrong type for");
        }
    }

    void optionalAndOutOfRange() {
        List<Map.Entry<ConfigOption, Map<String, String>>> cases = new ArrayList<>();
        for (ConfigOption option : descriptor().options()) {
            if (!option.required() && option.defaultValue().isEmpty()
                    && s().fixture().config().containsKey(option.name())) {
                cases.add(Map.entry(option, configWithout(option.name())));
            }
            if (option.type() == OptionType.INTEGER) {
                cases.add(Map.entry(option, configWith(option.name(), "-1")));
            }
            if (option.endpoint().filter(r -> r == EndpointRole.PORT).isPresent()) {
                cases.add(Map.entry(option, configWith(option.name(), "0")));
                cases.add(Map.entry(option, configWith(option.name(), "70000")));
            }
        }
        assumeTrue(!cases.isEmpty(), "driver declares no optional or integer option");
        for (Map.Entry<ConfigOption, Map<String, String>> c : cases) {
            ConfigOption option = c.getKey();
            Outcome<VolumeDriver> outcome = s().open(c.getValue(), s().operationLimit());
            String shown = c.getValue().containsKey(option.name())
                    ? "'" + option.name() + "' = " + (option.secret() ? "(secret)" : c.getValue().get(option.name()))
                    : "'" + option.name() + "' unset";
            assertThat(outcome.timedOut()).as("open() with %s hung: %s", shown, outcome.account()).isFalse();
            outcome.thrown().ifPresent(thrown -> {
                assertThat(thrown).as("open() with %s must open or throw InvalidConfigException, got %s", shown,
                        Kit.describe(thrown)).isInstanceOf(InvalidConfigException.class);
                assertThat(((InvalidConfigException) thrown).option()).as("option named by the error for %s", shown)
                        .isEqualTo(option.name());
            });
        }
    }

    void hostileValues() {
        List<String> problems = new ArrayList<>();
        int tried = 0;
        for (ConfigOption option : descriptor().options()) {
            for (Map.Entry<String, String> hostile : hostileValues(option).entrySet()) {
                tried++;
                String shown = "'" + option.name() + "' = " + hostile.getKey();
                Outcome<VolumeDriver> outcome = s().openAndClose(configWith(option.name(), hostile.getValue()),
                        s().operationLimit());
                if (outcome.timedOut()) {
                    problems.add("open() with " + shown + " hung: " + outcome.account());
                } else if (outcome.thrown().isPresent()) {
                    Throwable thrown = outcome.thrown().get();
                    if (!(thrown instanceof InvalidConfigException)) {
                        problems.add("open() with " + shown + " threw " + Kit.describe(thrown)
                                + " (must open or throw InvalidConfigException naming the option)");
                    } else if (!option.name().equals(((InvalidConfigException) thrown).option())) {
                        problems.add("open() with " + shown + " names option '"
                                + ((InvalidConfigException) thrown).option() + "'");
                    }
                }
            }
        }
        assumeTrue(tried > 0, "driver declares no option");
        assertThat(problems).as("hostile option values not handled (%d tried)", tried).isEmpty();
    }

    /** Values a careless parser breaks on, labelled for messages (never the secret itself). */
    private Map<String, String> hostileValues(ConfigOption option) {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("\"\" (empty)", "");
        values.put("whitespace", " \t ");
        values.put("10 000 characters", "x".repeat(10_000));
        values.put("non-ASCII text", "\u00fcn\u00efc\u00f8d\u00e9-\u2713-\u65e5\u672c");
        values.put("a shell injection", "'; rm -rf /");
        values.put("text in a number's or path's place", "not a number, not a path: %s %n \\0 ../..");
        values.put("a negative number", "-1");
        values.put("a number beyond 64 bits", "99999999999999999999999");
        return values;
    }

    private void assertRefusedNaming(ConfigOption option, Map<String, String> config, String situation) {
        Outcome<VolumeDriver> outcome = s().open(config, s().operationLimit());
        assertThat(outcome.thrown()).as("open() %s '%s': %s", situation, option.name(), outcome.account())
                .containsInstanceOf(InvalidConfigException.class);
        assertThat(((InvalidConfigException) outcome.thrown().get()).option())
                .as("option named by the error %s '%s'", situation, option.name()).isEqualTo(option.name());
    }
}
