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
}
