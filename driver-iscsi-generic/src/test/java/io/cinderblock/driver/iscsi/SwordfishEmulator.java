package io.cinderblock.driver.iscsi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cinderblock.sdk.spi.DriverConfig;
import io.cinderblock.sdk.spi.DriverContext;
import io.cinderblock.sdk.spi.VolumeDriver;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Assumptions;

/**
 * SNIA's Swordfish API Emulator (an independent Swordfish implementation carrying SNIA's mockups),
 * run as an external program like snmpd: {@code start.sh} of the shared fixture folder starts a
 * fresh, seeded emulator on 127.0.0.1 (HTTPS with a generated CA and authentication, unless asked
 * otherwise), {@link #close()} runs {@code stop.sh}. Never copied into this project.
 *
 * <p>The fixture folder is {@code ../shared/swordfish-emulator} beside the repository root, or the
 * system property {@value #PROPERTY}, or the environment variable {@value #ENV}. When it cannot be
 * started, the test fails in CI ({@code CI=true}) and is skipped, with the reason, elsewhere.
 */
final class SwordfishEmulator implements AutoCloseable {
    static final String PROPERTY = "swordfish.emulator";
    static final String ENV = "SWORDFISH_EMULATOR";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Path fixture;
    private final Map<String, String> values;
    private final HttpClient http;

    private SwordfishEmulator(Path fixture, Map<String, String> values) throws Exception {
        this.fixture = fixture;
        this.values = values;
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
        if (caFile().isPresent()) {
            builder.sslContext(trusting(caFile().get()));
        }
        this.http = builder.build();
    }

    /** Options of {@code start.sh}, e.g. {@code --stock}, {@code --http-noauth}, {@code --assign-target}. */
    static SwordfishEmulator start(String... options) {
        return startOn(0, options);
    }

    /** On a given port (0: a free one), e.g. to start the array again where it was. */
    static SwordfishEmulator startOn(int port, String... options) {
        Path fixture = locate();
        Path workdir;
        try {
            workdir = Files.createTempDirectory("swordfish-emulator-");
            Files.delete(workdir); // start.sh creates it and refuses a directory it did not make
        } catch (IOException e) {
            throw unavailable("cannot create a work directory: " + e.getMessage(), e);
        }
        List<String> command = new ArrayList<>(List.of("bash", fixture.resolve("start.sh").toString(),
                Integer.toString(port)));
        command.addAll(List.of(options));
        command.addAll(List.of("--workdir", workdir.toString(),
                "--watch-pid", Long.toString(ProcessHandle.current().pid())));
        Map<String, String> values = new LinkedHashMap<>();
        try {
            Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            try (BufferedReader out = process.inputReader(StandardCharsets.UTF_8)) {
                out.lines().map(l -> l.split("=", 2)).filter(kv -> kv.length == 2)
                        .forEach(kv -> values.put(kv[0], kv[1]));
            }
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw unavailable("start.sh did not finish within 120 s", null);
            }
            if (process.exitValue() != 0) {
                throw unavailable("start.sh exited " + process.exitValue() + " (3: missing Debian packages, "
                        + "see its README; the test log has its stderr)", null);
            }
            return new SwordfishEmulator(fixture, values);
        } catch (IOException e) {
            throw unavailable("cannot run start.sh: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable("interrupted while starting", e);
        } catch (RuntimeException e) {
            stopQuietly(fixture, values);
            throw e;
        } catch (Exception e) {
            stopQuietly(fixture, values);
            throw unavailable("cannot set up a client for it: " + e, e);
        }
    }

    private static Path locate() {
        String configured = Optional.ofNullable(System.getProperty(PROPERTY)).orElse(System.getenv(ENV));
        Path fixture;
        if (configured != null && !configured.isBlank()) {
            fixture = Path.of(configured);
        } else {
            // Surefire runs in the module directory; the repository root is the first parent with .git.
            Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
            Path root = dir;
            while (root != null && !Files.exists(root.resolve(".git"))) {
                root = root.getParent();
            }
            fixture = (root != null ? root : dir.getParent()).resolveSibling("shared").resolve("swordfish-emulator");
        }
        if (!Files.isRegularFile(fixture.resolve("start.sh"))) {
            throw unavailable("no start.sh in " + fixture + " (set -D" + PROPERTY + " or " + ENV + ")", null);
        }
        return fixture;
    }

