package io.cinderblock.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.cinderblock.service.testing.DatabaseFixture;
import io.cinderblock.service.testing.ServiceFixture;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The running service (SQLite, a SIMULATED array backend) while its database file is deleted,
 * replaced, overwritten or locked: {@code /readyz} turns 503 with the cause within 3 s (the lock:
 * once the database has not answered for 3 s), a disable request is refused with 503 instead of
 * going to an unlinked file, the list never shows a change that was refused, and readiness comes
 * back when a lock is released.
 */
@DisplayName("SQLite trouble is visible: readiness reads the disk, writes to a lost file are refused")
class SqliteFaultsTest {
    /** The spec's bound, plus the one-second check period and a loaded machine's scheduling. */
    private static final Duration NOTICED = Duration.ofSeconds(5);
    private static final String DISABLE = "{\"host\": \"" + ServiceFixture.HOST + "@gold\", \"binary\":"
            + " \"cinder-volume\", \"disabled_reason\": \"maintenance\"}";

    @TempDir
    Path directory;

    private ServiceFixture fixture;
    private Path file;

    @BeforeEach
    void start() {
        fixture = ServiceFixture.create(directory, DatabaseFixture.sqlite(directory));
        fixture.simBackend("gold", Map.of("a", 100L)).start();
        file = directory.resolve("cinderblock.db");
        awaitReady(200, "ready");
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    private HttpResponse<String> readyz() {
        return fixture.get("/readyz", null);
    }

    private void awaitReady(int status, String bodyPart) {
        ServiceFixture.await(NOTICED, this::readyz, r -> r.statusCode() == status && r.body().contains(bodyPart),
                "/readyz " + status + " containing '" + bodyPart + "'");
    }

    private HttpResponse<String> disable() {
        return fixture.send("PUT", "/v3/os-services/disable-log-reason", "3.49", "application/json", DISABLE);
    }

    private void assertDisableRefusedAndNotShown(String why) {
        HttpResponse<String> refused = disable();
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
        assertThat(refused.body()).startsWith("{\"serviceUnavailable\": {\"code\": 503, \"message\": \"The change was"
                + " not made: ").contains(why).doesNotContain(directory.toString());
        List<Map<String, Object>> services = fixture.services("3.49");
        assertThat(services).filteredOn(s -> "cinder-volume".equals(s.get("binary")))
                .allSatisfy(s -> assertThat(s.get("status")).isEqualTo("enabled"));
    }

    @Test
    @DisplayName("the database file deleted: 503 with the cause, disable refused")
    void deleted() throws IOException {
        for (String suffix : List.of("", "-wal", "-shm")) {
            Files.deleteIfExists(Path.of(file + suffix));
        }
        awaitReady(503, "was deleted while the service was running");
        assertDisableRefusedAndNotShown("deleted");
    }

    @Test
    @DisplayName("the database file replaced by another (a restored backup): 503, disable refused")
    void replaced() throws IOException {
        Path copy = Files.copy(file, directory.resolve("backup.db"));
        Files.move(copy, file, StandardCopyOption.REPLACE_EXISTING);
        awaitReady(503, "was replaced by another file");
        assertDisableRefusedAndNotShown("replaced");
    }

    @Test
    @DisplayName("the database file overwritten in place (corrupt): 503 naming the corruption")
    void corrupt() throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap("this is not a database at all, sorry".getBytes()), 0);
        }
        awaitReady(503, "is corrupt");
    }

    @Test
    @DisplayName("the database locked by another process: 503 once it has not answered for 3 s, 200 when released")
    void locked() throws Exception {
        try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement s = other.createStatement()) {
            s.execute("PRAGMA busy_timeout = 5000");
            s.execute("BEGIN EXCLUSIVE");
            awaitReady(503, "database not reached for");
            s.execute("ROLLBACK");
        }
        // The waiting check gets the lock (busy timeout 10 s) and the next one passes.
        ServiceFixture.await(Duration.ofSeconds(15), this::readyz, r -> r.statusCode() == 200, "ready again");
        HttpResponse<String> accepted = disable();
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(200);
    }
}
