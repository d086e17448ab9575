package io.cinderblock.service.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cinderblock.service.ReferenceService;
import io.cinderblock.service.config.IniFile;
import io.cinderblock.service.config.ServiceConfig;
import io.cinderblock.service.testing.DatabaseFixture;
import io.cinderblock.service.testing.ServiceFixture;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service with {@code auth_strategy = keystone} against the REAL Keystone started by
 * {@code .ci/keystone.sh} (Debian's keystone under uwsgi), driven by the real {@code cinder} and
 * {@code openstack} clients logging in with a password and finding the service in the catalog, and
 * Tempest's volume services API tests.
 * The backend is the SIMULATED array. Without that Keystone: fails when {@code CI=true}, otherwise
 * skips saying how to start it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@DisplayName("auth_strategy = keystone against a real Keystone")
class KeystoneServiceTest {
    private static final Path SCRIPT = Path.of("..", ".ci", "keystone.sh").toAbsolutePath().normalize();
    private static final String SERVICES_403 = "{\"forbidden\": {\"code\": 403, \"message\": \"Policy doesn't allow"
            + " volume_extension:services:index to be performed.\"}}";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();
    private Map<String, String> env;
    private Path directory;
    private DatabaseFixture database;
    private ServiceFixture fixture;
    private ReferenceService service;
    private String origin;
    private Token early;

    private record Token(String id, String projectId, Instant expiresAt) {}

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        directory = dir;
        env = keystoneEnv();
        database = DatabaseFixture.sqlite(directory);
        fixture = ServiceFixture.create(directory, database);
        fixture.simBackend("gold", Map.of("gold-a", 1000L));
        fixture.defaultKey("auth_strategy", "keystone");
        fixture.defaultKey("osapi_volume_listen_port", env.get("CINDERBLOCK_KEYSTONE_VOLUME_PORT"));
        Path conf = fixture.writeConfig();
        Files.writeString(conf, "\n[keystone_authtoken]\n"
                + "www_authenticate_uri = " + env.get("CINDERBLOCK_KEYSTONE_URL") + "\n"
                + "auth_url = " + env.get("CINDERBLOCK_KEYSTONE_URL") + "\n"
                + "auth_type = password\n"
                + "username = " + env.get("CINDERBLOCK_KEYSTONE_SERVICE_USER") + "\n"
                + "password = " + env.get("CINDERBLOCK_KEYSTONE_SERVICE_PASSWORD") + "\n"
                + "project_name = " + env.get("CINDERBLOCK_KEYSTONE_SERVICE_PROJECT") + "\n"
                + "user_domain_name = Default\nproject_domain_name = Default\nregion_name = RegionOne\n"
                // Short so that revocation shows within the test; production keeps 300 s.
                + "token_cache_time = 2\ninvalid_token_cache_time = 1\nhttp_request_timeout = 3\n",
                StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        ServiceConfig config = ServiceConfig.from(IniFile.read(conf), directory, w -> { })
                .withDatabase(database.settings());
        service = ReferenceService.start(config, ServiceFixture.drivers(), Clock.systemUTC());
        origin = "http://127.0.0.1:" + service.port();
        early = token("ADMIN");
        // Validated (and cached) now, refused once expired at the end.
        ServiceFixture.await(Duration.ofSeconds(15), () -> get("/v3/" + early.projectId() + "/os-services", early,
                "3.49").body(), b -> b.contains("\"backend_state\": \"up\""), "gold up");
    }

    private static Map<String, String> keystoneEnv() throws IOException {
        Path file = Path.of(System.getenv().getOrDefault("CINDERBLOCK_KEYSTONE_DIR", "/tmp/cinderblock-keystone"), "env");
        String why = null;
        if (!Files.isRegularFile(file)) {
            why = "no Keystone env file " + file;
        } else if (!Files.isExecutable(Path.of("/usr/bin/cinder")) || !Files.isExecutable(Path.of("/usr/bin/openstack"))) {
            why = "cinder or openstack client missing (apt-get install python3-cinderclient python3-openstackclient)";
        }
        Map<String, String> values = new HashMap<>();
        if (why == null) {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith("export ") && line.contains("=")) {
                    String kv = line.substring(7);
                    values.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
                }
            }
            if (!answers(values.get("CINDERBLOCK_KEYSTONE_URL"))) {
                why = "Keystone at " + values.get("CINDERBLOCK_KEYSTONE_URL") + " does not answer";
            }
        }
        if (why != null) {
            String message = why + ": start it with 'bash .ci/keystone.sh start'";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                Assertions.fail(message);
            }
            Assumptions.abort(message);
        }
        return values;
    }

    private static boolean answers(String url) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5))
                    .build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @AfterAll
    void stop() throws Exception {
        if (service != null) {
            service.close();
        }
        if (fixture != null) {
            fixture.close();
        }
        if (database != null) {
            database.close();
        }
        if (env != null && !answers(env.get("CINDERBLOCK_KEYSTONE_URL"))) {
            keystone("serve"); // a failed test left it stopped: leave it running for the next
        }
    }

    /** A token of ADMIN or MEMBER, logged in with a password as a client does. */
    private Token token(String who) throws Exception {
        String body = "{\"auth\": {\"identity\": {\"methods\": [\"password\"], \"password\": {\"user\": {\"name\": "
                + json.writeValueAsString(env.get("CINDERBLOCK_KEYSTONE_" + who + "_USER"))
                + ", \"domain\": {\"id\": \"default\"}, \"password\": "
                + json.writeValueAsString(env.get("CINDERBLOCK_KEYSTONE_" + who + "_PASSWORD"))
                + "}}}, \"scope\": {\"project\": {\"name\": "
                + json.writeValueAsString(env.get("CINDERBLOCK_KEYSTONE_" + who + "_PROJECT"))
                + ", \"domain\": {\"id\": \"default\"}}}}}";
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(env.get("CINDERBLOCK_KEYSTONE_URL")
                + "/auth/tokens")).timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("login of %s: %s", who, r.body()).isEqualTo(201);
        JsonNode t = json.readTree(r.body()).path("token");
        return new Token(r.headers().firstValue("X-Subject-Token").orElseThrow(), t.path("project").path("id").asText(),
                Instant.parse(t.path("expires_at").asText()));
    }

    private HttpResponse<String> get(String path, Token token, String version) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(origin + path)).timeout(Duration.ofSeconds(15))
                    .header("X-Auth-Token", token.id());
            if (version != null) {
                b.header("OpenStack-API-Version", "volume " + version);
            }
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Runs a client with a clean environment; the password goes in OS_PASSWORD, never on the command line. */
    private Result client(String who, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> e = builder.environment();
        e.clear();
        e.put("PATH", "/usr/bin:/bin");
        e.put("HOME", directory.toString());
        e.put("LC_ALL", "C.UTF-8");
        e.put("OS_AUTH_URL", env.get("CINDERBLOCK_KEYSTONE_URL"));
        e.put("OS_USERNAME", env.get("CINDERBLOCK_KEYSTONE_" + who + "_USER"));
        e.put("OS_PASSWORD", env.get("CINDERBLOCK_KEYSTONE_" + who + "_PASSWORD"));
        e.put("OS_PROJECT_NAME", env.get("CINDERBLOCK_KEYSTONE_" + who + "_PROJECT"));
        e.put("OS_USER_DOMAIN_NAME", "Default");
        e.put("OS_PROJECT_DOMAIN_NAME", "Default");
        e.put("OS_IDENTITY_API_VERSION", "3");
        e.put("OS_REGION_NAME", "RegionOne");
        Process process = builder.start();
        byte[] out = process.getInputStream().readAllBytes();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(String.join(" ", args) + " did not finish");
        }
        return new Result(process.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    private record Result(int exit, String output) {}

    private void keystone(String action) throws Exception {
        Process p = new ProcessBuilder("bash", SCRIPT.toString(), action).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("keystone.sh %s", action).isTrue();
        assertThat(p.exitValue()).as("keystone.sh %s: %s", action, out).isZero();
    }

    @Test
    @Order(1)
    @DisplayName("cinder logs in with a password, finds volumev3 in the catalog, lists Backend State as admin")
    void cinderClientAsAdmin() throws Exception {
        Result r = client("ADMIN", "/usr/bin/cinder", "--os-auth-url", env.get("CINDERBLOCK_KEYSTONE_URL"),
                "--os-username", env.get("CINDERBLOCK_KEYSTONE_ADMIN_USER"), "--os-project-name",
                env.get("CINDERBLOCK_KEYSTONE_ADMIN_PROJECT"), "--os-volume-api-version", "3.49", "service-list");
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).contains("| Backend State |");
        String row = r.output().lines().filter(l -> l.contains("| " + ServiceFixture.HOST + "@gold ")).findFirst()
                .orElseThrow(() -> new AssertionError("no gold row in\n" + r.output()));
        assertThat(row).contains("| up ").contains("cinder-volume");
    }

    @Test
    @Order(2)
    @DisplayName("openstack volume service list works through the catalog as admin")
    void openstackClientAsAdmin() throws Exception {
        Result r = client("ADMIN", "/usr/bin/openstack", "--os-auth-url", env.get("CINDERBLOCK_KEYSTONE_URL"),
                "--os-username", env.get("CINDERBLOCK_KEYSTONE_ADMIN_USER"), "--os-project-name",
                env.get("CINDERBLOCK_KEYSTONE_ADMIN_PROJECT"), "--os-volume-api-version", "3", "volume", "service",
                "list", "-f", "value");
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).contains(ServiceFixture.HOST + "@gold").contains("cinder-scheduler");
    }

    @Test
    @Order(3)
    @DisplayName("the member user gets Cinder's exact 403, through the client and over HTTP")
    void memberIsForbidden() throws Exception {
        Result r = client("MEMBER", "/usr/bin/cinder", "--os-auth-url", env.get("CINDERBLOCK_KEYSTONE_URL"),
                "--os-username", env.get("CINDERBLOCK_KEYSTONE_MEMBER_USER"), "--os-project-name",
                env.get("CINDERBLOCK_KEYSTONE_MEMBER_PROJECT"), "--os-volume-api-version", "3.49", "service-list");
        assertThat(r.exit()).isNotZero();
        assertThat(r.output()).contains("Policy doesn't allow volume_extension:services:index to be performed."
                + " (HTTP 403)");

        Token member = token("MEMBER");
        HttpResponse<String> services = get("/v3/" + member.projectId() + "/os-services", member, "3.49");
        assertThat(services.statusCode()).isEqualTo(403);
        assertThat(services.body()).isEqualTo(SERVICES_403);
        HttpResponse<String> pools = get("/v3/" + member.projectId() + "/scheduler-stats/get_pools", member, "3.49");
        assertThat(pools.statusCode()).isEqualTo(403);
        assertThat(pools.body()).contains("scheduler_extension:scheduler_stats:get_pools");
        assertThat(get("/status/data", member, null).statusCode()).isEqualTo(403);
    }

    @Test
    @Order(4)
    @DisplayName("/status/data answers an admin's Keystone token; no token or a made-up one is 401")
    void statusData() throws Exception {
        Token admin = token("ADMIN");
        HttpResponse<String> data = get("/status/data", admin, null);
        assertThat(data.statusCode()).isEqualTo(200);
        assertThat(data.body()).contains(ServiceFixture.HOST + "@gold");
        assertThat(get("/status/data", new Token("not-a-keystone-token", "", Instant.now()), null).statusCode())
                .isEqualTo(401);
        assertThat(get("/v3/" + admin.projectId() + "/os-services", new Token("gAAAAAmadeup", "", Instant.now()),
                "3.49").statusCode()).isEqualTo(401);
    }

    @Test
    @Order(5)
    @DisplayName("a token revoked in Keystone is refused once its cached validation lapses (token_cache_time 2 s)")
    void revokedTokenRefused() throws Exception {
        Token admin = token("ADMIN");
        Token revoker = token("ADMIN");
        String path = "/v3/" + admin.projectId() + "/os-services";
        assertThat(get(path, admin, "3.49").statusCode()).isEqualTo(200);
        HttpResponse<String> revoked = http.send(HttpRequest.newBuilder(URI.create(env.get("CINDERBLOCK_KEYSTONE_URL")
                + "/auth/tokens")).timeout(Duration.ofSeconds(30)).header("X-Auth-Token", revoker.id())
                .header("X-Subject-Token", admin.id()).DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(204);
        ServiceFixture.await(Duration.ofSeconds(10), () -> get(path, admin, "3.49").statusCode(), s -> s == 401,
                "revoked token refused");
    }

    @Test
    @Order(7)
    @DisplayName("Keystone stopped: cached tokens keep working, new ones get 503 at once; back: new tokens work")
    void keystoneStoppedMidRun() throws Exception {
        Token known = token("ADMIN");
        Token unseen = token("ADMIN");
        String path = "/v3/" + known.projectId() + "/os-services";
        assertThat(get(path, known, "3.49").statusCode()).isEqualTo(200);
        keystone("stop");
        try {
            Thread.sleep(2_500); // past token_cache_time: the service has to ask Keystone again, and cannot
            HttpResponse<String> down = get(path, unseen, "3.49");
            assertThat(down.statusCode()).isEqualTo(503);
            assertThat(down.body()).contains("The Keystone service is temporarily unavailable").contains("\"code\": 503")
                    .doesNotContain(unseen.id()).doesNotContain(env.get("CINDERBLOCK_KEYSTONE_SERVICE_PASSWORD"));
            assertThat(get("/status/data", unseen, null).statusCode()).isEqualTo(503);
            // Validated before and not expired: still served.
            assertThat(get(path, known, "3.49").statusCode()).isEqualTo(200);
        } finally {
            keystone("serve");
        }
        Token fresh = token("ADMIN");
        assertThat(get(path, fresh, "3.49").statusCode()).isEqualTo(200);
    }

    @Test
    @Order(6)
    @DisplayName("Tempest's volume services API tests pass against the service (pre-provisioned Keystone accounts)")
    void tempestVolumeServices() throws Exception {
        String why = Files.isRegularFile(Path.of("/usr/lib/python3/dist-packages/tempest/api/volume/admin",
                "test_volume_services.py")) ? null : "python3-tempest is required: apt-get install python3-tempest";
        if (why != null) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                Assertions.fail(why);
            }
            Assumptions.abort(why);
        }
        Path etc = Files.createDirectories(directory.resolve("tempest/etc"));
        Path lock = Files.createDirectories(directory.resolve("tempest/lock"));
        StringBuilder accounts = new StringBuilder();
        for (String who : List.of("ADMIN", "MEMBER")) {
            accounts.append("- username: ").append(json.writeValueAsString(env.get("CINDERBLOCK_KEYSTONE_" + who + "_USER")))
                    .append("\n  project_name: ")
                    .append(json.writeValueAsString(env.get("CINDERBLOCK_KEYSTONE_" + who + "_PROJECT")))
                    .append("\n  password: ")
                    .append(json.writeValueAsString(env.get("CINDERBLOCK_KEYSTONE_" + who + "_PASSWORD")))
                    .append(who.equals("ADMIN") ? "\n  roles:\n  - admin\n" : "\n");
        }
        Files.writeString(etc.resolve("accounts.yaml"), accounts);
        Files.writeString(etc.resolve("tempest.conf"), String.join("\n",
                "[DEFAULT]", "log_file = " + directory.resolve("tempest/tempest.log"),
                "[oslo_concurrency]", "lock_path = " + lock,
                "[auth]", "use_dynamic_credentials = false", "test_accounts_file = " + etc.resolve("accounts.yaml"),
                "default_credentials_domain_name = Default", "create_isolated_networks = false",
                "[identity]", "uri_v3 = " + env.get("CINDERBLOCK_KEYSTONE_URL"), "auth_version = v3",
                "region = RegionOne",
                "[identity-feature-enabled]", "api_v2 = false",
                "[service_available]", "cinder = true", "nova = false", "glance = false", "neutron = false",
                "swift = false",
                "[volume]", "catalog_type = volumev3", "min_microversion = 3.0", "max_microversion = 3.70", ""));
        // test_get_service_by_volume_host_name is left out: it creates a volume, an API this service
        // does not serve (it serves the service list, pools and service actions only).
        String base = "tempest.api.volume.admin.test_volume_services.VolumesServicesTestJSON.";
        List<String> command = new ArrayList<>(List.of("/usr/bin/python3", "-m", "testtools.run"));
        for (String test : List.of("test_list_services", "test_get_service_by_service_binary_name",
                "test_get_service_by_host_name", "test_get_service_by_service_and_host_name")) {
            command.add(base + test);
        }
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).directory(directory.toFile());
        builder.environment().clear();
        builder.environment().put("PATH", "/usr/bin:/bin");
        builder.environment().put("HOME", directory.toString());
        builder.environment().put("LC_ALL", "C.UTF-8");
        builder.environment().put("TEMPEST_CONFIG_DIR", etc.toString());
        builder.environment().put("TEMPEST_CONFIG", "tempest.conf");
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(300, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(out).isZero();
        assertThat(out).contains("Ran 4 tests").contains("OK");
    }

    @Test
    @Order(8)
    @DisplayName("an expired token is refused (this Keystone issues tokens for a few seconds)")
    void expiredTokenRefused() throws Exception {
        String path = "/v3/" + early.projectId() + "/os-services";
        Duration left = Duration.between(Instant.now(), early.expiresAt());
        if (!left.isNegative()) {
            Thread.sleep(left.toMillis() + 500);
        }
        assertThat(get(path, early, "3.49").statusCode()).isEqualTo(401);
    }
}
