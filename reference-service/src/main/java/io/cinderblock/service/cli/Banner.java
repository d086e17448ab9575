package io.cinderblock.service.cli;

import static java.util.Objects.requireNonNull;

import io.cinderblock.service.ReferenceService;
import io.cinderblock.service.config.AuthSettings;
import io.cinderblock.service.config.DatabaseSettings;
import io.cinderblock.service.config.ServiceConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What {@code serve} prints once the service is up: where it listens, where its data lives, and
 * commands an operator can paste as they are (tested by pasting them). Never prints a secret: under
 * the {@code tokens} strategy the commands read the token from the tokens file at paste time.
 *
 * @param config the configuration the service runs with
 * @param port the port it actually listens on
 * @param role the process's role
 * @param demo whether the configuration is the built-in demo
 * @param launcher how to run this program again from any directory (e.g. {@code /opt/cb/bin/cinderblock-service})
 * @param configArgument {@code --config-file /abs/file } when a file is in use, else empty
 */
record Banner(ServiceConfig config, int port, ReferenceService.Role role, boolean demo, String launcher,
        String configArgument) {
    Banner {
        requireNonNull(config, "config is null");
        requireNonNull(role, "role is null");
        requireNonNull(launcher, "launcher is null");
        requireNonNull(configArgument, "configArgument is null");
    }

    /** {@code http://address:port}. */
    String origin() {
        String address = config.listenAddress();
        // An IPv6 literal needs brackets in a URL; a wildcard address is reached over loopback.
        if (address.equals("0.0.0.0") || address.equals("::")) {
            address = "127.0.0.1";
        }
        return "http://" + (address.contains(":") ? "[" + address + "]" : address) + ":" + port;
    }

    /** The banner's lines. */
    List<String> lines() {
        List<String> out = new ArrayList<>();
        String origin = origin();
        if (role == ReferenceService.Role.AGENT) {
            out.add("cinderblock agent is up for host " + config.host() + ": " + config.backends().size()
                    + " backend(s)");
            out.add("  Health:    " + origin + "/healthz   " + origin + "/readyz   " + origin + "/metrics");
            out.add("  Database:  " + database(config.database()));
            out.add("  Stop:      Ctrl-C");
            return out;
        }
        out.add("cinderblock reference service is up" + (role == ReferenceService.Role.API ? " (API node)" : "")
                + (demo ? " (demo configuration: " + config.backends().size()
                        + " SIMULATED backends, not real devices)" : ""));
        out.add("  Cinder API:  " + origin + "/v3   (auth: " + config.auth().strategy().name().toLowerCase() + ")");
        out.add("  Status page: " + origin + "/status#token=" + statusToken() + "   (an admin token)");
        out.add("  Health:      " + origin + "/healthz   " + origin + "/readyz   Metrics: " + origin + "/metrics");
        out.add("  Database:    " + database(config.database()));
        out.add("  Try (run them without OS_* variables in the environment):");
        tokenSetup().ifPresent(line -> out.add("    " + line));
        out.add("    " + cinderCommand());
        out.add("    " + openstackCommand());
        out.add("    " + serviceListCommand());
        if (demo && !config.backends().isEmpty()) {
            String first = config.backends().get(0).section();
            out.add("    " + launcher + " " + configArgument + "set-device " + first + " down \"controller failed\"");
            out.add("    " + launcher + " " + configArgument + "set-device " + first + " up");
        }
        out.add("  Stop:        Ctrl-C");
        return out;
    }

    /** One shell line that sets TOKEN and PROJECT from the tokens file, when the strategy needs them. */
    Optional<String> tokenSetup() {
        if (config.auth().strategy() != AuthSettings.Strategy.TOKENS) {
            return Optional.empty();
        }
        String file = shellQuote(config.auth().tokensFile().map(p -> p.toAbsolutePath().toString()).orElse("TOKENS_FILE"));
        // The first admin line of the file; the token itself is never printed.
        String admin = "awk '!/^[[:space:]]*(#|$)/ && $4 ~ /(^|,)admin(,|$)/ {print $%d; exit}' " + file;
        return Optional.of("TOKEN=$(" + admin.formatted(1) + ") PROJECT=$(" + admin.formatted(3) + ")");
    }

    /** The {@code cinder service-list} command for this auth strategy. */
    String cinderCommand() {
        String endpoint = origin() + "/v3";
        if (config.auth().strategy() == AuthSettings.Strategy.TOKENS) {
            return "cinder --os-auth-type admin_token --os-endpoint " + endpoint
                    + " --os-token \"$TOKEN\" --os-project-id \"$PROJECT\" --os-volume-api-version 3.49 service-list";
        }
        return "cinder --os-auth-type noauth --os-endpoint " + endpoint
                + " --os-user-id admin --os-project-id admin --os-volume-api-version 3.49 service-list";
    }

    /** This program's own {@code service-list}, reaching this very process. */
    String serviceListCommand() {
        boolean tokens = config.auth().strategy() == AuthSettings.Strategy.TOKENS;
        // The configured port is not where the service listens under --port: name the endpoint then.
        return launcher + " " + configArgument + "service-list"
                + (port != config.listenPort() ? " --endpoint " + origin() + "/v3" : "")
                + (tokens ? " --token \"$TOKEN\"" : "");
    }

    /** The {@code openstack volume service list} command for this auth strategy. */
    String openstackCommand() {
        String endpoint = origin() + "/v3";
        if (config.auth().strategy() == AuthSettings.Strategy.TOKENS) {
            return "openstack --os-auth-type admin_token --os-endpoint " + endpoint + " --os-token \"$TOKEN\""
                    + " --os-volume-api-version 3.49 volume service list --long";
        }
        return "openstack --os-auth-type none --os-endpoint " + endpoint
                + " --os-volume-api-version 3.49 volume service list --long";
    }

    private String statusToken() {
        return config.auth().strategy() == AuthSettings.Strategy.TOKENS ? "$TOKEN" : "admin:admin";
    }

    /** The database as a URL, with the data directory for SQLite; the password only as a mask. */
    static String database(DatabaseSettings database) {
        Optional<Path> file = database.sqliteFile();
        if (file.isPresent()) {
            Path absolute = file.get().toAbsolutePath();
            return "sqlite:///" + absolute + "   (data directory " + absolute.getParent() + ")";
        }
        // A password can also sit in the URL's query (password=...): mask it like the separate key.
        String url = database.jdbcUrl().replaceAll("(?i)(password=)[^&]*", "$1***");
        return url + database.user().map(u -> "   (user " + u + database.password().map(p -> ", password ***")
                .orElse("") + ")").orElse("");
    }

    static String shellQuote(String value) {
        return value.matches("[A-Za-z0-9_./:@%+=-]+") ? value : "'" + value.replace("'", "'\\''") + "'";
    }
}
