package io.cinderblock.tck.runner;

import io.cinderblock.sdk.spi.ConfigOption;
import io.cinderblock.sdk.spi.Connector;
import io.cinderblock.sdk.spi.DriverDescriptor;
import io.cinderblock.sdk.support.SecretScrubber;
import io.cinderblock.tck.DeviceFault;
import io.cinderblock.tck.DeviceUnderTest;
import io.cinderblock.tck.TckFixture;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The standalone runner's fixture settings ({@code --volume-size-gib}, {@code --break-device}, ...),
 * from the command line or {@code tck.*} keys of the config file, applied to a {@link TckFixture.Builder}.
 */
final class KitSettings {
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m)");

    private KitSettings() {}

    static void apply(Map<String, String> settings, TckFixture.Builder fixture, Map<String, String> driverOptions,
            DriverDescriptor descriptor) {
        String breakCommand = settings.get("break-device");
        String healCommand = settings.get("heal-device");
        if ((breakCommand == null) != (healCommand == null)) {
            throw new TckMain.UsageException("--break-device and --heal-device go together: give both or neither");
        }
        if (breakCommand != null) {
            // Command output may quote the configuration: secrets are scrubbed from what reaches a report.
            SecretScrubber scrubber = SecretScrubber.of(descriptor.options().stream().filter(ConfigOption::secret)
                    .map(o -> driverOptions.get(o.name())).filter(v -> v != null).collect(Collectors.toList()));
            Duration limit = settings.containsKey("operation-timeout")
                    ? duration("operation-timeout", settings.get("operation-timeout")) : Duration.ofSeconds(60);
            fixture.deviceFault(DeviceFault.of(settings.getOrDefault("device-fault-name", "device fault by command"),
                    () -> runCommand("--break-device", breakCommand, limit, scrubber),
                    () -> runCommand("--heal-device", healCommand, limit, scrubber)));
        }
        boolean simulated = settings.containsKey("simulated-device");
        boolean real = settings.containsKey("device-model") || settings.containsKey("device-firmware");
        if (simulated && real) {
            throw new TckMain.UsageException("--simulated-device and --device-model/--device-firmware exclude each other");
        }
        try {
            if (simulated) {
                fixture.device(DeviceUnderTest.simulated(settings.get("simulated-device")));
            } else if (real) {
                if (!settings.containsKey("device-model") || !settings.containsKey("device-firmware")) {
                    throw new TckMain.UsageException("--device-model and --device-firmware go together");
                }
                fixture.device(DeviceUnderTest.of(settings.get("device-model"), settings.get("device-firmware")));
            }
            set(settings, "volume-size-gib", v -> fixture.volumeSizeGib(Long.parseLong(v)));
            set(settings, "capacity-tolerance-gib", v -> fixture.capacityToleranceGib(Double.parseDouble(v)));
            set(settings, "deadline-grace", v -> fixture.deadlineGrace(duration("deadline-grace", v)));
            set(settings, "stats-timeout", v -> fixture.statsTimeout(duration("stats-timeout", v)));
            set(settings, "recovery-timeout", v -> fixture.recoveryTimeout(duration("recovery-timeout", v)));
            set(settings, "slow-latency", v -> fixture.slowLatency(duration("slow-latency", v)));
            set(settings, "settle-timeout", v -> fixture.settleTimeout(duration("settle-timeout", v)));
            set(settings, "operation-timeout", v -> fixture.operationTimeout(duration("operation-timeout", v)));
        } catch (IllegalArgumentException e) {
            throw new TckMain.UsageException(e.getMessage());
        }
        if (settings.containsKey("connector-host") || settings.containsKey("connector-iqn")) {
            String host = settings.getOrDefault("connector-host", "tck-host");
            fixture.connector(Connector.iscsi(host,
                    settings.getOrDefault("connector-iqn", "iqn.2026-11.io.cinderblock.tck:" + host)));
        }
    }

    private static void set(Map<String, String> settings, String name, Consumer<String> apply) {
        String value = settings.get(name);
        if (value == null) {
            return;
        }
        try {
            apply.accept(value.strip());
        } catch (NumberFormatException e) {
            throw new TckMain.UsageException("--" + name + " '" + value + "' is not a number");
        } catch (TckMain.UsageException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new TckMain.UsageException("--" + name + " '" + value + "': " + e.getMessage());
        }
    }

    /** {@code 500ms}, {@code 2s}, {@code 1m} or ISO-8601 {@code PT2S}. */
    static Duration duration(String name, String text) {
        String value = text.strip().toLowerCase(Locale.ROOT);
        Matcher m = DURATION.matcher(value);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            switch (m.group(2)) {
                case "ms":
                    return Duration.ofMillis(n);
                case "s":
                    return Duration.ofSeconds(n);
                default:
                    return Duration.ofMinutes(n);
            }
        }
        try {
            return Duration.parse(text.strip());
        } catch (DateTimeParseException e) {
            throw new TckMain.UsageException("--" + name + " '" + text + "' is not a duration (e.g. 500ms, 2s, 1m, PT2S)");
        }
    }

    /** Runs a fault command with /bin/sh -c; fails with its exit code and the end of its output. */
    static void runCommand(String flag, String command, Duration limit, SecretScrubber scrubber) throws Exception {
        Process process = new ProcessBuilder("/bin/sh", "-c", command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        Thread reader = new Thread(() -> {
            try (InputStream in = process.getInputStream()) {
                in.transferTo(output);
            } catch (IOException e) {
                // the process ended or was destroyed; what was read is enough for the message
            }
        }, "tck-device-command");
        reader.setDaemon(true);
        reader.start();
        if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            throw new IllegalStateException("The " + flag + " command did not finish within " + limit.toMillis()
                    + " ms (the operation timeout)");
        }
        reader.join(1000);
        if (process.exitValue() != 0) {
            String text;
            synchronized (output) {
                text = output.toString(StandardCharsets.UTF_8);
            }
            List<String> lines = text.lines().collect(Collectors.toList());
            String tail = String.join("\n", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
            throw new IllegalStateException("The " + flag + " command exited " + process.exitValue()
                    + (tail.isBlank() ? "" : ": " + scrubber.scrub(tail)));
        }
    }
}
