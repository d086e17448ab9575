package io.cinderblock.sdk.host.metadata;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.ApiStatus;
import io.cinderblock.sdk.error.CinderblockException;
import io.cinderblock.sdk.error.ErrorCode;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import javax.sql.DataSource;

/**
 * A {@link VolumeMetadataStore} in a relational database, through plain JDBC. Tested with SQLite
 * (a file: {@code jdbc:sqlite:/var/lib/app/volumes.db}) and PostgreSQL. The two tables, {@code
 * cinderblock_volumes} and {@code cinderblock_snapshots}, carry a schema version in {@code
 * cinderblock_metadata_schema}: on first use the store applies the missing steps in order under a
 * database lock (PostgreSQL advisory lock, SQLite {@code BEGIN IMMEDIATE}), so several processes
 * may open one database at once; a database of 0.1 (tables, no version) is adopted as version 1.
 * Writes use {@code INSERT ... ON CONFLICT DO UPDATE}, which both databases support.
 *
 * <p>Each call takes a connection from the {@link ConnectionSource} and closes it, so pass a
 * pooled {@link DataSource} where calls are frequent. Every write commits before returning.
 */
@ApiStatus(value = ApiStatus.Status.STABLE, since = "0.1")
public final class JdbcVolumeMetadataStore implements VolumeMetadataStore {
    private static final String VOLUMES_V1 = "CREATE TABLE IF NOT EXISTS cinderblock_volumes ("
            + " backend_name VARCHAR(255) NOT NULL, id VARCHAR(64) NOT NULL, name VARCHAR(255) NOT NULL,"
            + " size_gib BIGINT NOT NULL, pool_name VARCHAR(255), provider_location VARCHAR(4096),"
            + " source_id VARCHAR(64), status VARCHAR(16) NOT NULL,"
            + " created_at_ms BIGINT NOT NULL, updated_at_ms BIGINT NOT NULL,"
            + " PRIMARY KEY (backend_name, id))";
    private static final String SNAPSHOTS_V1 = "CREATE TABLE IF NOT EXISTS cinderblock_snapshots ("
            + " backend_name VARCHAR(255) NOT NULL, id VARCHAR(64) NOT NULL, name VARCHAR(255) NOT NULL,"
            + " volume_id VARCHAR(64) NOT NULL, size_gib BIGINT NOT NULL, provider_location VARCHAR(4096),"
            + " status VARCHAR(16) NOT NULL, created_at_ms BIGINT NOT NULL, updated_at_ms BIGINT NOT NULL,"
            + " PRIMARY KEY (backend_name, id))";
    private static final String SNAPSHOTS_BY_VOLUME = "CREATE INDEX IF NOT EXISTS cinderblock_snapshots_by_volume"
            + " ON cinderblock_snapshots (backend_name, volume_id)";
    /** The table that records applied schema steps. */
    static final String VERSION_TABLE = "cinderblock_metadata_schema";

    /** Where connections come from. */
    @FunctionalInterface
    public interface ConnectionSource {
        /**
         * A new (or pooled) connection; the store closes it after each call. Called on the thread
         * of the store operation, once per operation.
         *
         * @return an open connection
         * @throws SQLException if none can be had; the store reports it as {@code
         *     METADATA_STORE_FAILED}
         */
        Connection connection() throws SQLException;
    }

    /** Names this store's migration lock among PostgreSQL advisory locks (the service uses another key). */
    private static final long MIGRATION_LOCK_KEY = 0x63627374_6f726531L;

    /** The schema's steps, in order. Add new ones at the end; never edit a step that has shipped. */
    static final List<SchemaMigrations.Step> STEPS = List.of(
            // Version 1 is the schema of 0.1, which had no version table: IF NOT EXISTS adopts such a database.
            new SchemaMigrations.Step(1, "volume and snapshot records", List.of(VOLUMES_V1, SNAPSHOTS_V1),
                    List.of(VOLUMES_V1, SNAPSHOTS_V1)),
            // deleteVolume lists a volume's snapshots on every call.
            new SchemaMigrations.Step(2, "index of snapshots by volume", List.of(SNAPSHOTS_BY_VOLUME),
                    List.of(SNAPSHOTS_BY_VOLUME)));

