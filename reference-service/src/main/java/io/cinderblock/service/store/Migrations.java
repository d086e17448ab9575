package io.cinderblock.service.store;

import io.cinderblock.service.config.DatabaseSettings;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;

/**
 * Versioned schema migrations, applied in order under a lock so that several processes starting
 * against one database (agents and API nodes starting together) cannot apply a step twice.
 *
 * <p>Hand-written instead of Flyway: the schema is two tables, Flyway's SQLite support lives in a
 * separate artifact the parent does not pin, and the lock we need is one statement per database:
 * PostgreSQL's transaction-scoped advisory lock, SQLite's {@code BEGIN IMMEDIATE} (the database's
 * write lock). Each step runs in the same transaction as its {@code cb_schema_version} row, so a
 * crash leaves either the old or the new version, never half of one.
 */
public final class Migrations {
    /** An arbitrary constant naming the migration lock among PostgreSQL advisory locks. */
    private static final long PG_LOCK_KEY = 0x63696e646572L;

    private static final String AGENTS_TABLE = "CREATE TABLE cb_agents ("
            + "host VARCHAR(255) PRIMARY KEY, "
            + "owner VARCHAR(255) NOT NULL, "
            + "node VARCHAR(255) NOT NULL, "
            + "pid BIGINT NOT NULL, "
            + "started_at BIGINT NOT NULL, "
            + "heartbeat_at BIGINT NOT NULL)";

    /** Step 3's columns (the same statements in both databases: declared before {@link #STEPS}). */
    private static final List<String> OPERATOR_VIEW = List.of(
            "ALTER TABLE cb_backend_reports ADD COLUMN state_changed_at BIGINT",
            "ALTER TABLE cb_backend_reports ADD COLUMN push_lost VARCHAR(1024)",
            "ALTER TABLE cb_backend_reports ADD COLUMN push_lost_at BIGINT",
            "ALTER TABLE cb_backend_reports ADD COLUMN stats_checked_at BIGINT",
            "ALTER TABLE cb_agents ADD COLUMN role VARCHAR(16)",
            "ALTER TABLE cb_agents ADD COLUMN version VARCHAR(64)",
            "ALTER TABLE cb_agents ADD COLUMN stats_interval_ms BIGINT");

    /** One step: a version, what it does, and its statements per database. */
    record Step(int version, String description, List<String> sqlite, List<String> postgresql) {}

    static final List<Step> STEPS = List.of(
            new Step(1, "services and backend reports",
                    List.of("CREATE TABLE cb_services ("
                                    + "id INTEGER PRIMARY KEY AUTOINCREMENT, "
                                    + "host VARCHAR(255) NOT NULL, "
                                    + "binary_name VARCHAR(255) NOT NULL, "
                                    + "zone VARCHAR(255) NOT NULL, "
                                    + "disabled INTEGER NOT NULL DEFAULT 0, "
                                    + "disabled_reason VARCHAR(255), "
                                    + "replication_status VARCHAR(36) NOT NULL, "
                                    + "created_at BIGINT NOT NULL, "
                                    + "updated_at BIGINT NOT NULL, "
                                    + "UNIQUE (host, binary_name))",
                            "CREATE TABLE cb_backend_reports ("
                                    + "service_id INTEGER PRIMARY KEY REFERENCES cb_services(id) ON DELETE CASCADE, "
                                    + "backend_state VARCHAR(8), "
                                    + "state_reason VARCHAR(1024), "
                                    + "state_observed_at BIGINT, "
                                    + "stats_json TEXT, "
                                    + "stats_collected_at BIGINT)"),
                    List.of("CREATE TABLE cb_services ("
                                    + "id BIGSERIAL PRIMARY KEY, "
                                    + "host VARCHAR(255) NOT NULL, "
                                    + "binary_name VARCHAR(255) NOT NULL, "
                                    + "zone VARCHAR(255) NOT NULL, "
                                    + "disabled INTEGER NOT NULL DEFAULT 0, "
                                    + "disabled_reason VARCHAR(255), "
                                    + "replication_status VARCHAR(36) NOT NULL, "
                                    + "created_at BIGINT NOT NULL, "
                                    + "updated_at BIGINT NOT NULL, "
                                    + "UNIQUE (host, binary_name))",
                            "CREATE TABLE cb_backend_reports ("
                                    + "service_id BIGINT PRIMARY KEY REFERENCES cb_services(id) ON DELETE CASCADE, "
                                    + "backend_state VARCHAR(8), "
                                    + "state_reason VARCHAR(1024), "
                                    + "state_observed_at BIGINT, "
                                    + "stats_json TEXT, "
                                    + "stats_collected_at BIGINT)")),
            // Scale-out: one lease row per agent host, so two agents claiming one host are refused.
            new Step(2, "agent host leases",
                    List.of(AGENTS_TABLE),
                    List.of(AGENTS_TABLE)),
            // The operator's view, recorded by the agents so that every API node and every restart
            // shows the same: when a backend's state last changed, a lost push channel, when stats
            // were last collected, and which node, role and version an agent is. Plain ADD COLUMN
            // (nullable, no default) is one statement in both databases and rewrites no row.
            new Step(3, "state transitions, push channel, stats checks, agent identity",
                    OPERATOR_VIEW,
                    OPERATOR_VIEW));

