package io.cinderblock.service.store;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.support.SecretScrubber;
import io.cinderblock.service.config.DatabaseSettings;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The service rows and backend reports in the database. Times are stored as microseconds since the
 * epoch (Cinder shows microseconds), in a plain {@code BIGINT} that SQLite and PostgreSQL treat alike.
 *
 * <p>Thread-safe: every method takes its own pooled connection.
 */
public final class ServiceStore {
    private static final int MAX_REASON = 1024;

    private final Database database;
    private final SecretScrubber scrubber;
    private final HostClaims hostClaims;

    /** Creates a store over an open, migrated database. */
    public ServiceStore(Database database) {
        this(database, SecretScrubber.none());
    }

    /**
     * Creates a store that masks the backends' secrets (see {@link BackendSecrets}) in every
     * reason and stats text before writing it: a driver's text reaches the database, the status
     * page and the CLI only through here.
     */
    public ServiceStore(Database database, SecretScrubber scrubber) {
        this.database = requireNonNull(database, "database is null");
        this.scrubber = requireNonNull(scrubber, "scrubber is null");
        this.hostClaims = new HostClaims(database);
    }

    /**
     * Creates the row for a service, or refreshes an existing one (keeping an operator's disable and
     * the last report), and returns its id. Also makes sure the row has a report row.
     */
    public long register(String host, String binary, String zone, String replicationStatus, Instant now) {
        try (Connection c = database.connection()) {
            c.setAutoCommit(false);
            try {
                long id;
                Optional<Long> existing = findId(c, host, binary);
                if (existing.isPresent()) {
                    id = existing.get();
                    try (PreparedStatement update = c.prepareStatement(
                            "UPDATE cb_services SET zone = ?, replication_status = ?, updated_at = ? WHERE id = ?")) {
                        update.setString(1, zone);
                        update.setString(2, replicationStatus);
                        update.setLong(3, micros(now));
                        update.setLong(4, id);
                        update.executeUpdate();
                    }
                } else {
                    try (PreparedStatement insert = c.prepareStatement("INSERT INTO cb_services (host, binary_name, zone,"
                            + " disabled, replication_status, created_at, updated_at) VALUES (?, ?, ?, 0, ?, ?, ?)")) {
                        insert.setString(1, host);
                        insert.setString(2, binary);
                        insert.setString(3, zone);
                        insert.setString(4, replicationStatus);
                        insert.setLong(5, micros(now));
                        insert.setLong(6, micros(now));
                        insert.executeUpdate();
                    }
                    id = findId(c, host, binary).orElseThrow(() -> new SQLException("inserted row not found"));
                    try (PreparedStatement report = c.prepareStatement(
                            "INSERT INTO cb_backend_reports (service_id) VALUES (?)")) {
                        report.setLong(1, id);
                        report.executeUpdate();
                    }
                }
                c.commit();
                return id;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new StoreException("Cannot register service " + binary + " on host " + host + ": " + e.getMessage(), e);
        }
    }

    private static Optional<Long> findId(Connection c, String host, String binary) throws SQLException {
        try (PreparedStatement select = c.prepareStatement(
                "SELECT id FROM cb_services WHERE host = ? AND binary_name = ?")) {
            select.setString(1, host);
            select.setString(2, binary);
            try (ResultSet rs = select.executeQuery()) {
                return rs.next() ? Optional.of(rs.getLong(1)) : Optional.empty();
            }
        }
    }

    /** Writes one heartbeat for each of the services, in one transaction. */
    public void heartbeat(Collection<Long> serviceIds, Instant now) {
        heartbeat(serviceIds, now, Map.of());
    }

    /**
     * Writes one heartbeat for each of the services and, in the same transaction, when each backend
     * in {@code statsChecked} last collected its stats successfully. Unchanged stats are not
     * rewritten (see {@code StatsChanges}), so this is how every API node learns their age.
     */
    public void heartbeat(Collection<Long> serviceIds, Instant now, Map<Long, Instant> statsChecked) {
        if (serviceIds.isEmpty() && statsChecked.isEmpty()) {
            return;
        }
        try (Connection c = database.connection()) {
            c.setAutoCommit(false);
            try (PreparedStatement update = c.prepareStatement("UPDATE cb_services SET updated_at = ? WHERE id = ?");
                    PreparedStatement checked = c.prepareStatement(
                            "UPDATE cb_backend_reports SET stats_checked_at = ? WHERE service_id = ?")) {
                for (long id : serviceIds) {
                    update.setLong(1, micros(now));
                    update.setLong(2, id);
                    update.addBatch();
                }
                update.executeBatch();
                if (!statsChecked.isEmpty()) {
                    for (Map.Entry<Long, Instant> entry : statsChecked.entrySet()) {
                        checked.setLong(1, micros(entry.getValue()));
                        checked.setLong(2, entry.getKey());
                        checked.addBatch();
                    }
                    checked.executeBatch();
                }
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new StoreException("Cannot write heartbeats: " + e.getMessage(), e);
        }
    }

    /**
     * Enables or disables a service; returns whether a row matched.
     *
     * @param reason stored when disabling; cleared when enabling
     */
    public boolean setDisabled(String host, String binary, boolean disabled, Optional<String> reason, Instant now) {
        try (Connection c = database.connection();
                PreparedStatement update = c.prepareStatement("UPDATE cb_services SET disabled = ?, disabled_reason = ?,"
                        + " updated_at = ? WHERE host = ? AND binary_name = ?")) {
            update.setInt(1, disabled ? 1 : 0);
            if (disabled && reason.isPresent()) {
                update.setString(2, scrubber.scrub(reason.get()));
            } else {
                update.setNull(2, Types.VARCHAR);
            }
            update.setLong(3, micros(now));
            update.setString(4, host);
            update.setString(5, binary);
            return update.executeUpdate() > 0;
        } catch (SQLException e) {
            throw new StoreException("Cannot change the status of service " + binary + " on host " + host + ": "
                    + e.getMessage(), e);
        }
    }

    /** Records a backend state observation, leaving the stored transition time as it is. */
    public void recordState(long serviceId, String state, String reason, Instant observedAt) {
        writeReport(serviceId, "backend_state = ?, state_reason = ?, state_observed_at = ?", state, reason,
                observedAt, null, null);
    }

    /**
     * Records a backend state observation and when the state took its value (the agent's
     * transition time, shown on the status page of every API node and after a restart).
     */
    public void recordState(long serviceId, String state, String reason, Instant observedAt, Instant changedAt) {
        writeReport(serviceId, "backend_state = ?, state_reason = ?, state_observed_at = ?, state_changed_at = ?",
                state, reason, observedAt, changedAt, null);
    }

    /** Records a stats collection together with the state it implies. */
    public void recordStats(long serviceId, String statsJson, Instant collectedAt, String state, String reason) {
        writeReport(serviceId, "backend_state = ?, state_reason = ?, state_observed_at = ?, stats_checked_at = ?,"
                + " stats_json = ?, stats_collected_at = ?", state, reason, collectedAt, collectedAt, statsJson);
    }

    /** Records a stats collection, the state it implies and when that state took its value. */
    public void recordStats(long serviceId, String statsJson, Instant collectedAt, String state, String reason,
            Instant changedAt) {
        writeReport(serviceId, "backend_state = ?, state_reason = ?, state_observed_at = ?, state_changed_at = ?,"
                + " stats_checked_at = ?, stats_json = ?, stats_collected_at = ?", state, reason, collectedAt,
                changedAt, statsJson);
    }

    /** One report update: the columns in {@code set}'s order, then {@code stats_checked_at} and the stats if given. */
    private void writeReport(long serviceId, String set, String state, String reason, Instant observedAt,
            Instant changedOrChecked, String statsJson) {
        try (Connection c = database.connection();
                PreparedStatement update = c.prepareStatement("UPDATE cb_backend_reports SET " + set
                        + " WHERE service_id = ?")) {
            int i = 1;
            update.setString(i++, state);
            update.setString(i++, truncate(scrub(reason)));
            update.setLong(i++, micros(observedAt));
            if (set.contains("state_changed_at")) {
                update.setLong(i++, micros(changedOrChecked));
            }
            if (statsJson != null) {
                update.setLong(i++, micros(observedAt));
                update.setString(i++, scrub(statsJson));
                update.setLong(i++, micros(observedAt));
            }
            update.setLong(i, serviceId);
            update.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException("Cannot record the " + (statsJson == null ? "backend state" : "stats")
                    + " of service " + serviceId + ": " + e.getMessage(), e);
        }
    }

    /**
     * Records that a backend's push channel stopped delivering (with why) or, with an empty reason,
     * that it delivers again, so every API node shows it.
     */
    public void recordPushLost(long serviceId, Optional<String> reason, Instant at) {
        try (Connection c = database.connection();
                PreparedStatement update = c.prepareStatement(
                        "UPDATE cb_backend_reports SET push_lost = ?, push_lost_at = ? WHERE service_id = ?")) {
            if (reason.isPresent()) {
                update.setString(1, truncate(scrub(reason.get())));
                update.setLong(2, micros(at));
            } else {
                update.setNull(1, Types.VARCHAR);
                update.setNull(2, Types.BIGINT);
            }
            update.setLong(3, serviceId);
            update.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException("Cannot record the push channel of service " + serviceId + ": " + e.getMessage(),
                    e);
        }
    }

    /** Every service with its report, ordered by id. */
    public List<StoredService> services() {
        String sql = "SELECT s.id, s.host, s.binary_name, s.zone, s.disabled, s.disabled_reason, s.replication_status,"
                + " s.created_at, s.updated_at, r.backend_state, r.state_reason, r.state_observed_at, r.stats_json,"
                + " r.stats_collected_at, r.state_changed_at, r.push_lost, r.stats_checked_at"
                + " FROM cb_services s LEFT JOIN cb_backend_reports r ON r.service_id = s.id"
                + " ORDER BY s.id";
        try (Connection c = database.connection();
                PreparedStatement select = c.prepareStatement(sql);
                ResultSet rs = select.executeQuery()) {
            List<StoredService> result = new ArrayList<>();
            while (rs.next()) {
                result.add(new StoredService(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getInt(5) != 0, Optional.ofNullable(rs.getString(6)), rs.getString(7),
                        instant(rs.getLong(8)), instant(rs.getLong(9)), Optional.ofNullable(rs.getString(10)),
                        Optional.ofNullable(rs.getString(11)), optionalInstant(rs, 12),
                        Optional.ofNullable(rs.getString(13)), optionalInstant(rs, 14), optionalInstant(rs, 15),
                        Optional.ofNullable(rs.getString(16)), optionalInstant(rs, 17)));
            }
            return result;
        } catch (SQLException e) {
            throw new StoreException("Cannot read the services: " + e.getMessage(), e);
        }
    }

    /** The agents' claims on their hosts (one agent per host), in the same database. */
    public HostClaims hostClaims() {
        return hostClaims;
    }

    /**
     * A cheap fingerprint of every row: it changes whenever a row is added, a heartbeat or status
     * change is written, a state or stats report or a push channel's loss is stored (each write
     * stamps a new time), or an agent claims or releases its host. API nodes poll it and re-read the
     * rows only when it changed.
     */
    public String fingerprint() {
        String sql = "SELECT COUNT(*), COALESCE(SUM(s.updated_at), 0), COALESCE(SUM(s.disabled), 0),"
                + " COALESCE(SUM(r.state_observed_at), 0), COALESCE(SUM(r.stats_collected_at), 0),"
                + " COALESCE(SUM(r.stats_checked_at), 0), COUNT(r.push_lost), COALESCE(SUM(r.push_lost_at), 0),"
                + " (SELECT COUNT(*) FROM cb_agents), (SELECT COALESCE(SUM(started_at), 0) FROM cb_agents)"
                + " FROM cb_services s LEFT JOIN cb_backend_reports r ON r.service_id = s.id";
        try (Connection c = database.connection();
                PreparedStatement select = c.prepareStatement(sql);
                ResultSet rs = select.executeQuery()) {
            rs.next();
            StringBuilder result = new StringBuilder(rs.getString(1));
            for (int i = 2; i <= 10; i++) {
                result.append('/').append(rs.getString(i));
            }
            return result.toString();
        } catch (SQLException e) {
            throw new StoreException("Cannot read the change fingerprint: " + e.getMessage(), e);
        }
    }

    /** Whether the database passes {@link #health(Duration)}. */
    public boolean reachable(Duration timeout) {
        return health(timeout).isEmpty();
    }

    /**
     * A cheap real check of the store, empty when healthy, else what is wrong: the SQLite file is
     * still the file opened (not deleted, not replaced), the schema version can be read (a corrupt
     * file fails here), and on SQLite a write commits (a full disk or a lock held past the busy
     * timeout fails here). {@code Connection.isValid} alone never touches the file.
     *
     * @param timeout for the query; a SQLite lock waits up to its busy timeout
     */
    public Optional<String> health(Duration timeout) {
        Optional<String> file = database.fileProblem().or(database::headerProblem);
        if (file.isPresent()) {
            return file;
        }
        int seconds = (int) Math.max(1, timeout.toSeconds());
        try (Connection c = database.connection()) {
            int version;
            try (PreparedStatement select = c.prepareStatement("SELECT MAX(version) FROM cb_schema_version")) {
                select.setQueryTimeout(seconds);
                try (ResultSet rs = select.executeQuery()) {
                    version = rs.next() ? rs.getInt(1) : 0;
                }
            }
            if (version < Migrations.latestVersion()) {
                return Optional.of("the database's schema version is " + version + ", expected "
                        + Migrations.latestVersion() + " (was it replaced by an older one?)");
            }
            if (database.kind() == DatabaseSettings.Kind.SQLITE) {
                // The heartbeat write: rewriting a row commits a WAL frame, so a full disk, a read-only
                // file or a lock held past the busy timeout shows here before a real write is lost.
                try (PreparedStatement beat = c.prepareStatement(
                        "UPDATE cb_schema_version SET applied_at = applied_at WHERE version = ?")) {
                    beat.setQueryTimeout(seconds);
                    beat.setInt(1, version);
                    beat.executeUpdate();
                }
            }
            return Optional.empty();
        } catch (SQLException e) {
            return Optional.of("the database failed a check: " + e.getMessage());
        } catch (StoreException e) {
            return Optional.of(e.getMessage());
        }
    }

    /** Microseconds since the epoch. */
    static long micros(Instant instant) {
        return ChronoUnit.MICROS.between(Instant.EPOCH, instant);
    }

    static Instant instant(long micros) {
        return Instant.EPOCH.plus(micros, ChronoUnit.MICROS);
    }

    private static Optional<Instant> optionalInstant(ResultSet rs, int column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? Optional.empty() : Optional.of(instant(value));
    }

    private String scrub(String text) {
        return text == null ? null : scrubber.scrub(text);
    }

    private static String truncate(String reason) {
        return reason == null || reason.length() <= MAX_REASON ? reason : reason.substring(0, MAX_REASON);
    }
}
