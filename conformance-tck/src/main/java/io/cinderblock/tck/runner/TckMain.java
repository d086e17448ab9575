package io.cinderblock.tck.runner;

import io.cinderblock.sdk.ApiStatus;
import io.cinderblock.sdk.host.discovery.DriverRegistry;
import io.cinderblock.sdk.host.discovery.LoadedDriver;
import io.cinderblock.sdk.error.CinderblockException;
import io.cinderblock.sdk.spi.Capability;
import io.cinderblock.sdk.spi.DriverConfig;
import io.cinderblock.sdk.spi.DriverDescriptor;
import io.cinderblock.tck.Requirements;
import io.cinderblock.tck.TckFixture;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The standalone runner:
 *
 * <pre>
 * java -jar conformance-tck.jar --driver-jar my-driver.jar --config backend.properties --report-dir tck-report
 * </pre>
 *
 * <p>Exit codes: 0 every test passed (or was skipped with a reason), 1 a test failed, 2 usage or
 * setup error (bad flag, no or several providers, unknown option in the configuration, unknown
 * group/requirement/capability in a filter).
 *
 * @since 0.1
 */
@ApiStatus(value = ApiStatus.Status.EXPERIMENTAL, since = "0.1")
public final class TckMain {
    /** Every test passed or was skipped. */
    public static final int EXIT_PASSED = 0;
    /** At least one test failed. */
    public static final int EXIT_FAILED = 1;
    /** Bad usage or a setup error; nothing was certified. */
    public static final int EXIT_USAGE = 2;

    private static final String USAGE = String.join("\n",
            "usage: java -jar conformance-tck-<version>-standalone.jar (--driver-jar JAR | --driver-dir DIR)",
            "           [--config FILE] [--report-dir DIR] [--include X,...] [--exclude X,...] [--list]",
            "           [--expect-capabilities C,...] [--sign KEY] [device, fault and tuning options]",
            "       java -jar conformance-tck-<version>-standalone.jar verify REPORT [--public-key PEM] [--driver-jar JAR ...]",
            "       java -jar conformance-tck-<version>-standalone.jar sign REPORT --key KEY",
            "       java -jar conformance-tck-<version>-standalone.jar keygen NAME   (writes NAME.pem and NAME.pub.pem)",
            "",
            "  --driver-jar JAR    the driver jar (one VolumeDriverProvider in META-INF/services)",
            "  --driver-dir DIR    a directory of jars forming one driver: the driver jar and its libraries",
            "  --config FILE       Java properties: the driver's options, plus volume_driver and",
            "                      volume_backend_name (default tck-<driver id>), plus any option below as",
            "                      tck.<option> (e.g. tck.break-device=...); the command line wins; required unless --list",
            "  --report-dir DIR    where reports go (default tck-report): tck-report.json, tck-report.html,",
            "                      TEST-cinderblock-kit.<driver id>.xml (JUnit XML), Open Test Reporting XML",
            "  --include X,...     run only these groups, requirement ids (STATE-2) or capability names (snapshot)",
            "  --exclude X,...     skip these groups, requirement ids or capability names",
            "  --list              print which requirements apply to this driver, which need --break-device/",
            "                      --heal-device (skipped without them) and which are skipped, with counts; run nothing",
            "  --expect-capabilities C,...  the capabilities the driver must declare and offer (CAP-3),",
            "                      e.g. create_volume,extend_volume,snapshot",
            "  --sign KEY          sign tck-report.json with this Ed25519 PEM key (private key, then public key)",
            "device under test (shown in every report):",
            "  --device-model M --device-firmware F    a real device",
            "  --simulated-device NAME                 a simulator (the verdict says so)",
            "device-level fault (FAULT-8; both commands run with /bin/sh -c, must exit 0):",
            "  --break-device CMD  makes the device unhealthy; returns once the device shows it",
            "  --heal-device CMD   makes it healthy again; idempotent",
            "  --device-fault-name NAME   how reports name the fault (default 'device fault by command')",
            "tuning (durations as 500ms, 2s, 1m or PT2S):",
            "  --volume-size-gib N (1)  --capacity-tolerance-gib G (1)  --deadline-grace D (250ms)",
            "  --stats-timeout D  --recovery-timeout D  --slow-latency D   (default: from the driver's state deadline)",
            "  --settle-timeout D (10s)  --operation-timeout D (60s)",
            "  --connector-host H  --connector-iqn IQN  (the iSCSI host of connection tests; default tck-host)",
            "  --help              this text",
            "",
            "exit codes: 0 all passed (verify: the report checks out), 1 failures (verify: a mismatch),",
            "            2 usage or setup error");

