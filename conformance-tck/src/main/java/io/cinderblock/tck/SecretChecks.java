package io.cinderblock.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.cinderblock.sdk.spi.ConfigOption;
import io.cinderblock.sdk.spi.DriverConfig;
import io.cinderblock.sdk.spi.OptionType;
import io.cinderblock.sdk.spi.VolumeDriver;
import io.cinderblock.sdk.support.SecretScrubber;
import io.cinderblock.tck.proxy.DeviceProxies;
import io.cinderblock.tck.proxy.FaultMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/** The bodies of the kit's {@code Secrets} group; {@link VolumeDriverConformanceKit.Secrets} delegates here. */
final class SecretChecks extends KitChecks {

    SecretChecks(Supplier<KitSession> session) {
        super(session);
    }

    void credentialsDeclaredSecret() {
        List<ConfigOption> credentials = descriptor().options().stream()
                .filter(o -> o.type() == OptionType.STRING && CREDENTIAL_NAME.matcher(o.name()).matches())
                .collect(Collectors.toList());
        Map<String, String> secrets = secretValues(s().fixture().config());
        assumeTrue(!credentials.isEmpty() || !secrets.isEmpty(), "driver declares no credential option");
        assertThat(credentials).as("credential options not declared secret").filteredOn(o -> !o.secret())
                .extracting(ConfigOption::name).isEmpty();
        DriverConfig config = DriverConfig.validate(descriptor(), s().fixture().backendName(), s().fixture().config());
        String shown = config.masked() + " " + config;
        secrets.forEach((name, value) -> assertThat(shown.contains(value))
                .as("the value of secret option '%s' appears in the shown configuration", name).isFalse());
    }

    void secretsNeverShown() {
        Map<String, String> secrets = new LinkedHashMap<>(secretValues(s().fixture().config()));
        assumeTrue(!secrets.isEmpty(), "the fixture's configuration sets no secret option");
        secrets.values().removeIf(value -> value.length() < 6);
        assumeTrue(!secrets.isEmpty(), "the secret values are too short (< 6 characters) to search for");
        s().logs().captureEverything();
        try {
            workload(secrets);
        } finally {
            s().logs().restoreLevel();
        }
        List<KitSession.Observed> texts = s().observedTexts();
        List<String> leaks = new ArrayList<>();
        secrets.forEach((name, value) -> {
            // The SDK's one scrubber knows every form a secret takes on the way out: plain, Base64 (alone
            // and as user:secret), URL, JSON and Java escapes, hex.
            SecretScrubber scrubber = SecretScrubber.of(List.of(value));
            for (KitSession.Observed observed : texts) {
                scrubber.findIn(observed.text()).ifPresent(form -> leaks.add("secret option '" + name + "' ("
                        + form.encoding() + " form) in " + observed.where() + ": "
                        + abbreviate(scrubber.scrub(observed.text()))));
            }
        });
        assertThat(leaks).as("secret leaks, each naming where (the secret masked), in %d captured texts",
                texts.size()).isEmpty();
    }

    /** Makes the driver talk: normal calls, faults, and a wrong secret; every text lands in the session. */
    private void workload(Map<String, String> secrets) {
        VolumeDriver driver = driver();
        s().observe("driver toString()", String.valueOf(driver));
        s().observe("provider toString()", String.valueOf(s().provider()));
        s().observe("descriptor toString()", String.valueOf(descriptor()));
        probe(driver);
        collect(driver);
        if (DeviceProxies.canProxy(descriptor())) {
            DeviceProxies proxies = s().proxies();
            Outcome<VolumeDriver> opened = null;
            try {
                opened = s().open(proxies.config(), s().operationLimit());
                opened.value().ifPresent(proxied -> {
                    s().observe("proxied driver toString()", String.valueOf(proxied));
                    for (FaultMode mode : List.of(FaultMode.REFUSE, FaultMode.RESET)) {
                        if (proxies.supports(mode)) {
                            proxies.mode(mode);
                            probe(proxied);
                            collect(proxied);
                        }
                    }
                });
            } finally {
                if (opened != null) {
                    opened.value().ifPresent(VolumeDriver::close);
                }
                proxies.close();
            }
        }
        Map<String, String> wrong = new LinkedHashMap<>(s().fixture().config());
        // A copy: the loop adds the wrong values to 'secrets' as well.
        for (String name : List.copyOf(secrets.keySet())) {
            String other = "tck-wrong-" + s().newId("secret");
            wrong.put(name, other);
            secrets.put(name + " (wrong value)", other);
        }
        s().open(wrong, s().operationLimit()).value().ifPresent(wrongDriver -> {
            s().observe("driver with a wrong secret toString()", String.valueOf(wrongDriver));
            probe(wrongDriver);
            collect(wrongDriver);
        });
    }

    private String abbreviate(String text) {
        String line = text.replace('\n', ' ');
        return line.length() <= 240 ? line : line.substring(0, 240) + "...";
    }

    private Map<String, String> secretValues(Map<String, String> config) {
        Map<String, String> secrets = new LinkedHashMap<>();
        for (ConfigOption option : descriptor().options()) {
            String value = config.get(option.name());
            if (option.secret() && value != null && !value.isEmpty()) {
                secrets.put(option.name(), value);
            }
        }
        return secrets;
    }
}
