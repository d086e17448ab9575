package io.cinderblock.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.cinderblock.service.testing.DatabaseFixture;
import io.cinderblock.service.testing.ServiceFixture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real python-cinderclient from Debian ({@code /usr/bin/cinder}, package python3-cinderclient)
 * against the running service, with a clean environment (no {@code OS_*} variables). Fails, never
 * skips, when the client is missing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("Real cinderclient against the service")
class CinderClientTest {
    private static final Path CINDER = Path.of("/usr/bin/cinder");

    private Path directory;
    private DatabaseFixture database;
    private ServiceFixture fixture;

    @BeforeAll
    void start(@TempDir Path dir) {
        directory = dir;
        assertThat(Files.isExecutable(CINDER)).as("python-cinderclient is required: apt-get install python3-cinderclient"
                + " (expected " + CINDER + ")").isTrue();
        database = DatabaseFixture.sqlite(directory);
        fixture = ServiceFixture.create(directory, database);
        fixture.simBackend("gold", Map.of("gold-a", 1000L)).simBackend("silver", Map.of("silver-a", 500L)).start();
    }

    @AfterAll
    void stop() {
        if (fixture != null) {
            fixture.close();
        }
        if (database != null) {
            database.close();
        }
    }

    private List<String> cinder(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(CINDER.toString(), "--os-auth-type", "noauth", "--os-endpoint",
                fixture.origin() + "/v3", "--os-user-id", "admin", "--os-project-id", "admin"));
        command.addAll(Arrays.asList(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().clear();
        builder.environment().put("PATH", "/usr/bin:/bin");
        builder.environment().put("HOME", directory.toString());
        builder.environment().put("LC_ALL", "C.UTF-8");
        Process process = builder.start();
        byte[] out = process.getInputStream().readAllBytes();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("cinder " + String.join(" ", args) + " did not finish");
        }
        String text = new String(out, StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as("cinder %s:%n%s", String.join(" ", args), text).isZero();
        return text.lines().toList();
    }

    /** The Backend State cell of a host's row ({@code null} when the column is absent). */
    private static String backendStateCell(List<String> table, String host) {
        List<String> header = cells(table.stream().filter(l -> l.startsWith("| Binary")).findFirst().orElseThrow());
        int column = header.indexOf("Backend State");
        String row = table.stream().filter(l -> l.contains("| " + host + " ")).findFirst()
                .orElseThrow(() -> new AssertionError("no row for " + host + " in\n" + String.join("\n", table)));
        return column < 0 ? null : cells(row).get(column);
    }

    private static List<String> cells(String line) {
        String inner = line.substring(1, line.length() - 1);
        return Arrays.stream(inner.split("\\|", -1)).map(String::strip).toList();
    }

    @Test
    @DisplayName("service-list shows Backend State up and down as devices switch; 3.48 shows no such column")
    void serviceListShowsBackendState() throws Exception {
        String gold = ServiceFixture.HOST + "@gold";
        String silver = ServiceFixture.HOST + "@silver";
        ServiceFixture.await(Duration.ofSeconds(10), () -> fixture.backendState("gold"), "up"::equals, "gold up");
        ServiceFixture.await(Duration.ofSeconds(10), () -> fixture.backendState("silver"), "up"::equals, "silver up");

        // No --os-volume-api-version: the client negotiates the server's maximum (3.70) from GET /.
        List<String> table = cinder("service-list");
        assertThat(table.get(1)).contains("| Binary ").contains("| Cluster ").contains("| Backend State |");
        assertThat(backendStateCell(table, gold)).isEqualTo("up");
        assertThat(backendStateCell(table, ServiceFixture.HOST)).isEmpty();

        fixture.breakDevice("gold", "controller failed");
        ServiceFixture.await(Duration.ofSeconds(10), () -> fixture.backendState("gold"), "down"::equals, "gold down");
        table = cinder("--os-volume-api-version", "3.49", "service-list");
        assertThat(backendStateCell(table, gold)).isEqualTo("down");
        assertThat(backendStateCell(table, silver)).isEqualTo("up");

        List<String> old = cinder("--os-volume-api-version", "3.48", "service-list");
        assertThat(String.join("\n", old)).doesNotContain("Backend State").contains(gold);
        assertThat(backendStateCell(old, gold)).isNull();

        fixture.healDevice("gold");
        ServiceFixture.await(Duration.ofSeconds(10), () -> fixture.backendState("gold"), "up"::equals, "gold up");
        assertThat(backendStateCell(cinder("service-list", "--binary", "cinder-volume"), gold)).isEqualTo("up");
    }

    @Test
    @DisplayName("get-pools --detail and service-disable/enable work through the client")
    void poolsAndServiceActions() throws Exception {
        ServiceFixture.await(Duration.ofSeconds(10),
                () -> fixture.get("/v3/scheduler-stats/get_pools", "3.49").body(),
                b -> b.contains("gold-a") && b.contains("silver-a"), "pools reported");
        String pools = String.join("\n", cinder("--os-volume-api-version", "3.49", "get-pools", "--detail"));
        assertThat(pools).contains(ServiceFixture.HOST + "@gold#gold-a").contains("backend_state");

        String silver = ServiceFixture.HOST + "@silver";
        String disabled = String.join("\n", cinder("--os-volume-api-version", "3.49", "service-disable", silver,
                "cinder-volume", "--reason", "maintenance"));
        assertThat(disabled).contains("disabled").contains("maintenance");
        assertThat(String.join("\n", cinder("--os-volume-api-version", "3.49", "service-list")))
                .contains("maintenance");
        assertThat(String.join("\n", cinder("--os-volume-api-version", "3.49", "service-enable", silver,
                "cinder-volume"))).contains("enabled");
    }
}
