package io.cinderblock.sdk.host.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import io.cinderblock.sdk.host.Backend;
import io.cinderblock.sdk.host.BackendRegistry;
import io.cinderblock.sdk.host.discovery.DriverRegistry;
import io.cinderblock.sdk.spi.VolumeSpec;
import io.cinderblock.sdk.testing.InMemoryDriverProvider;
import io.cinderblock.sdk.testing.PostgresTestDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("A Backend over a JDBC store: what it created is still known after a restart")
class BackendWithJdbcStoreTest {
    @TempDir
    Path directory;

    private static BackendRegistry registry(String url, Properties properties) {
        return BackendRegistry.builder().drivers(DriverRegistry.fromClassPath())
                .metadataStore(JdbcVolumeMetadataStore.forUrl(url, properties)).build();
    }

    @Test
    @DisplayName("on SQLite: volumes and snapshots created through the facade are read back after a restart")
    void survivesRestartOnSqlite() {
        survivesRestart("jdbc:sqlite:" + directory.resolve("backends.db"), new Properties(), "jdbc-");
    }

    @Test
    @DisplayName("on PostgreSQL: volumes and snapshots created through the facade are read back after a restart")
    void survivesRestartOnPostgres() throws Exception {
        PostgresTestDatabase database = PostgresTestDatabase.require();
        String prefix = "f" + UUID.randomUUID().toString().substring(0, 8) + "-";
        try {
            survivesRestart(database.url(), database.properties(), prefix);
        } finally {
            try (Connection c = database.connect()) {
                for (String table : new String[] {"cinderblock_volumes", "cinderblock_snapshots"}) {
                    try (PreparedStatement delete = c.prepareStatement(
                            "DELETE FROM " + table + " WHERE backend_name LIKE ?")) {
                        delete.setString(1, prefix + "%");
                        delete.executeUpdate();
                    }
                }
            }
        }
    }

    private static void survivesRestart(String url, Properties properties, String prefix) {
        VolumeRecord kept;
        SnapshotRecord snapshot;
        try (BackendRegistry first = registry(url, properties)) {
            Backend backend = first.open(prefix + "1", InMemoryDriverProvider.config());
            kept = backend.createVolume(VolumeSpec.of("kept", 2));
            VolumeRecord extended = backend.extendVolume("kept", 3);
            assertThat(backend.volume("kept")).contains(extended);
            kept = extended;
            backend.createVolume(VolumeSpec.of("dropped", 1));
            backend.deleteVolume("dropped");
            snapshot = backend.createSnapshot("kept");
        }

        try (BackendRegistry second = registry(url, properties)) {
            Backend backend = second.open(prefix + "1", InMemoryDriverProvider.config());
            assertThat(backend.volumes()).containsExactly(kept);
            assertThat(backend.snapshots()).containsExactly(snapshot);
            assertThat(second.open(prefix + "2", InMemoryDriverProvider.config()).volumes()).isEmpty();
        }
    }
}
