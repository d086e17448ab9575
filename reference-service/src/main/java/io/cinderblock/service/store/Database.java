package io.cinderblock.service.store;

import static java.util.Objects.requireNonNull;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.cinderblock.service.config.DatabaseSettings;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pooled connection to SQLite or PostgreSQL (HikariCP), with the schema migrated on open.
 *
 * <p>SQLite gets a single connection: it has one writer anyway, and one connection makes its
 * locking trivial. Its file's directory is created if missing, and it runs in WAL mode so readers
 * never wait for the heartbeat writer.
 */
public final class Database implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Database.class);
    private static final byte[] SQLITE_MAGIC = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);

    private final DatabaseSettings settings;
    private final HikariDataSource dataSource;
    /** SQLite: the file's identity (device and inode) when opened; null for PostgreSQL. */
    private final Object fileKey;
    /** Set at open: why this (new) database is not the one this service used before. */
    private Optional<String> startNotice = Optional.empty();
    /** The last identity problem logged, so it is logged loudly once, not on every write. */
    private final AtomicReference<String> reported = new AtomicReference<>();

    private Database(DatabaseSettings settings, HikariDataSource dataSource, Object fileKey) {
        this.settings = settings;
        this.dataSource = dataSource;
        this.fileKey = fileKey;
    }

    /** Opens the pool and brings the schema to the latest version. */
    public static Database open(DatabaseSettings settings) {
        requireNonNull(settings, "settings is null");
        HikariConfig config = new HikariConfig();
        boolean existedBefore = true;
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
            // Before the pool opens (and so creates) the file: is this database new?
            existedBefore = Files.isRegularFile(file) && sizeOf(file) > 0;
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
        Database database = new Database(settings, dataSource, null);
        try {
            Migrations.migrate(database);
            if (settings.kind() == DatabaseSettings.Kind.SQLITE) {
                // Migrated, so the file exists now: remember which file it is.
                Path file = settings.sqliteFile().orElseThrow();
                database = new Database(settings, dataSource, fileKey(file));
                database.startNotice = checkMarker(file, existedBefore);
            }
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
        return database;
    }

    /**
     * Whether this SQLite database was created at this start although a database had been created at
     * the same path before (a marker file beside it says so): everything recorded in the old one
     * (disabled services and their reasons, last states) is gone. Logged loudly at open.
     */
    public Optional<String> startNotice() {
        return startNotice;
    }

    /**
     * Keeps a small marker file beside the SQLite file recording when its database was created; a
     * new database next to an old marker means the old database was lost (deleted, or the path
     * changed to an empty place) between two runs.
     */
    private static Optional<String> checkMarker(Path file, boolean existedBefore) {
        Path marker = Path.of(file + ".created");
        Optional<String> notice = Optional.empty();
        try {
            if (!existedBefore && Files.isRegularFile(marker)) {
                String before = Files.readString(marker, StandardCharsets.UTF_8).strip();
                notice = Optional.of("the SQLite database " + file + " was created new at this start, but a database"
                        + " existed here before (" + before + "): every disabled service, disable reason and state"
                        + " recorded in it is gone; restore it from a backup if they matter");
                LOG.error("NEW DATABASE: {}", notice.get());
            }
            if (!existedBefore || !Files.isRegularFile(marker)) {
                Files.writeString(marker, "created " + Instant.now() + "\n", StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            LOG.warn("Cannot keep the marker file {} (it tells a lost database from a first start): {}", marker, e.toString());
        }
        return notice;
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }

    /** Which database this is. */
    public DatabaseSettings.Kind kind() {
        return settings.kind();
    }

    /** The settings it was opened with (the password stays masked in {@code toString}). */
    public DatabaseSettings settings() {
        return settings;
    }

    /**
     * A pooled connection; the caller closes it. For SQLite, first checks that the file opened is
     * still the file at its path: SQLite keeps writing to a deleted or replaced file through its open
     * descriptor, and everything written would vanish at the next start.
     *
     * @throws StoreUnavailableException the SQLite file was deleted or replaced
     */
    public Connection connection() throws SQLException {
        checkFile();
        return dataSource.getConnection();
    }

    /**
     * For SQLite, whether the file opened is still the file at its path; always empty for
     * PostgreSQL. Cheap (one {@code stat}). Logs loudly when the answer changes.
     */
    public Optional<String> fileProblem() {
        if (fileKey == null) {
            return Optional.empty();
        }
        Path file = settings.sqliteFile().orElseThrow();
        Optional<String> problem;
        try {
            Object now = fileKey(file);
            problem = now.equals(fileKey) ? Optional.empty() : Optional.of("the SQLite database file " + file
                    + " was replaced by another file while the service was running (inode " + fileKey + " then, "
                    + now + " now)");
        } catch (StoreException e) {
            problem = Optional.of("the SQLite database file " + file + " was deleted while the service was running");
        }
        String previous = reported.getAndSet(problem.orElse(null));
        if (problem.isPresent() && !problem.get().equals(previous)) {
            LOG.error("DATABASE LOST: {}. Refusing every write from now on (it would go to the unlinked file and be"
                    + " lost at the next start); restore the file or restart the service on the database to use.",
                    problem.get());
        } else if (problem.isEmpty() && previous != null) {
            LOG.warn("The SQLite database file {} is the file opened again; writes resume", file);
        }
        return problem;
    }

    /**
     * For SQLite, whether the file on disk still starts with SQLite's header. Read from the file,
     * not from SQLite's page cache, which in WAL mode can keep answering from memory after the file
     * was overwritten.
     */
    public Optional<String> headerProblem() {
        if (fileKey == null) {
            return Optional.empty();
        }
        Path file = settings.sqliteFile().orElseThrow();
        byte[] header = new byte[SQLITE_MAGIC.length];
        try (InputStream in = Files.newInputStream(file)) {
            int read = in.readNBytes(header, 0, header.length);
            if (read < header.length || !Arrays.equals(header, SQLITE_MAGIC)) {
                return Optional.of("the SQLite database file " + file + " is corrupt: it no longer starts with"
                        + " SQLite's header");
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of("cannot read the SQLite database file " + file + ": " + e);
        }
    }

    private void checkFile() {
        Optional<String> problem = fileProblem();
        if (problem.isPresent()) {
            boolean replaced = problem.get().contains("replaced");
            throw new StoreUnavailableException(problem.get(), "the service's database file was "
                    + (replaced ? "replaced" : "deleted") + " while it was running; nothing was written");
        }
    }

    private static Object fileKey(Path file) {
        try {
            Object key = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
            // Without a file key (not on Linux), fall back to the creation time: a new file has another.
            return key != null ? key : Files.readAttributes(file, BasicFileAttributes.class).creationTime();
        } catch (IOException e) {
            throw new StoreException("Cannot read the attributes of SQLite database file " + file + ": " + e, e);
        }
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
