package io.cinderblock.sdk.testing;

import io.cinderblock.sdk.ApiStatus;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The real PostgreSQL server the tests use, from {@code CINDERBLOCK_PG_URL}, {@code
 * CINDERBLOCK_PG_USER} and {@code CINDERBLOCK_PG_PASSWORD} (written by {@code
 * .ci/start-postgres.sh}). Without them, a test fails when {@code CI=true} and is skipped
 * otherwise, saying how to start the server.
 *
 * @since 0.2
 */
@ApiStatus(value = ApiStatus.Status.EXPERIMENTAL, since = "0.2")
public final class PostgresTestDatabase {
    private static final String HOW_TO_START = "Start it with: bash .ci/start-postgres.sh && source /tmp/cinderblock-pg/env";

    private final String url;
    private final Properties properties;

    private PostgresTestDatabase(String url, Properties properties) {
        this.url = url;
        this.properties = properties;
    }

    /**
     * The configured database, if the environment names one.
     *
     * @return the database named by {@code CINDERBLOCK_PG_URL} (and {@code _USER}, {@code _PASSWORD}), or empty
     */
    public static Optional<PostgresTestDatabase> fromEnvironment() {
        String url = System.getenv("CINDERBLOCK_PG_URL");
        String user = System.getenv("CINDERBLOCK_PG_USER");
        String password = System.getenv("CINDERBLOCK_PG_PASSWORD");
        if (url == null || url.isBlank() || user == null || password == null) {
            return Optional.empty();
        }
        Properties properties = new Properties();
        properties.setProperty("user", user);
        properties.setProperty("password", password);
        properties.setProperty("connectTimeout", "10");
        return Optional.of(new PostgresTestDatabase(url, properties));
    }

    /**
     * The configured database; fails in CI and skips elsewhere when it is not configured.
     *
     * @return the database
     * @throws org.opentest4j.AssertionFailedError in CI ({@code CI=true}) when none is configured
     * @throws org.opentest4j.TestAbortedException elsewhere when none is configured (the test is skipped)
     */
    public static PostgresTestDatabase require() {
        Optional<PostgresTestDatabase> database = fromEnvironment();
        if (database.isEmpty()) {
            String message = "PostgreSQL is not configured: CINDERBLOCK_PG_URL, CINDERBLOCK_PG_USER and "
                    + "CINDERBLOCK_PG_PASSWORD are not all set. " + HOW_TO_START;
            if ("true".equals(System.getenv("CI"))) {
                Assertions.fail(message);
            }
            Assumptions.abort(message);
        }
        return database.get();
    }

    /**
     * The JDBC URL.
     *
     * @return the {@code jdbc:postgresql:} URL
     */
    public String url() {
        return url;
    }

    /**
     * {@code user} and {@code password} for {@link DriverManager}.
     *
     * @return a copy, safe to change
     */
    public Properties properties() {
        Properties copy = new Properties();
        copy.putAll(properties);
        return copy;
    }

    /**
     * A new connection.
     *
     * @return a connection the caller closes
     * @throws SQLException the database refused it
     */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(url, properties);
    }
}
