package io.cinderblock.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cinderblock.driver.sim.SimulatedArrayServer;
import io.cinderblock.service.testing.ServiceProcess;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fault drill: the service as a separate process (SQLite, backends on a SIMULATED array) put
 * through kill -9 and SIGTERM during a stream of disable requests, its database deleted, corrupted,
 * locked and on a full disk (an 8 MiB tmpfs mounted by the test), and a port already in use. After
 * each, every acknowledged write is there and no unacknowledged value appeared: per backend, the
 * stored reason is the last one answered 200, or the one request after it whose answer was lost.
 */
@DisplayName("fault drill: the service as a process under kill -9, SIGTERM, database loss, corruption, lock, full disk")
class FaultDrillTest {
    private static final List<String> BACKENDS = List.of("d1", "d2", "d3");
    private static final Duration START = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path directory;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<ServiceProcess> processes = new ArrayList<>();
    private SimulatedArrayServer simulator;
    private Path mount;

    @BeforeEach
    void startSimulator() throws IOException {
        simulator = SimulatedArrayServer.start(0, Optional.empty());
        for (String device : BACKENDS) {
            simulator.addDevice(device, Map.of("pool", 100L));
        }
    }

    @AfterEach
    void stopAll() throws Exception {
        processes.forEach(ServiceProcess::close);
        simulator.close();
        if (mount != null) {
            run("umount", "-l", mount.toString());
        }
    }

    /** What a writer saw for one backend: the last reason answered 200, and the attempt after it, if any. */
    private static final class Outcome {
        final Map<String, String> acknowledged = new LinkedHashMap<>();
        final Map<String, String> unanswered = new LinkedHashMap<>();
        int refused;
        int accepted;
    }

    @Test
    @DisplayName("kill -9 during writes: every acknowledged write survives the restart, nothing else appears")
    void killDuringWrites() throws Exception {
        Path config = config(directory.resolve("db/cinderblock.db"), 0);
        ServiceProcess first = start("killed", config);
        int port = first.awaitPort(START);
        Outcome outcome = writeWhile(port, () -> sleep(1500), first::kill);
        assertThat(outcome.accepted).isPositive();
        assertSurvives(outcome, start("after-kill", config).awaitPort(START));
    }

    @Test
    @DisplayName("SIGTERM during writes: the process stops within 15 s and every acknowledged write survives")
    void sigtermDuringLoad() throws Exception {
        Path config = config(directory.resolve("db/cinderblock.db"), 0);
        ServiceProcess first = start("terminated", config);
        int port = first.awaitPort(START);
        Outcome outcome = writeWhile(port, () -> sleep(1500), () -> {
            first.close();
            assertThat(first.awaitExit(Duration.ofSeconds(15))).as(first.output()).isNotNegative();
        });
        assertThat(outcome.accepted).isPositive();
        assertSurvives(outcome, start("after-term", config).awaitPort(START));
    }

    @Test
    @DisplayName("database deleted: writes refused with 503, /readyz 503, the restart says the database is new")
    void databaseDeleted() throws Exception {
        Path db = directory.resolve("db/cinderblock.db");
        Path config = config(db, 0);
        ServiceProcess service = start("deleted", config);
        int port = service.awaitPort(START);
        assertThat(write(port, "d1", "before")).isEqualTo(200);
        for (String suffix : List.of("", "-wal", "-shm")) {
            Files.deleteIfExists(Path.of(db + suffix));
        }
        awaitStatus(port, "/readyz", 503, Duration.ofSeconds(5));
        for (int i = 0; i < 5; i++) {
            assertThat(write(port, "d2", "after-" + i)).isEqualTo(503);
        }
        assertThat(reasons(port)).doesNotContainValue("after-0").containsEntry("d2", null);
        service.close();
        ServiceProcess restarted = start("deleted-restarted", config);
        int again = restarted.awaitPort(START);
        assertThat(restarted.output()).contains("NEW DATABASE");
        assertThat(reasons(again).values()).allMatch(r -> r == null);
    }

