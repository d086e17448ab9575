package io.cinderblock.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.cinderblock.service.store.Database;
import io.cinderblock.service.store.ServiceStore;
import io.cinderblock.service.store.StoredService;
import io.cinderblock.service.testing.DatabaseFixture;
import io.cinderblock.service.testing.ServiceFixture;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stats round stores only what changed (issue 17, item 4): against a SIMULATED array, with the
 * fixture's 1 s stats interval, an unchanged device's stats are not rewritten round after round,
 * and a change on the device is stored by the next round.
 */
class StatsRoundTest {
    private static final Duration ROUNDS = Duration.ofSeconds(30);

    @TempDir
    Path directory;

    @Test
    void unchangedStatsAreNotRewrittenAndChangedOnesAre() {
        try (DatabaseFixture database = DatabaseFixture.sqlite(directory);
                ServiceFixture fixture = ServiceFixture.create(directory, database)) {
            fixture.simBackend("gold", Map.of("a", 100L)).start();
            ServiceFixture.await(ROUNDS, () -> stored(database), Optional::isPresent, "the first stats of gold to be stored");
            // The first round may run before the first probe and store another state reason; the
            // second stores the probe's reason. From then on the device's answers do not change.
            long settling = statsRounds(fixture);
            ServiceFixture.await(ROUNDS, () -> statsRounds(fixture), n -> n >= settling + 2, "two more stats rounds");
            Instant first = stored(database).orElseThrow().statsCollectedAt().orElseThrow();
            long rounds = statsRounds(fixture);

            // Three more rounds of a device whose figures did not change.
            ServiceFixture.await(ROUNDS, () -> statsRounds(fixture), n -> n >= rounds + 3,
                    "three more stats rounds of gold");
            assertThat(stored(database).orElseThrow().statsCollectedAt()).contains(first);

            // The device changes (a volume takes 10 of its 100 GiB): the next round stores it.
            simulator(fixture.simulatorPort(), "CREATE gold a vol-1 10");
            StoredService changed = ServiceFixture.await(ROUNDS, () -> stored(database),
                    row -> row.orElseThrow().statsJson().orElse("").contains("\"free_capacity_gb\":90"),
                    "the changed stats of gold to be stored").orElseThrow();
            assertThat(changed.statsCollectedAt().orElseThrow()).isAfter(first);
        }
    }

    private static Optional<StoredService> stored(DatabaseFixture database) {
        try (Database db = Database.open(database.settings())) {
            return new ServiceStore(db).services().stream()
                    .filter(s -> s.host().equals(ServiceFixture.HOST + "@gold") && s.statsCollectedAt().isPresent())
                    .findFirst();
        }
    }

    /** How many stats collections of gold the service counted (its Prometheus histogram). */
    private static long statsRounds(ServiceFixture fixture) {
        String metrics = fixture.get("/metrics", null).body();
        Matcher m = Pattern.compile("(?m)^cinderblock_stats_duration_seconds_count\\{[^}]*gold[^}]*\\} (\\d+)")
                .matcher(metrics);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    /** One command on the simulated array's own protocol. */
    private static void simulator(int port, String command) {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write((command + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            String answer = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
            assertThat(answer).as("the simulator's answer to %s", command).startsWith("OK");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
