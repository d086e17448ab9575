package io.cinderblock.service.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.cinderblock.service.config.DatabaseSettings;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MigrationsTest {
    @TempDir
    Path directory;

    @Test
    void migratesOnceAndKeepsData() throws Exception {
        DatabaseSettings settings = new DatabaseSettings("jdbc:sqlite:" + directory.resolve("m.db"), Optional.empty(),
                Optional.empty(), 1);
        try (Database database = Database.open(settings)) {
            new ServiceStore(database).register("h@b", "cinder-volume", "nova", "disabled", Instant.now());
        }
        // Reopening runs the migrations again: nothing is applied twice and the rows stay.
        try (Database database = Database.open(settings)) {
            assertThat(Migrations.migrate(database)).isEqualTo(Migrations.latestVersion());
            try (Connection c = database.connection(); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM cb_schema_version")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(Migrations.latestVersion());
            }
            List<StoredService> services = new ServiceStore(database).services();
            assertThat(services).extracting(StoredService::host).containsExactly("h@b");
            assertThat(services.get(0).backendState()).isEmpty();
        }
    }

    @Test
    void upgradesAVersion2DatabaseKeepingItsRows() throws Exception {
        DatabaseSettings settings = new DatabaseSettings("jdbc:sqlite:" + directory.resolve("v2.db"), Optional.empty(),
                Optional.empty(), 1);
        // A database as a build with schema version 2 left it, with one reported backend.
        try (Connection c = java.sql.DriverManager.getConnection(settings.jdbcUrl()); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE cb_schema_version (version INTEGER PRIMARY KEY, description VARCHAR(200) NOT NULL,"
                    + " applied_at BIGINT NOT NULL)");
            for (Migrations.Step step : Migrations.STEPS.subList(0, 2)) {
                for (String sql : step.sqlite()) {
                    s.execute(sql);
                }
                s.execute("INSERT INTO cb_schema_version VALUES (" + step.version() + ", 'old', 0)");
            }
            s.execute("INSERT INTO cb_services (host, binary_name, zone, disabled, replication_status, created_at,"
                    + " updated_at) VALUES ('h@b', 'cinder-volume', 'nova', 0, 'disabled', 1, 2)");
            s.execute("INSERT INTO cb_backend_reports (service_id, backend_state, state_observed_at) VALUES (1, 'up', 3)");
            s.execute("INSERT INTO cb_agents (host, owner, node, pid, started_at, heartbeat_at)"
                    + " VALUES ('h', 'o', 'node-1', 42, 1, 2)");
        }
        try (Database database = Database.open(settings)) {
            assertThat(Migrations.latestVersion()).isEqualTo(3);
            ServiceStore store = new ServiceStore(database);
            StoredService row = store.services().get(0);
            assertThat(row.backendState()).hasValue("up");
            // Unknown before the upgrade: not invented.
            assertThat(row.stateChangedAt()).isEmpty();
            assertThat(row.pushLost()).isEmpty();
            assertThat(row.statsCheckedAt()).isEmpty();
            StoredAgent agent = store.hostClaims().agents().get(0);
            assertThat(agent.node()).isEqualTo("node-1");
            assertThat(agent.role()).isEmpty();
            assertThat(agent.statsInterval()).isEmpty();
            assertThat(store.health(java.time.Duration.ofSeconds(1))).isEmpty();
        }
    }
}
