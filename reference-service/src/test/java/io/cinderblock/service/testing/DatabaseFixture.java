package io.cinderblock.service.testing;

import io.cinderblock.service.config.DatabaseSettings;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The databases the suite runs on: an SQLite file in a temp directory, or a fresh schema on the
 * real PostgreSQL named by {@code CINDERBLOCK_PG_URL}, {@code CINDERBLOCK_PG_USER} and {@code
 * CINDERBLOCK_PG_PASSWORD} (dropped on close, so reruns never collide).
 */
public final class DatabaseFixture implements AutoCloseable {
    private final DatabaseSettings settings;
    private final Optional<String> schema;

    private DatabaseFixture(DatabaseSettings settings, Optional<String> schema) {
        this.settings = settings;
        this.schema = schema;
    }

    /** An SQLite file under {@code directory}. */
    public static DatabaseFixture sqlite(Path directory) {
        return new DatabaseFixture(new DatabaseSettings("jdbc:sqlite:" + directory.resolve("cinderblock.db"),
                Optional.empty(), Optional.empty(), 1), Optional.empty());
    }

    /**
     * A new schema on the configured PostgreSQL. Without the variables: fails when {@code CI=true},
     * otherwise skips, saying how to start one.
     */
    public static DatabaseFixture postgresql(String purpose) {
        String url = System.getenv("CINDERBLOCK_PG_URL");
        String user = System.getenv("CINDERBLOCK_PG_USER");
        String password = System.getenv("CINDERBLOCK_PG_PASSWORD");
        if (url == null || user == null || password == null) {
            String message = "PostgreSQL tests need CINDERBLOCK_PG_URL, CINDERBLOCK_PG_USER and CINDERBLOCK_PG_PASSWORD;"
                    + " start one with 'bash .ci/start-postgres.sh' and 'source /tmp/cinderblock-pg/env'";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                Assertions.fail(message);
            }
            Assumptions.abort(message);
        }
        String schema = ("cb_" + purpose + "_" + UUID.randomUUID().toString().substring(0, 8))
                .toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot create schema " + schema + " on " + url + ": " + e.getMessage(), e);
        }
        String jdbc = url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema;
        return new DatabaseFixture(new DatabaseSettings(jdbc, Optional.of(user), Optional.of(password), 10),
                Optional.of(schema));
    }

    /** The settings to give the service. */
    public DatabaseSettings settings() {
        return settings;
    }

    @Override
    public void close() {
        if (schema.isEmpty()) {
            return;
        }
        String url = System.getenv("CINDERBLOCK_PG_URL");
        try (Connection c = DriverManager.getConnection(url, System.getenv("CINDERBLOCK_PG_USER"),
                System.getenv("CINDERBLOCK_PG_PASSWORD")); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema.get() + " CASCADE");
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot drop schema " + schema.get() + ": " + e.getMessage(), e);
        }
    }
}