    /** Options that tune the fixture, settable on the command line or as {@code tck.<name>} in the config file. */
    static final List<String> KIT_SETTINGS = List.of("break-device", "heal-device", "device-fault-name",
            "device-model", "device-firmware", "simulated-device", "volume-size-gib", "capacity-tolerance-gib",
            "deadline-grace", "stats-timeout", "recovery-timeout", "slow-latency", "settle-timeout",
            "operation-timeout", "connector-host", "connector-iqn", "expect-capabilities");

    private TckMain() {}

    /**
     * The standalone kit's entry point ({@code java -jar conformance-tck-<version>-standalone.jar});
     * exits with the code {@link #run} returns.
     *
     * @param args the command line; {@code --help} lists it
     */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /**
     * Runs the kit as the command line says; returns the exit code instead of exiting.
     *
     * @param args the command line, as {@link #main} takes it
     * @param out where the progress, the verdict and {@code --list} go
     * @param err where usage and set-up errors go
     * @return {@link #EXIT_PASSED}, {@link #EXIT_FAILED}, or {@link #EXIT_USAGE} for a usage or set-up error (nothing was tested)
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length > 0 && List.of("verify", "sign", "keygen").contains(args[0])) {
            return Certification.run(args, out, err);
        }
        Options options;
        try {
            options = Options.parse(args);
        } catch (UsageException e) {
            err.println("error: " + e.getMessage());
            err.println(USAGE);
            return EXIT_USAGE;
        }
        if (options.help) {
            out.println(USAGE);
            return EXIT_PASSED;
        }
        Path staging = null;
        try {
            staging = Files.createTempDirectory("cinderblock-tck-driver");
            Loaded driver = loadDriver(options, staging);
            DriverDescriptor descriptor = driver.descriptor();
            Optional<Map<String, String>> config = options.config.isPresent()
                    ? Optional.of(readConfig(options.config.get(), descriptor, options.kit)) : Optional.empty();
            if (options.expect.isEmpty() && options.kit.containsKey("expect-capabilities")) {
                List<String> names = new ArrayList<>();
                Options.split(options.kit.remove("expect-capabilities"), names);
                options.expect = Optional.of(names);
            }
            if (options.sign.isPresent() && !Files.isRegularFile(options.sign.get())) {
                throw new UsageException("--sign key file " + options.sign.get() + " does not exist");
            }
            String backendName = config.map(c -> c.get("volume_backend_name")).orElse("tck-" + descriptor.id());
            List<String> include = checkedTags(options.include, "--include");
            List<String> exclude = checkedTags(options.exclude, "--exclude");
            expectedCapabilities(options); // a misspelt capability stops the run before anything starts
            if (options.list) {
                RequirementList.print(descriptor, config, driver.source(), out, options.expect.isPresent(),
                        options.kit.containsKey("break-device"));
                return EXIT_PASSED;
            }
            Map<String, String> driverOptions = config.orElseThrow(() -> new UsageException(
                    "--config is required to run the kit"));
            Files.createDirectories(options.reportDir);
            TckFixture.Builder fixtureBuilder = TckFixture.forProvider(driver.provider())
                    .backendName(backendName)
                    .config(driverOptions);
            expectedCapabilities(options).ifPresent(fixtureBuilder::expectCapabilities);
            KitSettings.apply(options.kit, fixtureBuilder, driverOptions, descriptor);
            TckFixture fixture = fixtureBuilder.build();
            out.println("cinderblock TCK " + Versions.tck() + ": certifying driver '" + descriptor.id() + "' "
                    + descriptor.driverVersion() + " from " + driver.source());
            RunResult result = ConformanceRun.of(fixture)
                    .include(include)
                    .exclude(exclude)
                    .listener(new ProgressPrinter(out))
                    .xmlReports(options.reportDir)
                    .diagnostics(new PrintWriter(err, true))
                    .provenance("standalone", driver.jars())
                    .execute();
            Reports.write(result, options.reportDir, options.sign);
            ConsoleSummary.print(result, out);
            out.println("Reports in " + options.reportDir.toAbsolutePath());
            return result.passed() ? EXIT_PASSED : EXIT_FAILED;
        } catch (UsageException e) {
            err.println("error: " + e.getMessage());
            return EXIT_USAGE;
        } catch (CinderblockException e) {
            err.println("error: " + e.getMessage());
            return EXIT_USAGE;
        } catch (ReportSignature.KeyException e) {
            err.println("error: " + e.getMessage());
            return EXIT_USAGE;
        } catch (IOException e) {
            err.println("error: " + e);
            return EXIT_USAGE;
        } finally {
            deleteQuietly(staging);
        }
    }

    /** Loads the one provider of the driver jar (or directory) in its own class loader. */
    private static Loaded loadDriver(Options options, Path staging) throws IOException {
        Path driverDir = staging.resolve("driver");
        Files.createDirectories(driverDir);
        Path source = options.driverJar.or(() -> options.driverDir).orElseThrow();
        List<Path> originals = new ArrayList<>();
        if (options.driverJar.isPresent()) {
            if (!Files.isRegularFile(source)) {
                throw new UsageException("Driver jar " + source + " does not exist");
            }
            Files.copy(source, driverDir.resolve(source.getFileName()));
            originals.add(source);
        } else {
            if (!Files.isDirectory(source)) {
                throw new UsageException("Driver directory " + source + " does not exist");
            }
            try (Stream<Path> jars = Files.list(source)) {
                for (Path jar : jars.filter(p -> p.toString().endsWith(".jar")).collect(Collectors.toList())) {
                    Files.copy(jar, driverDir.resolve(jar.getFileName()));
                    originals.add(jar);
                }
            }
        }
        DriverRegistry registry = DriverRegistry.fromDirectory(staging);
        if (!registry.problems().isEmpty()) {
            // One root cause, one message: distinct explanations only.
            throw new UsageException(registry.problems().stream().map(DriverSetup::explain).distinct()
                    .collect(Collectors.joining("; ")));
        }
        List<LoadedDriver> drivers = registry.drivers();
        if (drivers.size() != 1) {
            throw new UsageException(drivers.isEmpty()
                    ? "No VolumeDriverProvider registered in " + source
                    : "Several providers in " + source + ": " + drivers.stream().map(LoadedDriver::id)
                            .collect(Collectors.toList()) + "; the kit certifies one driver at a time");
        }
        LoadedDriver driver = drivers.get(0);
        List<Path> jars;
        try (Stream<Path> files = Files.list(driverDir)) {
            jars = files.sorted().collect(Collectors.toList());
        }
        Optional<String> unlinked = DriverSetup.checkLinks(jars, driver.provider().getClass().getClassLoader(),
                driver.id());
        if (unlinked.isPresent()) {
            throw new UsageException(unlinked.get());
        }
        originals.sort(null);
        return new Loaded(driver.provider(), driver.descriptor(), source.toString(), originals);
    }

