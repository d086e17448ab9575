package io.cinderblock.sdk.host.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.cinderblock.sdk.error.CinderblockException;
import io.cinderblock.sdk.error.ErrorCode;
import io.cinderblock.sdk.testing.PostgresTestDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("JdbcVolumeMetadataStore keeps a schema version and migrates under a lock")
class JdbcSchemaMigrationTest {
    /** The 0.1 schema exactly as it shipped: two tables and no version table. */
    private static final List<String> UNVERSIONED_0_1 = List.of(
            "CREATE TABLE IF NOT EXISTS cinderblock_volumes ("
                    + " backend_name VARCHAR(255) NOT NULL, id VARCHAR(64) NOT NULL, name VARCHAR(255) NOT NULL,"
                    + " size_gib BIGINT NOT NULL, pool_name VARCHAR(255), provider_location VARCHAR(4096),"
                    + " source_id VARCHAR(64), status VARCHAR(16) NOT NULL,"
                    + " created_at_ms BIGINT NOT NULL, updated_at_ms BIGINT NOT NULL,"
                    + " PRIMARY KEY (backend_name, id))",
            "CREATE TABLE IF NOT EXISTS cinderblock_snapshots ("
                    + " backend_name VARCHAR(255) NOT NULL, id VARCHAR(64) NOT NULL, name VARCHAR(255) NOT NULL,"
                    + " volume_id VARCHAR(64) NOT NULL, size_gib BIGINT NOT NULL, provider_location VARCHAR(4096),"
                    + " status VARCHAR(16) NOT NULL, created_at_ms BIGINT NOT NULL, updated_at_ms BIGINT NOT NULL,"
                    + " PRIMARY KEY (backend_name, id))",
            "INSERT INTO cinderblock_volumes VALUES ('old', 'vol-1', 'volume-vol-1', 5, 'pool-a', 'lun-9', NULL,"
                    + " 'AVAILABLE', 1700000000000, 1700000000000)");

    /** One database both suites run the same checks on. */
    abstract static class Checks {
        abstract JdbcVolumeMetadataStore store();

        abstract Connection connect() throws SQLException;

        @Test
        @DisplayName("a 0.1 database (tables, no version) is adopted and upgraded, its records intact")
        void upgradeFromUnversioned() throws Exception {
            try (Connection c = connect(); Statement s = c.createStatement()) {
                for (String sql : UNVERSIONED_0_1) {
                    s.execute(sql);
                }
            }
            try (JdbcVolumeMetadataStore store = store()) {
                assertThat(store.volumes("old")).singleElement().satisfies(v -> {
                    assertThat(v.id()).isEqualTo("vol-1");
                    assertThat(v.providerLocation()).contains("lun-9");
                    assertThat(v.createdAt()).isEqualTo(Instant.ofEpochMilli(1700000000000L));
                });
                assertThat(store.migrate()).isEqualTo(JdbcVolumeMetadataStore.latestSchemaVersion()).isEqualTo(2);
            }
            assertThat(appliedVersions()).containsExactly(1, 2);
        }

        @Test
        @DisplayName("six stores migrating one empty database at once apply each step exactly once")
        void concurrentMigrations() throws Exception {
            int stores = 6;
            ExecutorService threads = Executors.newFixedThreadPool(stores);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Integer>> results = new ArrayList<>();
            List<JdbcVolumeMetadataStore> opened = new ArrayList<>();
            try {
                for (int i = 0; i < stores; i++) {
                    JdbcVolumeMetadataStore store = store();
                    opened.add(store);
                    results.add(threads.submit(() -> {
                        start.await();
                        return store.migrate();
                    }));
                }
                start.countDown();
                for (Future<Integer> result : results) {
                    assertThat(result.get(60, TimeUnit.SECONDS)).isEqualTo(2);
                }
            } finally {
                threads.shutdownNow();
                opened.forEach(JdbcVolumeMetadataStore::close);
            }
            assertThat(appliedVersions()).containsExactly(1, 2);
            try (JdbcVolumeMetadataStore store = store()) {
                VolumeRecord record = new VolumeRecord("b", "v", "volume-v", 1, Optional.empty(), Optional.empty(),
                        Optional.empty(), RecordStatus.AVAILABLE, Instant.EPOCH, Instant.EPOCH);
                store.putVolume(record);
                assertThat(store.volume("b", "v")).contains(record);
            }
        }

        @Test
        @DisplayName("a schema newer than this build is refused, naming both versions")
        void newerSchemaRefused() throws Exception {
            try (JdbcVolumeMetadataStore store = store()) {
                store.migrate();
            }
            try (Connection c = connect(); Statement s = c.createStatement()) {
                s.execute("INSERT INTO " + JdbcVolumeMetadataStore.VERSION_TABLE
                        + " (version, description, applied_at_ms) VALUES (99, 'from the future', 0)");
            }
            try (JdbcVolumeMetadataStore store = store()) {
                CinderblockException e = catchThrowableOfType(CinderblockException.class, store::migrate);
                assertThat(e.code()).isEqualTo(ErrorCode.METADATA_STORE_FAILED);
                assertThat(e).hasMessageContaining("version 99").hasMessageContaining("up to 2");
            }
        }

        private List<Integer> appliedVersions() throws SQLException {
            List<Integer> versions = new ArrayList<>();
            try (Connection c = connect(); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT version FROM " + JdbcVolumeMetadataStore.VERSION_TABLE
                            + " ORDER BY version")) {
                while (rs.next()) {
                    versions.add(rs.getInt(1));
                }
            }
            return versions;
        }
    }

    @Nested
    @DisplayName("on SQLite (a temp file)")
    class Sqlite extends Checks {
        @TempDir
        Path directory;

        private String url() {
            return "jdbc:sqlite:" + directory.resolve("volumes.db");
        }

        @Override
        JdbcVolumeMetadataStore store() {
            return JdbcVolumeMetadataStore.forUrl(url(), new Properties());
        }

        @Override
        Connection connect() throws SQLException {
            return DriverManager.getConnection(url());
        }
    }

    @Nested
    @DisplayName("on PostgreSQL (a fresh schema per test)")
    class Postgres extends Checks {
        private final PostgresTestDatabase database = PostgresTestDatabase.require();
        private final String schema = "cb_migration_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12)
                .toLowerCase(Locale.ROOT);

        Postgres() throws SQLException {
            try (Connection c = database.connect(); Statement s = c.createStatement()) {
                s.execute("CREATE SCHEMA " + schema);
            }
        }

        @AfterEach
        void dropSchema() throws SQLException {
            try (Connection c = database.connect(); Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA " + schema + " CASCADE");
            }
        }

        private Properties properties() {
            Properties properties = database.properties();
            properties.setProperty("currentSchema", schema);
            return properties;
        }

        @Override
        JdbcVolumeMetadataStore store() {
            return JdbcVolumeMetadataStore.forUrl(database.url(), properties());
        }

        @Override
        Connection connect() throws SQLException {
            return DriverManager.getConnection(database.url(), properties());
        }
    }
}
