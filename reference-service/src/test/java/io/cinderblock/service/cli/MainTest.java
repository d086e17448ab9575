package io.cinderblock.service.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.cinderblock.service.testing.DatabaseFixture;
import io.cinderblock.service.testing.ServiceFixture;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI's commands against a running service and a SIMULATED array. */
class MainTest {
    @TempDir
    Path directory;

    private DatabaseFixture database;
    private ServiceFixture fixture;
    private Path config;

    @BeforeEach
    void start() {
        database = DatabaseFixture.sqlite(directory);
        fixture = ServiceFixture.create(directory, database);
        fixture.simBackend("gold", Map.of("a", 100L)).start();
        config = fixture.writeConfig();
    }

    @AfterEach
    void stop() {
        fixture.close();
        database.close();
    }

    private record Result(int code, String out) {}

    private static Result run(String... args) {
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            return new Result(Main.run(args), out.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(original);
        }
    }

    @Test
    void setDeviceBackendStateAndServiceList() {
        String file = config.toString();
        Result up = run("--config-file", file, "backend-state", "gold");
        assertThat(up.code()).as(up.out()).isZero();
        assertThat(up.out()).startsWith(ServiceFixture.HOST + "@gold: up (");

        Result switched = run("--config-file", file, "set-device", "gold", "down", "disk", "shelf", "failed");
        assertThat(switched.code()).isZero();
        assertThat(switched.out()).contains("OK state=down");

        Result down = run("--config-file", file, "backend-state", "gold");
        assertThat(down.code()).isEqualTo(3);
        assertThat(down.out()).contains(": down (").contains("disk shelf failed");

        ServiceFixture.await(Duration.ofSeconds(6), () -> fixture.backendState("gold"), "down"::equals, "gold down");
        Result list = run("--config-file", file, "service-list", "--endpoint", fixture.origin() + "/v3");
        assertThat(list.code()).isZero();
        assertThat(list.out()).contains("| Backend State |").containsPattern("\\| test-host@gold +\\|.*\\| down +\\|");

        assertThat(run("--config-file", file, "set-device", "gold", "up").code()).isZero();
        ServiceFixture.await(Duration.ofSeconds(6), () -> fixture.backendState("gold"), "up"::equals, "gold up");
        assertThat(run("--config-file", file, "set-device", "gold", "sideways").code()).isEqualTo(2);
    }

    @Test
    void aBadRoleIsRefusedNamingTheOption() {
        PrintStream original = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = Main.run("--config-file", config.toString(), "serve", "--role", "scheduler");
        } finally {
            System.setErr(original);
        }
        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--role").contains("scheduler")
                .contains("AGENT").contains("API");
    }
}