    /** The loaded driver and the jars it came from (the originals, digested in the report). */
    private record Loaded(io.cinderblock.sdk.spi.VolumeDriverProvider provider, DriverDescriptor descriptor,
            String source, List<Path> jars) {
        String id() {
            return descriptor.id();
        }
    }

    /** Reads the properties file and checks it against the driver's options now, before any test. */
    private static Map<String, String> readConfig(Path file, DriverDescriptor descriptor, Map<String, String> kit)
            throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new UsageException("Configuration file " + file + " does not exist");
        }
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        }
        Map<String, String> config = new LinkedHashMap<>();
        properties.stringPropertyNames().stream().sorted().forEach(k -> config.put(k, properties.getProperty(k).strip()));
        for (String key : List.copyOf(config.keySet())) {
            if (key.startsWith("tck.")) {
                String setting = key.substring("tck.".length());
                if (!KIT_SETTINGS.contains(setting)) {
                    throw new UsageException("Unknown kit setting '" + key + "' in " + file + " (known: tck."
                            + String.join(", tck.", KIT_SETTINGS) + ")");
                }
                kit.putIfAbsent(setting, config.remove(key)); // the command line wins
            }
        }
        String driverId = config.get("volume_driver");
        if (driverId != null && !driverId.equals(descriptor.id())) {
            throw new UsageException(file + " says volume_driver = '" + driverId + "' but the jar provides '"
                    + descriptor.id() + "'");
        }
        String backendName = config.getOrDefault("volume_backend_name", "tck-" + descriptor.id());
        try {
            DriverConfig.validate(descriptor, backendName, config);
        } catch (CinderblockException e) {
            throw new UsageException("Invalid configuration in " + file + ": " + e.getMessage());
        }
        return config;
    }

    private static List<String> checkedTags(List<String> tags, String flag) {
        for (String tag : tags) {
            boolean known = Requirements.GROUPS.contains(tag) || Requirements.isRequirementId(tag)
                    || Capability.fromWireName(tag).isPresent();
            if (!known) {
                throw new UsageException("Unknown group, requirement or capability '" + tag + "' in " + flag
                        + "; groups: " + Requirements.GROUPS + "; capabilities: " + Arrays.stream(Capability.values())
                                .map(Capability::wireName).collect(Collectors.toList()));
            }
        }
        return tags;
    }

    /** The capabilities of {@code --expect-capabilities}, refusing a name that is not one. */
    private static Optional<java.util.Set<Capability>> expectedCapabilities(Options options) {
        if (options.expect.isEmpty()) {
            return Optional.empty();
        }
        java.util.Set<Capability> expected = java.util.EnumSet.noneOf(Capability.class);
        for (String name : options.expect.get()) {
            expected.add(Capability.fromWireName(name).orElseThrow(() -> new UsageException("Unknown capability '"
                    + name + "' in --expect-capabilities (known: " + java.util.Arrays.stream(Capability.values())
                            .map(Capability::wireName).collect(Collectors.joining(", ")) + ")")));
        }
        return Optional.of(expected);
    }

    private static void deleteQuietly(Path directory) {
        if (directory == null) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temp dir left behind is harmless
        }
    }

    /** A command-line mistake: exit code 2 with the usage text. */
    static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    /** The parsed command line. */
    private static final class Options {
        Optional<Path> driverJar = Optional.empty();
        Optional<Path> driverDir = Optional.empty();
        Optional<Path> config = Optional.empty();
        Path reportDir = Path.of("tck-report");
        final List<String> include = new ArrayList<>();
        final List<String> exclude = new ArrayList<>();
        Optional<List<String>> expect = Optional.empty();
        Optional<Path> sign = Optional.empty();
        final Map<String, String> kit = new LinkedHashMap<>();
        boolean list;
        boolean help;

        static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                String value = null;
                int eq = arg.indexOf('=');
                if (arg.startsWith("--") && eq > 0) {
                    value = arg.substring(eq + 1);
                    arg = arg.substring(0, eq);
                }
                switch (arg) {
                    case "--help":
                    case "-h":
                        o.help = true;
                        break;
                    case "--list":
                        o.list = true;
                        break;
                    case "--driver-jar":
                        o.driverJar = Optional.of(Path.of(value != null ? value : next(args, ++i, arg)));
                        break;
                    case "--driver-dir":
                        o.driverDir = Optional.of(Path.of(value != null ? value : next(args, ++i, arg)));
                        break;
                    case "--config":
                        o.config = Optional.of(Path.of(value != null ? value : next(args, ++i, arg)));
                        break;
                    case "--report-dir":
                        o.reportDir = Path.of(value != null ? value : next(args, ++i, arg));
                        break;
                    case "--include":
                        split(value != null ? value : next(args, ++i, arg), o.include);
                        break;
                    case "--exclude":
                        split(value != null ? value : next(args, ++i, arg), o.exclude);
                        break;
                    case "--expect-capabilities":
                        List<String> names = new ArrayList<>();
                        split(value != null ? value : next(args, ++i, arg), names);
                        o.expect = Optional.of(names);
                        break;
                    case "--sign":
                        o.sign = Optional.of(Path.of(value != null ? value : next(args, ++i, arg)));
                        break;
                    default:
                        if (arg.startsWith("--") && KIT_SETTINGS.contains(arg.substring(2))) {
                            o.kit.put(arg.substring(2), value != null ? value : next(args, ++i, arg));
                            break;
                        }
                        throw new UsageException("Unknown argument '" + args[i] + "'");
                }
            }
            if (o.help) {
                return o;
            }
            if (o.driverJar.isPresent() == o.driverDir.isPresent()) {
                throw new UsageException("Give exactly one of --driver-jar and --driver-dir");
            }
            return o;
        }

        private static String next(String[] args, int index, String flag) {
            if (index >= args.length || args[index].startsWith("--")) {
                throw new UsageException(flag + " needs a value");
            }
            return args[index];
        }

        static void split(String text, List<String> into) {
            Arrays.stream(text.split(",")).map(String::strip).filter(s -> !s.isEmpty()).forEach(into::add);
        }
    }
}