    /** In CI a missing emulator fails the test; elsewhere it is skipped with the reason. */
    private static RuntimeException unavailable(String reason, Throwable cause) {
        String message = "Swordfish API Emulator unavailable: " + reason;
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            return new IllegalStateException(message, cause);
        }
        // Surefire does not show why a class-level set-up was aborted: say it on the console too.
        System.err.println("SKIPPED (not in CI): " + message);
        Assumptions.abort(message);
        return new IllegalStateException(message); // not reached: abort throws
    }

    String value(String key) {
        String value = values.get(key);
        if (value == null) {
            throw new IllegalStateException("start.sh printed no " + key + " (it printed " + values.keySet() + ")");
        }
        return value;
    }

    int port() {
        return Integer.parseInt(value("SWORDFISH_PORT"));
    }

    String url() {
        return value("SWORDFISH_URL");
    }

    String storagePath() {
        return value("SWORDFISH_STORAGE");
    }

    Optional<Path> caFile() {
        String ca = values.getOrDefault("SWORDFISH_CA_FILE", "");
        return ca.isEmpty() ? Optional.empty() : Optional.of(Path.of(ca));
    }

    boolean authenticated() {
        return !"none".equals(values.get("SWORDFISH_AUTH"));
    }

    /** The driver configuration: HTTPS with the emulator's CA and verification on, when it runs so. */
    Map<String, String> driverConfig() {
        Map<String, String> config = new LinkedHashMap<>();
        config.put(SwordfishDriverProvider.URL, url());
        config.put(SwordfishDriverProvider.USER, value("SWORDFISH_USER"));
        config.put(SwordfishDriverProvider.PASSWORD, value("SWORDFISH_PASSWORD"));
        caFile().ifPresent(ca -> config.put(SwordfishDriverProvider.CA_BUNDLE, ca.toString()));
        return config;
    }

    VolumeDriver openDriver(Map<String, String> overrides, DriverContext context) {
        Map<String, String> config = new LinkedHashMap<>(driverConfig());
        config.putAll(overrides);
        SwordfishDriverProvider provider = new SwordfishDriverProvider();
        return provider.open(DriverConfig.validate(provider.descriptor(), "emulator-backend", config), context);
    }

    // ------------------------------------------------------------------ the emulator's REST API, for set-up

    JsonNode get(String path) {
        return readTree(send("GET", path, null));
    }

    /** PATCHes top-level properties (the emulator replaces each one whole). */
    void patch(String path, String json) {
        send("PATCH", path, json);
    }

    /** POSTs a new resource into a collection. */
    void post(String collection, String json) {
        send("POST", collection, json);
    }

    void delete(String path) {
        send("DELETE", path, null);
    }

    /** Sets the storage's Status (PATCH replaces it whole). */
    void setStorageStatus(String state, String health) {
        patch(storagePath(), "{\"Status\": {\"State\": \"" + state + "\", \"Health\": \"" + health
                + "\", \"HealthRollup\": \"" + health + "\"}}");
    }

    private static JsonNode readTree(HttpResponse<String> response) {
        try {
            return MAPPER.readTree(response.body());
        } catch (IOException e) {
            throw new IllegalStateException("emulator answered non-JSON: " + response.body(), e);
        }
    }

    private HttpResponse<String> send(String method, String path, String json) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url() + path)).timeout(Duration.ofSeconds(20))
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(json))
                .header("Content-Type", "application/json");
        if (authenticated()) {
            String pair = value("SWORDFISH_USER") + ":" + value("SWORDFISH_PASSWORD");
            request.header("Authorization", "Basic "
                    + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
        }
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() >= 300) {
                throw new IllegalStateException(method + " " + path + " on the emulator answered "
                        + response.statusCode() + ": " + response.body());
            }
            return response;
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + path + " on the emulator failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static SSLContext trusting(Path ca) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(ca)) {
            trust.setCertificateEntry("swordfish-ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }

    @Override
    public void close() {
        stopQuietly(fixture, values);
    }

    private static void stopQuietly(Path fixture, Map<String, String> values) {
        String workdir = values.get("SWORDFISH_WORKDIR");
        if (workdir == null) {
            return;
        }
        try {
            Process stop = new ProcessBuilder("bash", fixture.resolve("stop.sh").toString(), workdir, "--clean")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!stop.waitFor(30, TimeUnit.SECONDS)) {
                stop.destroyForcibly();
            }
        } catch (IOException e) {
            // --watch-pid ends the emulator with this JVM anyway
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