    private Migrations() {}

    /** The newest schema version this build knows. */
    public static int latestVersion() {
        return STEPS.get(STEPS.size() - 1).version();
    }

    /** Applies the missing steps; returns the schema version afterwards. */
    static int migrate(Database database) {
        boolean sqlite = database.kind() == DatabaseSettings.Kind.SQLITE;
        try (Connection connection = database.connection()) {
            if (sqlite) {
                connection.setAutoCommit(true);
                try (Statement s = connection.createStatement()) {
                    s.execute("BEGIN IMMEDIATE");
                }
            } else {
                connection.setAutoCommit(false);
                try (PreparedStatement lock = connection.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
                    lock.setLong(1, PG_LOCK_KEY);
                    lock.execute();
                }
            }
            try {
                int current = currentVersion(connection);
                if (current > latestVersion()) {
                    throw new StoreException("The database schema is at version " + current + " but this build only"
                            + " knows up to " + latestVersion() + ": run a newer cinderblock", null);
                }
                for (Step step : STEPS) {
                    if (step.version() <= current) {
                        continue;
                    }
                    try (Statement s = connection.createStatement()) {
                        for (String sql : sqlite ? step.sqlite() : step.postgresql()) {
                            s.execute(sql);
                        }
                    }
                    try (PreparedStatement insert = connection.prepareStatement(
                            "INSERT INTO cb_schema_version (version, description, applied_at) VALUES (?, ?, ?)")) {
                        insert.setInt(1, step.version());
                        insert.setString(2, step.description());
                        insert.setLong(3, Instant.now().toEpochMilli());
                        insert.executeUpdate();
                    }
                    current = step.version();
                }
                commit(connection, sqlite);
                return current;
            } catch (SQLException | RuntimeException e) {
                rollback(connection, sqlite);
                throw e;
            }
        } catch (SQLException e) {
            throw new StoreException("Schema migration failed on " + database.settings() + ": " + e.getMessage(), e);
        }
    }

    private static int currentVersion(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS cb_schema_version (version INTEGER PRIMARY KEY, "
                    + "description VARCHAR(200) NOT NULL, applied_at BIGINT NOT NULL)");
            try (ResultSet rs = s.executeQuery("SELECT COALESCE(MAX(version), 0) FROM cb_schema_version")) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    private static void commit(Connection connection, boolean sqlite) throws SQLException {
        if (sqlite) {
            try (Statement s = connection.createStatement()) {
                s.execute("COMMIT");
            }
        } else {
            connection.commit();
            connection.setAutoCommit(true);
        }
    }

    private static void rollback(Connection connection, boolean sqlite) {
        try {
            if (sqlite) {
                try (Statement s = connection.createStatement()) {
                    s.execute("ROLLBACK");
                }
            } else {
                connection.rollback();
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            // The original failure matters more; closing the connection ends the transaction anyway.
        }
    }
}
