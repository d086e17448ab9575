package io.cinderblock.service.config;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;

/**
 * The {@code [database]} section, turned into a JDBC URL.
 *
 * <p>{@code connection} takes Cinder's SQLAlchemy form ({@code sqlite:///relative/file.db},
 * {@code sqlite:////absolute/file.db}, {@code postgresql://user:password@host:port/db}, also
 * {@code postgresql+psycopg2://...}) or a JDBC URL ({@code jdbc:sqlite:...}, {@code
 * jdbc:postgresql://...}) with {@code user} and {@code password} keys beside it.
 *
 * @param jdbcUrl the JDBC URL
 * @param user the database user, if any
 * @param password the password, if any: a secret, never shown
 * @param maxPoolSize the connection pool size (SQLite always uses one connection)
 */
public record DatabaseSettings(String jdbcUrl, Optional<String> user, Optional<String> password, int maxPoolSize) {
    /** The databases the service speaks. */
    public enum Kind {
        SQLITE,
        POSTGRESQL
    }

    public DatabaseSettings {
        requireNonNull(jdbcUrl, "jdbcUrl is null");
        requireNonNull(user, "user is null");
        requireNonNull(password, "password is null");
        if (!jdbcUrl.startsWith("jdbc:sqlite:") && !jdbcUrl.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("Only SQLite and PostgreSQL are supported, got '" + redactUrl(jdbcUrl) + "'");
        }
    }

    /** Which database the URL names. */
    public Kind kind() {
        return jdbcUrl.startsWith("jdbc:sqlite:") ? Kind.SQLITE : Kind.POSTGRESQL;
    }

    /** The SQLite file, for an SQLite URL. */
    public Optional<Path> sqliteFile() {
        if (kind() != Kind.SQLITE) {
            return Optional.empty();
        }
        String path = jdbcUrl.substring("jdbc:sqlite:".length());
        int query = path.indexOf('?');
        return Optional.of(Path.of(query < 0 ? path : path.substring(0, query)));
    }

    /** Parses a {@code connection} value; {@code error} builds the exception for a bad one. */
    static DatabaseSettings parse(String connection, Optional<String> user, Optional<String> password, int poolSize,
            Path baseDirectory, Function<String, ConfigException> error) {
        String c = connection.strip();
        if (c.startsWith("jdbc:sqlite:")) {
            return new DatabaseSettings(c, user, password, poolSize);
        }
        if (c.startsWith("jdbc:postgresql:")) {
            return new DatabaseSettings(c, user, password, poolSize);
        }
        if (c.startsWith("sqlite:///")) {
            String file = c.substring("sqlite:///".length());
            if (file.isEmpty()) {
                throw error.apply("'" + c + "' names no file (in-memory SQLite would lose everything on restart)");
            }
            Path path = file.startsWith("/") ? Path.of(file) : baseDirectory.resolve(file).normalize();
            return new DatabaseSettings("jdbc:sqlite:" + path, user, password, poolSize);
        }
        if (c.startsWith("postgresql://") || c.startsWith("postgresql+psycopg2://")) {
            URI uri;
            try {
                uri = new URI(c.replaceFirst("^postgresql(\\+psycopg2)?://", "postgresql://"));
            } catch (URISyntaxException e) {
                throw error.apply("not a valid URL: " + redactUrl(c));
            }
            if (uri.getHost() == null || uri.getPath() == null || uri.getPath().length() < 2) {
                throw error.apply("needs a host and a database name: " + redactUrl(c));
            }
            Optional<String> urlUser = user;
            Optional<String> urlPassword = password;
            if (uri.getRawUserInfo() != null) {
                String[] info = uri.getRawUserInfo().split(":", 2);
                urlUser = Optional.of(URLDecoder.decode(info[0], StandardCharsets.UTF_8));
                if (info.length == 2) {
                    urlPassword = Optional.of(URLDecoder.decode(info[1], StandardCharsets.UTF_8));
                }
            }
            String jdbc = "jdbc:postgresql://" + uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "")
                    + uri.getPath() + (uri.getRawQuery() != null ? "?" + uri.getRawQuery() : "");
            return new DatabaseSettings(jdbc, urlUser, urlPassword, poolSize);
        }
        throw error.apply("'" + redactUrl(c) + "' is neither sqlite:///FILE, postgresql://... nor a jdbc:sqlite: or"
                + " jdbc:postgresql: URL");
    }

    /** A URL with any {@code user:password@} part masked. */
    static String redactUrl(String url) {
        return url.replaceAll("//([^/@]*)@", "//***@").replaceAll("(?i)(password=)[^&]*", "$1***");
    }

    /** Never shows the password. */
    @Override
    public String toString() {
        return "DatabaseSettings[" + redactUrl(jdbcUrl) + ", user=" + user.orElse("-") + "]";
    }
}
