package io.cinderblock.service.cli;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cinderblock.sdk.host.Backend;
import io.cinderblock.sdk.host.BackendRegistry;
import io.cinderblock.sdk.host.discovery.DriverRegistry;
import io.cinderblock.sdk.spi.BackendState;
import io.cinderblock.service.ReferenceService;
import io.cinderblock.service.config.BackendSection;
import io.cinderblock.service.config.ConfigException;
import io.cinderblock.service.config.IniFile;
import io.cinderblock.service.config.ServiceConfig;
import io.cinderblock.service.store.HostClaimedException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The command line: {@code serve} (the default), {@code service-list}, {@code backend-state} and
 * {@code set-device}. Without {@code --config-file} every command uses the demo configuration
 * shipped in the jar (three SIMULATED backends, SQLite in {@code ./cinderblock-data}, noauth on
 * 127.0.0.1:8776).
 */
@Command(name = "reference-service", mixinStandardHelpOptions = true, version = "cinderblock reference-service 0.1.0",
        description = "Serves Cinder's service list with backend_state from cinderblock drivers.",
        subcommands = {Main.Serve.class, Main.ServiceList.class, Main.BackendStateCommand.class, Main.SetDevice.class,
            CommandLine.HelpCommand.class})
public final class Main implements Callable<Integer> {
    /**
     * Set by the distribution's start script to the distribution's directory: its {@code drivers/}
     * is the default drivers directory, and the demo keeps its data there instead of in the working
     * directory.
     */
    public static final String HOME_PROPERTY = "cinderblock.home";
    /** The demo configuration inside the jar. */
    public static final String DEMO_CONFIG = "/io/cinderblock/service/demo/cinder.conf";

    @Option(names = "--config-file", description = "cinder.conf-style file (default: the built-in demo)")
    Path configFile;

    @Option(names = "--drivers-dir", description = "Directory of drivers: each *.jar, and each subdirectory of jars"
            + " (a driver with its libraries), gets a class loader of its own (default: drivers_dir, else the"
            + " distribution's drivers/)")
    Path driversDir;

