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
 * cinderblock_volumes} and {@code cinderblock_snapshots}, are created on first use if missing;
 * writes use {@code INSERT ... ON CONFLICT DO UPDATE}, which both databases support.
 *
 * <p>Each call takes a connection from the {@link ConnectionSource} and closes it, so pass a
 * pooled {@link DataSource} where calls are frequent. Every write commits before returning.
 */
@ApiStatus(value = ApiStatus.Status.STABLE, since = "0.1")
public final class JdbcVolumeMetadataStore implements VolumeMetadataStore {

    /** Where connections come from. */
    @FunctionalInterface
    public interface ConnectionSource {
        /** A new (or pooled) connection; the store closes it. */
        Connection connection() throws SQLException;
    }

    private static final String[] SCHEMA = {
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
                + " PRIMARY KEY (backend_name, id))"
    };

    private final ConnectionSource connections;
    private volatile boolean schemaReady;

    /** A store over connections from {@code connections}. */
    public JdbcVolumeMetadataStore(ConnectionSource connections) {
        this.connections = requireNonNull(connections, "connections is null");
    }

    /** A store over a {@link DataSource}, e.g. a connection pool. */
    public static JdbcVolumeMetadataStore fromDataSource(DataSource dataSource) {
        requireNonNull(dataSource, "dataSource is null");
        return new JdbcVolumeMetadataStore(dataSource::getConnection);
    }

    /**
     * A store over {@link DriverManager} connections to {@code url}; {@code properties} carries
     * {@code user} and {@code password} where the database needs them.
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
        try (Statement s = c.createStatement()) {
            for (String ddl : SCHEMA) {
                s.execute(ddl);
            }
            if (!c.getAutoCommit()) {
                c.commit();
            }
        } catch (SQLException e) {
            c.close();
            throw e;
        }
        schemaReady = true;
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