    private final ConnectionSource connections;
    private final SchemaMigrations migrations = new SchemaMigrations(VERSION_TABLE, MIGRATION_LOCK_KEY, STEPS,
            Clock.systemUTC());
    private volatile boolean schemaReady;

    /**
     * A store over connections from {@code connections}. Connects lazily: the schema is migrated
     * on the first call (or {@link #migrate()}).
     *
     * @param connections where connections come from
     */
    public JdbcVolumeMetadataStore(ConnectionSource connections) {
        this.connections = requireNonNull(connections, "connections is null");
    }

    /**
     * A store over a {@link DataSource}, e.g. a connection pool (which the caller closes).
     *
     * @param dataSource the data source
     * @return a new store
     */
    public static JdbcVolumeMetadataStore fromDataSource(DataSource dataSource) {
        requireNonNull(dataSource, "dataSource is null");
        return new JdbcVolumeMetadataStore(dataSource::getConnection);
    }

    /**
     * A store over {@link DriverManager} connections to {@code url}; {@code properties} carries
     * {@code user} and {@code password} where the database needs them (copied: later changes to
     * {@code properties} are not seen). The JDBC driver must be on the class path.
     *
     * @param url a {@code jdbc:sqlite:} or {@code jdbc:postgresql:} URL
     * @param properties connection properties
     * @return a new store
     */
    public static JdbcVolumeMetadataStore forUrl(String url, Properties properties) {
        requireNonNull(url, "url is null");
        Properties copy = new Properties();
        copy.putAll(requireNonNull(properties, "properties is null"));
        return new JdbcVolumeMetadataStore(() -> DriverManager.getConnection(url, copy));
    }

    @Override
    public void putVolume(VolumeRecord r) {
        update("INSERT INTO cinderblock_volumes (backend_name, id, name, size_gib, pool_name, provider_location,"
                + " source_id, status, created_at_ms, updated_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                + " ON CONFLICT (backend_name, id) DO UPDATE SET name = excluded.name, size_gib = excluded.size_gib,"
                + " pool_name = excluded.pool_name, provider_location = excluded.provider_location,"
                + " source_id = excluded.source_id, status = excluded.status, updated_at_ms = excluded.updated_at_ms",
                r.backendName(), r.id(), r.name(), r.sizeGib(), r.poolName().orElse(null),
                r.providerLocation().orElse(null), r.sourceId().orElse(null), r.status().name(),
                r.createdAt().toEpochMilli(), r.updatedAt().toEpochMilli());
    }

    @Override
    public Optional<VolumeRecord> volume(String backendName, String id) {
        List<VolumeRecord> found = queryVolumes("WHERE backend_name = ? AND id = ?", backendName, id);
        return found.stream().findFirst();
    }

    @Override
    public List<VolumeRecord> volumes(String backendName) {
        // Sorted here, not by the database: its collation would order equal-time ids by locale.
        List<VolumeRecord> rows = queryVolumes("WHERE backend_name = ?", backendName);
        rows.sort(Comparator.comparing(VolumeRecord::createdAt).thenComparing(VolumeRecord::id));
        return rows;
    }

    @Override
    public void removeVolume(String backendName, String id) {
        update("DELETE FROM cinderblock_volumes WHERE backend_name = ? AND id = ?", backendName, id);
    }

    @Override
    public void putSnapshot(SnapshotRecord r) {
        update("INSERT INTO cinderblock_snapshots (backend_name, id, name, volume_id, size_gib, provider_location,"
                + " status, created_at_ms, updated_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                + " ON CONFLICT (backend_name, id) DO UPDATE SET name = excluded.name, volume_id = excluded.volume_id,"
                + " size_gib = excluded.size_gib, provider_location = excluded.provider_location,"
                + " status = excluded.status, updated_at_ms = excluded.updated_at_ms",
                r.backendName(), r.id(), r.name(), r.volumeId(), r.sizeGib(), r.providerLocation().orElse(null),
                r.status().name(), r.createdAt().toEpochMilli(), r.updatedAt().toEpochMilli());
    }

