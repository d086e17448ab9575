package io.cinderblock.service.store;

import static java.util.Objects.requireNonNull;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.cinderblock.service.config.DatabaseSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * A pooled connection to SQLite or PostgreSQL (HikariCP), with the schema migrated on open.
 *
 * <p>SQLite gets a single connection: it has one writer anyway, and one connection makes its
 * locking trivial. Its file's directory is created if missing, and it runs in WAL mode so readers
 * never wait for the heartbeat writer.
 */
public final class Database implements AutoCloseable {
    private final DatabaseSettings settings;
    private final HikariDataSource dataSource;

    private Database(DatabaseSettings settings, HikariDataSource dataSource) {
        this.settings = settings;
        this.dataSource = dataSource;
    }

    /** Opens the pool and brings the schema to the latest version. */
    public static Database open(DatabaseSettings settings) {
        requireNonNull(settings, "settings is null");
        HikariConfig config = new HikariConfig();
        config.setPoolName("cinderblock-db");
        config.setJdbcUrl(settings.jdbcUrl());
        settings.user().ifPresent(config::setUsername);
        settings.password().ifPresent(config::setPassword);
        config.setConnectionTimeout(10_000);
        config.setInitializationFailTimeout(10_000);
        if (settings.kind() == DatabaseSettings.Kind.SQLITE) {
            Path file = settings.sqliteFile().orElseThrow();
            Path parent = file.toAbsolutePath().getParent();
            try {
                if (parent != null) {
                    Files.createDirectories(parent);
                }
            } catch (IOException e) {
                throw new StoreException("Cannot create the directory of SQLite database " + file + ": " + e, e);
            }
            config.setMaximumPoolSize(1);
            config.addDataSourceProperty("journal_mode", "WAL");
            config.addDataSourceProperty("busy_timeout", "10000");
            config.setConnectionInitSql("PRAGMA foreign_keys = ON");
        } else {
            config.setMaximumPoolSize(settings.maxPoolSize());
        }
        HikariDataSource dataSource;
        try {
            dataSource = new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new StoreException("Cannot connect to " + settings + ": " + e.getMessage(), e);
        }
        Database database = new Database(settings, dataSource);
        try {
            Migrations.migrate(database);
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
        return database;
    }

    /** Which database this is. */
    public DatabaseSettings.Kind kind() {
        return settings.kind();
    }

    /** The settings it was opened with (the password stays masked in {@code toString}). */
    public DatabaseSettings settings() {
        return settings;
    }

    /** A pooled connection; the caller closes it. */
    public Connection connection() throws SQLException {
        return dataSource.getConnection();
    }

    /** The pool, for callers that need a {@link DataSource}. */
    public DataSource dataSource() {
        return dataSource;
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
