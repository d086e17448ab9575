package io.cinderblock.sdk.host.metadata;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.List;
import java.util.Locale;

/**
 * Ordered, versioned schema steps applied under a database lock, so that several processes opening
 * one database at once apply each step exactly once: PostgreSQL's transaction-scoped advisory lock,
 * SQLite's {@code BEGIN IMMEDIATE} (its write lock). Each step commits together with its row in the
 * version table, so a crash leaves the old version or the new one, never half of one. The same
 * design as the reference service's migrations; kept package-private until the service shares it.
 */
final class SchemaMigrations {
    /** Which SQL a step runs on each supported database. */
    enum Dialect {
        SQLITE,
        POSTGRESQL;

        static Dialect of(Connection connection) throws SQLException {
            String product = connection.getMetaData().getDatabaseProductName();
            String lower = product == null ? "" : product.toLowerCase(Locale.ROOT);
            if (lower.contains("sqlite")) {
                return SQLITE;
            }
            if (lower.contains("postgresql")) {
                return POSTGRESQL;
            }
            throw new SQLException("Unsupported database '" + product + "': the volume metadata store supports"
                    + " SQLite and PostgreSQL");
        }
    }

    /** One step: its version (1, 2, ...), what it does, and its statements per database. */
    record Step(int version, String description, List<String> sqlite, List<String> postgresql) {
        Step {
            requireNonNull(description, "description is null");
            sqlite = List.copyOf(sqlite);
            postgresql = List.copyOf(postgresql);
        }

        List<String> statements(Dialect dialect) {
            return dialect == Dialect.SQLITE ? sqlite : postgresql;
        }
    }

    private final String versionTable;
    private final long lockKey;
    private final List<Step> steps;
    private final Clock clock;

    /**
     * @param versionTable the table that records applied steps
     * @param lockKey the PostgreSQL advisory lock key naming this schema's migration lock
     * @param steps versions 1, 2, ... in order
     */
    SchemaMigrations(String versionTable, long lockKey, List<Step> steps, Clock clock) {
        this.versionTable = requireNonNull(versionTable, "versionTable is null");
        this.lockKey = lockKey;
        this.steps = List.copyOf(steps);
        this.clock = requireNonNull(clock, "clock is null");
        for (int i = 0; i < this.steps.size(); i++) {
            if (this.steps.get(i).version() != i + 1) {
                throw new IllegalArgumentException("Step " + (i + 1) + " has version " + this.steps.get(i).version());
            }
        }
    }

    /** The newest version these steps reach. */
    int latestVersion() {
        return steps.size();
    }

    /**
     * Applies the missing steps on {@code connection} (which the caller closes) and returns the
     * schema version afterwards.
     *
     * @throws SQLException on a database failure, an unsupported database, or a schema newer than
     *     these steps know
     */
    int migrate(Connection connection) throws SQLException {
        Dialect dialect = Dialect.of(connection);
        boolean autoCommit = connection.getAutoCommit();
        lock(connection, dialect);
        try {
            int current = currentVersion(connection);
            if (current > latestVersion()) {
                throw new SQLException("The volume metadata schema is at version " + current + " but this build only"
                        + " knows up to " + latestVersion() + ": run a newer cinderblock");
            }
            for (Step step : steps.subList(current, steps.size())) {
                try (Statement s = connection.createStatement()) {
                    for (String sql : step.statements(dialect)) {
                        s.execute(sql);
                    }
                }
                try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + versionTable
                        + " (version, description, applied_at_ms) VALUES (?, ?, ?)")) {
                    insert.setInt(1, step.version());
                    insert.setString(2, step.description());
                    insert.setLong(3, clock.millis());
                    insert.executeUpdate();
                }
                current = step.version();
            }
            commit(connection, dialect);
            return current;
        } catch (SQLException | RuntimeException e) {
            rollback(connection, dialect, e);
            throw e;
        } finally {
            if (!connection.isClosed()) {
                connection.setAutoCommit(autoCommit);
            }
        }
    }

    /** The version recorded in {@code connection}'s database; 0 if none (unversioned or empty). */
    int currentVersion(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS " + versionTable + " (version INTEGER PRIMARY KEY,"
                    + " description VARCHAR(200) NOT NULL, applied_at_ms BIGINT NOT NULL)");
            try (ResultSet rs = s.executeQuery("SELECT COALESCE(MAX(version), 0) FROM " + versionTable)) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    private void lock(Connection connection, Dialect dialect) throws SQLException {
        if (dialect == Dialect.SQLITE) {
            // The driver must not open its own transaction around ours.
            connection.setAutoCommit(true);
            try (Statement s = connection.createStatement()) {
                s.execute("BEGIN IMMEDIATE");
            }
        } else {
            connection.setAutoCommit(false);
            try (PreparedStatement lock = connection.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
                lock.setLong(1, lockKey);
                lock.execute();
            }
        }
    }

    private static void commit(Connection connection, Dialect dialect) throws SQLException {
        if (dialect == Dialect.SQLITE) {
            try (Statement s = connection.createStatement()) {
                s.execute("COMMIT");
            }
        } else {
            connection.commit(); // also releases the advisory lock
        }
    }

    private static void rollback(Connection connection, Dialect dialect, Exception failure) {
        try {
            if (dialect == Dialect.SQLITE) {
                if (!connection.isClosed()) {
                    try (Statement s = connection.createStatement()) {
                        s.execute("ROLLBACK");
                    }
                }
            } else {
                connection.rollback();
            }
        } catch (SQLException rollbackFailure) {
            failure.addSuppressed(rollbackFailure);
        }
    }
}