    @Override
    public Optional<SnapshotRecord> snapshot(String backendName, String id) {
        return querySnapshots("WHERE backend_name = ? AND id = ?", backendName, id).stream().findFirst();
    }

    @Override
    public List<SnapshotRecord> snapshots(String backendName) {
        List<SnapshotRecord> rows = querySnapshots("WHERE backend_name = ?", backendName);
        rows.sort(Comparator.comparing(SnapshotRecord::createdAt).thenComparing(SnapshotRecord::id));
        return rows;
    }

    @Override
    public void removeSnapshot(String backendName, String id) {
        update("DELETE FROM cinderblock_snapshots WHERE backend_name = ? AND id = ?", backendName, id);
    }

    private List<VolumeRecord> queryVolumes(String where, Object... args) {
        return query("SELECT backend_name, id, name, size_gib, pool_name, provider_location, source_id, status,"
                + " created_at_ms, updated_at_ms FROM cinderblock_volumes " + where, rs -> new VolumeRecord(
                        rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4),
                        Optional.ofNullable(rs.getString(5)), Optional.ofNullable(rs.getString(6)),
                        Optional.ofNullable(rs.getString(7)), RecordStatus.valueOf(rs.getString(8)),
                        Instant.ofEpochMilli(rs.getLong(9)), Instant.ofEpochMilli(rs.getLong(10))), args);
    }

    private List<SnapshotRecord> querySnapshots(String where, Object... args) {
        return query("SELECT backend_name, id, name, volume_id, size_gib, provider_location, status,"
                + " created_at_ms, updated_at_ms FROM cinderblock_snapshots " + where, rs -> new SnapshotRecord(
                        rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getLong(5),
                        Optional.ofNullable(rs.getString(6)), RecordStatus.valueOf(rs.getString(7)),
                        Instant.ofEpochMilli(rs.getLong(8)), Instant.ofEpochMilli(rs.getLong(9))), args);
    }

    @FunctionalInterface
    private interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    private <T> List<T> query(String sql, RowMapper<T> mapper, Object... args) {
        try (Connection c = open(); PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, args);
            List<T> rows = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(mapper.map(rs));
                }
            }
            return rows;
        } catch (SQLException e) {
            throw failed("read", e);
        }
    }

    private void update(String sql, Object... args) {
        try (Connection c = open(); PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, args);
            ps.executeUpdate();
            if (!c.getAutoCommit()) {
                c.commit();
            }
        } catch (SQLException e) {
            throw failed("write", e);
        }
    }

    private Connection open() throws SQLException {
        Connection c = connections.connection();
        if (!schemaReady) {
            createSchema(c);
        }
        return c;
    }

    private synchronized void createSchema(Connection c) throws SQLException {
        if (schemaReady) {
            return;
        }
        try {
            migrations.migrate(c);
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
        schemaReady = true;
    }

    /**
     * Brings the database's schema to {@link #latestSchemaVersion()} now (otherwise the first call
     * does) and returns the version. Safe to call from several processes at once.
     *
     * @throws CinderblockException {@link ErrorCode#METADATA_STORE_FAILED} if the database fails, is
     *     not SQLite or PostgreSQL, or carries a newer schema than this build knows
     * @return the schema version the database has now
     */
    public int migrate() {
        try (Connection c = open()) {
            return migrations.currentVersion(c);
        } catch (SQLException e) {
            throw failed("migrate the schema", e);
        }
    }

    /**
     * The schema version this build writes.
     *
     * @return the number of schema steps
     */
    public static int latestSchemaVersion() {
        return STEPS.size();
    }

    private static void bind(PreparedStatement ps, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            Object arg = args[i];
            if (arg == null) {
                ps.setNull(i + 1, Types.VARCHAR);
            } else if (arg instanceof Long) {
                ps.setLong(i + 1, (Long) arg);
            } else {
                ps.setString(i + 1, arg.toString());
            }
        }
    }

    private static CinderblockException failed(String what, SQLException e) {
        return new CinderblockException(ErrorCode.METADATA_STORE_FAILED,
                "Volume metadata store failed to " + what + ": " + e.getMessage(), e);
    }
}