    /** Runs the command line; returns the exit code. */
    public static int run(String... args) {
        return new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true)
                .setExecutionExceptionHandler((e, commandLine, parseResult) -> {
                    // Operator mistakes get one line naming what to fix, not a stack trace.
                    if (e instanceof ConfigException || e instanceof UsageException || e instanceof IOException) {
                        commandLine.getErr().println("ERROR: " + e.getMessage());
                        return 2;
                    }
                    throw e;
                })
                .execute(args);
    }

    /** Entry point. */
    public static void main(String[] args) {
        int code = run(args);
        if (code != 0 || args.length > 0 && !isServe(args)) {
            System.exit(code);
        }
    }

    private static boolean isServe(String[] args) {
        return Arrays.stream(args).noneMatch(a -> a.equals("service-list") || a.equals("backend-state")
                || a.equals("set-device") || a.equals("help") || a.equals("--help") || a.equals("-h")
                || a.equals("--version") || a.equals("-V"));
    }

    @Override
    public Integer call() throws Exception {
        return new Serve().serve(this);
    }

    /** Loads the configuration: the file given, or the demo. */
    ServiceConfig config() {
        if (configFile != null) {
            Path file = configFile.toAbsolutePath();
            return ServiceConfig.from(IniFile.read(file), file.getParent(), Main::warn);
        }
        try (InputStream in = Main.class.getResourceAsStream(DEMO_CONFIG)) {
            if (in == null) {
                throw new ConfigException("The demo configuration " + DEMO_CONFIG + " is missing from the jar");
            }
            List<String> lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
            // From the distribution the demo's data lives in the distribution; from the bare jar in the
            // working directory (serve says so when it creates a new one there).
            Path base = home().orElseGet(() -> Path.of("").toAbsolutePath());
            return ServiceConfig.from(IniFile.parse("demo cinder.conf (built in)", lines), base, Main::warn);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The distribution's directory, when started by its script. */
    static Optional<Path> home() {
        return Optional.ofNullable(System.getProperty(HOME_PROPERTY)).filter(h -> !h.isBlank())
                .map(h -> Path.of(h).toAbsolutePath());
    }

    /** How to run this program again, from any directory. */
    static String launcher() {
        Optional<Path> home = home();
        if (home.isPresent()) {
            return Banner.shellQuote(home.get().resolve("bin").resolve("cinderblock-service").toString());
        }
        try {
            Path jar = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (jar.toString().endsWith(".jar")) {
                return "java -jar " + Banner.shellQuote(jar.toAbsolutePath().toString());
            }
        } catch (java.net.URISyntaxException | RuntimeException e) {
            // No code source (an unusual class loader): fall through to the generic form.
        }
        return "java -jar reference-service.jar";
    }

    /** {@code --config-file /abs/file } for commands printed to paste, or empty for the demo. */
    String configArgument() {
        return configFile == null ? ""
                : "--config-file " + Banner.shellQuote(configFile.toAbsolutePath().toString()) + " ";
    }

    boolean isDemo() {
        return configFile == null;
    }

    DriverRegistry drivers(ServiceConfig config) {
        DriverRegistry.Builder builder = DriverRegistry.builder().classLoader(Main.class.getClassLoader());
        Optional<Path> dir = Optional.ofNullable(driversDir).or(config::driversDirectory)
                .or(() -> home().map(h -> h.resolve("drivers")));
        dir.ifPresent(builder::directory);
        return builder.build();
    }

    private static void warn(String message) {
        System.err.println("WARNING: " + message);
    }

    /** {@code serve}: runs the service until interrupted. */
    @Command(name = "serve", mixinStandardHelpOptions = true, description = "Run the service (the default command).")
    static final class Serve implements Callable<Integer> {
        @CommandLine.ParentCommand
        Main parent;

        @Option(names = "--port", description = "Override osapi_volume_listen_port (0: a free port)")
        Integer port;

        @Option(names = "--role", defaultValue = "all", description = "all (agent and API in one process, the"
                + " default), agent (drivers for this host; /healthz, /readyz, /metrics only) or api (the API"
                + " from the shared database). Valid values: ${COMPLETION-CANDIDATES}")
        ReferenceService.Role role = ReferenceService.Role.ALL;

        @Override
        public Integer call() {
            return serve(parent);
        }

        int serve(Main main) {
            ServiceConfig config;
            try {
                config = main.config();
                if (port != null) {
                    config = config.withListenPort(port);
                }
            } catch (ConfigException e) {
                System.err.println("ERROR: " + e.getMessage());
                return 2;
            }
            if (role == ReferenceService.Role.API && !config.backends().isEmpty()) {
                warn("--role api runs no driver: enabled_backends (" + config.backends().size()
                        + " backend(s)) is ignored; run them with --role agent");
            }
            warnIfNewDataDirectory(config);
            ReferenceService service;
            try {
                service = ReferenceService.start(config, main.drivers(config), Clock.systemUTC(), role);
            } catch (ConfigException | HostClaimedException e) {
                System.err.println("ERROR: " + e.getMessage());
                return 2;
            } catch (RuntimeException e) {
                System.err.println("ERROR: cannot start: " + e.getMessage());
                return 1;
            }
            PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
            out.println();
            new Banner(config, service.port(), role, main.isDemo(), launcher(), main.configArgument()).lines()
                    .forEach(out::println);
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                service.close();
                stopped.countDown();
            }, "cinderblock-shutdown"));
            try {
                stopped.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return 0;
        }
    }

    /**
     * The data directory must never be silently relative to wherever the operator happens to be:
     * a new one is announced with its absolute path.
     */
    static void warnIfNewDataDirectory(ServiceConfig config) {
        config.database().sqliteFile().map(f -> f.toAbsolutePath().getParent()).filter(d -> !Files.isDirectory(d))
                .ifPresent(d -> warn("creating a new data directory " + d + " (the services' state lives there; start"
                        + " from the same place, or name an absolute sqlite:////FILE in [database] connection, to"
                        + " find it again)"));
    }

    /** {@code service-list}: the running service's list, printed as {@code cinder service-list} prints it. */
    @Command(name = "service-list", mixinStandardHelpOptions = true, description = "List services as 'cinder service-list' does, from the running service.")
    static final class ServiceList implements Callable<Integer> {
        @CommandLine.ParentCommand
        Main parent;

        @Option(names = "--os-volume-api-version", defaultValue = "3.49", description = "Microversion (default 3.49)")
        String version;

        @Option(names = "--endpoint", description = "API endpoint (default: from the configuration)")
        String endpoint;

        @Option(names = "--token", defaultValue = "admin:admin", description = "X-Auth-Token (noauth: user:project)")
        String token;

        @Option(names = "--host", description = "Only this host")
        String host;

        @Option(names = "--binary", description = "Only this binary")
        String binary;

        @Override
        public Integer call() throws Exception {
            ServiceConfig config = parent.config();
            String base = endpoint != null ? endpoint
                    : "http://" + config.listenAddress() + ":" + config.listenPort() + "/v3";
            StringBuilder url = new StringBuilder(base.replaceAll("/+$", "")).append("/os-services");
            String sep = "?";
            if (host != null) {
                url.append(sep).append("host=").append(java.net.URLEncoder.encode(host, StandardCharsets.UTF_8));
                sep = "&";
            }
            if (binary != null) {
                url.append(sep).append("binary=").append(java.net.URLEncoder.encode(binary, StandardCharsets.UTF_8));
            }
            URI uri;
            try {
                uri = URI.create(url.toString());
            } catch (IllegalArgumentException e) {
                throw new UsageException("--endpoint '" + base + "' is not a URL: " + e.getMessage());
            }
            if (uri.getScheme() == null || !uri.getScheme().matches("https?") || uri.getHost() == null) {
                throw new UsageException("--endpoint '" + base + "' is not an http:// or https:// URL with a host");
            }
            HttpResponse<String> response;
            try {
                response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()
                        .send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                                .header("X-Auth-Token", token).header("Accept", "application/json")
                                .header("OpenStack-API-Version", "volume " + version).build(),
                                HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                System.err.println("ERROR: cannot reach " + uri + ": " + describe(e));
                return 1;
            }
            if (response.statusCode() != 200) {
                System.err.println("ERROR: " + url + " answered " + response.statusCode() + ": " + response.body());
                return 1;
            }
            Map<String, List<Map<String, Object>>> body = new ObjectMapper().readValue(response.body(),
                    new TypeReference<Map<String, List<Map<String, Object>>>>() {});
            String served = response.headers().firstValue("OpenStack-API-Version").orElse("volume 3.0");
            int minor = Integer.parseInt(served.substring(served.indexOf('.') + 1).strip());
            System.out.print(ServiceListTable.render(ServiceListTable.columns(minor), body.get("services")));
            return 0;
        }
    }

    /** {@code backend-state}: asks the driver directly, not the service (the spec's manage command). */
    @Command(name = "backend-state", mixinStandardHelpOptions = true, description = "Probe one backend's device directly through its driver.")
    static final class BackendStateCommand implements Callable<Integer> {
        @CommandLine.ParentCommand
        Main parent;

        @Parameters(index = "0", description = "Backend section name")
        String backend;

        @Override
        public Integer call() {
            ServiceConfig config = parent.config();
            BackendSection section = section(config, backend);
            Map<String, String> options = new LinkedHashMap<>(section.registryConfig());
            // This command only observes: it must not start an in-process simulator on the port
            // the running service's simulator already holds.
            options.computeIfPresent("sim_start_server", (k, v) -> "false");
            try (BackendRegistry registry = BackendRegistry.builder().drivers(parent.drivers(config)).build()) {
                Backend opened = registry.open(section.section(), options);
                BackendState state = opened.state();
                System.out.println(config.host() + "@" + section.section() + ": " + state.status().wireValue()
                        + " (" + state.reason() + ")");
                return state.isUp() ? 0 : 3;
            } catch (RuntimeException e) {
                System.out.println(config.host() + "@" + section.section() + ": down (driver failed to open: "
                        + e.getMessage() + ")");
                return 3;
            }
        }
    }

    /** {@code set-device}: switches a SIMULATED device up or down. */
    @Command(name = "set-device", mixinStandardHelpOptions = true, description = "Switch the SIMULATED device behind a 'sim' backend up or down.")
    static final class SetDevice implements Callable<Integer> {
        @CommandLine.ParentCommand
        Main parent;

        @Parameters(index = "0", description = "Backend section name (volume_driver = sim)")
        String backend;

        @Parameters(index = "1", description = "up or down")
        String direction;

        @Parameters(index = "2..*", arity = "0..*", description = "Reason (down only)")
        List<String> reason = List.of();

        @Override
        public Integer call() throws IOException {
            if (!direction.equalsIgnoreCase("up") && !direction.equalsIgnoreCase("down")) {
                System.err.println("ERROR: expected 'up' or 'down', got '" + direction + "'");
                return 2;
            }
            ServiceConfig config = parent.config();
            BackendSection section = section(config, backend);
            if (!section.driverId().equals("sim")) {
                System.err.println("ERROR: backend '" + backend + "' uses driver '" + section.driverId()
                        + "'; set-device only switches SIMULATED devices (volume_driver = sim)");
                return 2;
            }
            Map<String, String> o = section.options();
            String host = o.getOrDefault("sim_host", "127.0.0.1");
            int port;
            try {
                port = Integer.parseInt(o.getOrDefault("sim_port", ""));
            } catch (NumberFormatException e) {
                System.err.println("ERROR: " + config.source() + ": [" + backend + "] sim_port is missing or not a number");
                return 2;
            }
            String device = o.get("sim_device");
            if (device == null) {
                System.err.println("ERROR: " + config.source() + ": [" + backend + "] sim_device is missing");
                return 2;
            }
            String answer = SimulatorSwitch.set(host, port, Optional.ofNullable(o.get("sim_access_key")), device,
                    direction.equalsIgnoreCase("up"), String.join(" ", reason));
            System.out.println(backend + " (SIMULATED device '" + device + "'): " + answer);
            return answer.startsWith("OK") ? 0 : 1;
        }
    }

    /** A network failure in words: the JDK's exceptions often carry no message at all. */
    static String describe(IOException e) {
        if (e instanceof java.net.http.HttpConnectTimeoutException) {
            return "no connection within 5 s";
        }
        if (e instanceof java.net.http.HttpTimeoutException) {
            return "no answer within 10 s";
        }
        if (e instanceof java.net.ConnectException) {
            return "connection refused (is the service running there?)";
        }
        if (e instanceof java.net.UnknownHostException || e.getCause() instanceof java.nio.channels.UnresolvedAddressException) {
            return "unknown host";
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                return t.getMessage();
            }
        }
        return e.getClass().getSimpleName();
    }

    private static BackendSection section(ServiceConfig config, String name) {
        return config.backends().stream().filter(b -> b.section().equals(name)).findFirst()
                .orElseThrow(() -> new UsageException("No backend '" + name + "' in " + config.source() + "; enabled: "
                        + config.backends().stream().map(BackendSection::section).toList()));
    }

    /** A command-line mistake: reported in one line, exit code 2. */
    static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }
}