    @Test
    @DisplayName("database (and its WAL) corrupted in place: /readyz 503 naming it; a restart refuses to start, naming the file")
    void databaseCorrupted() throws Exception {
        Path db = directory.resolve("db/cinderblock.db");
        Path config = config(db, 0);
        ServiceProcess service = start("corrupted", config);
        int port = service.awaitPort(START);
        try (FileChannel channel = FileChannel.open(db, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(new byte[4096]), 0);
        }
        awaitStatus(port, "/readyz", 503, Duration.ofSeconds(5));
        assertThat(plain(port, "/readyz").body()).contains("is corrupt");
        service.kill();
        // The write-ahead log may still hold a good copy of the first page, which SQLite would use on
        // the next open; a disk that corrupted one file corrupted both here.
        Path wal = Path.of(db + "-wal");
        if (Files.exists(wal)) {
            try (FileChannel channel = FileChannel.open(wal, StandardOpenOption.WRITE)) {
                channel.write(ByteBuffer.wrap(new byte[4096]), 0);
            }
        }
        ServiceProcess restarted = start("corrupted-restarted", config);
        assertThat(restarted.awaitExit(START)).isNotZero();
        assertThat(restarted.output()).contains(db.toString());
    }

    @Test
    @DisplayName("database locked by another process for 5 s: /readyz 503, then 200; acknowledged writes all there")
    void databaseLocked() throws Exception {
        Path db = directory.resolve("db/cinderblock.db");
        Path config = config(db, 0);
        ServiceProcess service = start("locked", config);
        int port = service.awaitPort(START);
        Outcome outcome = writeWhile(port, () -> {
            try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + db);
                    Statement s = other.createStatement()) {
                s.execute("PRAGMA busy_timeout = 5000");
                s.execute("BEGIN EXCLUSIVE");
                awaitStatus(port, "/readyz", 503, Duration.ofSeconds(6));
                sleep(1000);
                s.execute("ROLLBACK");
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }, () -> { });
        awaitStatus(port, "/readyz", 200, Duration.ofSeconds(20));
        assertSurvives(outcome, port);
        service.close();
        assertSurvives(outcome, start("locked-restarted", config).awaitPort(START));
    }

    @Test
    @DisplayName("disk full (an 8 MiB tmpfs): no acknowledged write is lost, the service recovers once space is freed")
    void diskFull() throws Exception {
        mount = Files.createDirectories(directory.resolve("small"));
        assertThat(run("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", mount.toString()))
                .as("mounting a tmpfs (the drill runs as root)").isZero();
        Path db = mount.resolve("cinderblock.db");
        Path config = config(db, 0);
        ServiceProcess service = start("disk-full", config);
        int port = service.awaitPort(START);
        Path filler = mount.resolve("filler");
        Outcome outcome = writeWhile(port, () -> {
            try (OutputStream out = Files.newOutputStream(filler)) {
                byte[] block = new byte[16 * 1024];
                while (true) {
                    out.write(block);
                }
            } catch (IOException expected) {
                // ENOSPC: the disk is full now
            }
            sleep(3000);
        }, () -> { });
        Files.delete(filler);
        awaitStatus(port, "/readyz", 200, Duration.ofSeconds(20));
        assertSurvives(outcome, port);
        service.close();
        assertSurvives(outcome, start("disk-full-restarted", config).awaitPort(START));
    }

    @Test
    @DisplayName("port already in use: the process exits non-zero at once, naming the port")
    void portInUse() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Path config = config(directory.resolve("db/cinderblock.db"), taken.getLocalPort());
            ServiceProcess service = start("port-taken", config);
            assertThat(service.awaitExit(START)).isNotZero();
            assertThat(service.output()).contains(String.valueOf(taken.getLocalPort()));
        }
    }

    // ------------------------------------------------------------------ helpers

    /**
     * Writes distinct reasons to the backends in turn, one request at a time, while {@code fault}
     * runs, then runs {@code after} and stops at the first request that gets no answer (a write
     * answered 503 or 500 is refused, not lost).
     */
    private Outcome writeWhile(int port, Runnable fault, Runnable after) throws Exception {
        Outcome outcome = new Outcome();
        AtomicBoolean stop = new AtomicBoolean();
        Thread writer = new Thread(() -> {
            for (int i = 0; !stop.get() || i % BACKENDS.size() != 0; i++) {
                String backend = BACKENDS.get(i % BACKENDS.size());
                String reason = "write-" + i;
                int status = write(port, backend, reason);
                if (status == 200) {
                    outcome.acknowledged.put(backend, reason);
                    outcome.unanswered.remove(backend);
                    outcome.accepted++;
                } else if (status < 0) {
                    outcome.unanswered.put(backend, reason);
                    return;
                } else {
                    outcome.refused++;
                }
                if (stop.get() && i > 3 * BACKENDS.size()) {
                    return;
                }
            }
        });
        writer.start();
        sleep(300);
        fault.run();
        after.run();
        stop.set(true);
        writer.join(30_000);
        assertThat(writer.isAlive()).as("the writer still waits for an answer").isFalse();
        return outcome;
    }

    private void assertSurvives(Outcome outcome, int port) throws Exception {
        Map<String, String> stored = reasons(port);
        for (String backend : BACKENDS) {
            Set<String> allowed = new LinkedHashSet<>();
            allowed.add(outcome.acknowledged.get(backend));
            if (outcome.unanswered.containsKey(backend)) {
                allowed.add(outcome.unanswered.get(backend));
            }
            assertThat(allowed).as("backend %s: stored %s, acknowledged %s, unanswered %s", backend,
                    stored.get(backend), outcome.acknowledged, outcome.unanswered).contains(stored.get(backend));
        }
    }

    private int write(int port, String backend, String reason) {
        String body = "{\"host\": \"drill@" + backend + "\", \"binary\": \"cinder-volume\", \"disabled_reason\": \""
                + reason + "\"}";
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/v3/os-services/disable-log-reason")).header("X-Auth-Token", "admin:admin")
                    .header("OpenStack-API-Version", "volume 3.49").header("Content-Type", "application/json")
                    .timeout(Duration.ofSeconds(20)).PUT(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** Backend name to its stored disabled reason (null when none). */
    private Map<String, String> reasons(int port) throws Exception {
        HttpResponse<String> response = plain(port, "/v3/os-services");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        Map<String, String> reasons = new LinkedHashMap<>();
        for (JsonNode service : JSON.readTree(response.body()).get("services")) {
            String host = service.get("host").asText();
            if (host.startsWith("drill@")) {
                JsonNode reason = service.get("disabled_reason");
                reasons.put(host.substring(6), reason == null || reason.isNull() ? null : reason.asText());
            }
        }
        return reasons;
    }

    private void awaitStatus(int port, String path, int status, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        int last = -1;
        while (System.nanoTime() < deadline) {
            try {
                last = plain(port, path).statusCode();
            } catch (Exception e) {
                last = -1;
            }
            if (last == status) {
                return;
            }
            sleep(100);
        }
        throw new AssertionError(path + " answered " + last + ", not " + status + ", for " + timeout);
    }

    private HttpResponse<String> plain(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("X-Auth-Token", "admin:admin").header("OpenStack-API-Version", "volume 3.49")
                .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private Path config(Path db, int port) throws IOException {
        StringBuilder conf = new StringBuilder();
        conf.append("[DEFAULT]\nhost = drill\nenabled_backends = ").append(String.join(",", BACKENDS)).append('\n')
                .append("report_interval = 0.5\nservice_down_time = 3\n")
                .append("backend_state_interval = 0.5\nbackend_stats_polling_interval = 2\n")
                .append("osapi_volume_listen = 127.0.0.1\nosapi_volume_listen_port = ").append(port).append('\n')
                .append("[database]\nconnection = jdbc:sqlite:").append(db).append('\n');
        for (String backend : BACKENDS) {
            conf.append('[').append(backend).append("]\nvolume_driver = sim\nsim_host = 127.0.0.1\nsim_port = ")
                    .append(simulator.port()).append("\nsim_device = ").append(backend)
                    .append("\nsim_timeout = 300ms\n");
        }
        Path file = directory.resolve("drill-" + System.nanoTime() + ".conf");
        Files.writeString(file, conf, StandardCharsets.UTF_8);
        return file;
    }

    private ServiceProcess start(String name, Path config) {
        ServiceProcess process = ServiceProcess.start(name, config, "all", directory);
        processes.add(process);
        return process;
    }

    private static int run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getInputStream().readAllBytes();
        return process.waitFor();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
