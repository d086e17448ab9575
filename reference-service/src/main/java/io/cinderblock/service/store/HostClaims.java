package io.cinderblock.service.store;

import static io.cinderblock.service.store.ServiceStore.instant;
import static io.cinderblock.service.store.ServiceStore.micros;
import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The agents' claims on their hosts ({@code cb_agents}): one agent per {@code [DEFAULT] host}, and
 * what each agent is (node, process, role, version, stats interval) for the status page.
 *
 * <p>Thread-safe: every method takes its own pooled connection.
 */
public final class HostClaims {
    private final Database database;

    HostClaims(Database database) {
        this.database = requireNonNull(database, "database is null");
    }

    /**
     * Claims {@code host} for one agent process, or refuses. A claim is free when nobody holds it,
     * when its holder stopped renewing it for {@code staleAfter} (an agent killed on another machine),
     * or when its holder ran on this same machine and that process is gone (an agent restarted after
     * SIGKILL takes its host back at once instead of waiting out the stale time).
     *
     * @param owner a value unique to this agent process (it renews and releases with it)
     * @throws HostClaimedException another live agent holds the host
     */
    public void claimHost(String host, String owner, String node, long pid, Instant now, Duration staleAfter) {
        try (Connection c = database.connection()) {
            // The insert is a no-op when a row exists; the conditional update is atomic per row on both
            // databases, so of two agents starting together exactly one wins.
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO cb_agents (host, owner, node, pid,"
                    + " started_at, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (host) DO NOTHING")) {
                insert.setString(1, host);
                insert.setString(2, owner);
                insert.setString(3, node);
                insert.setLong(4, pid);
                insert.setLong(5, micros(now));
                insert.setLong(6, micros(now));
                if (insert.executeUpdate() == 1) {
                    return;
                }
            }
            if (takeOver(c, host, owner, node, pid, now, "(owner = ? OR heartbeat_at < ?)", owner,
                    micros(now.minus(staleAfter)))) {
                return;
            }
            try (PreparedStatement select = c.prepareStatement(
                    "SELECT owner, node, pid, heartbeat_at FROM cb_agents WHERE host = ?")) {
                select.setString(1, host);
                try (ResultSet rs = select.executeQuery()) {
                    if (!rs.next()) {
                        // Released between our statements: try once more from the start.
                        claimHost(host, owner, node, pid, now, staleAfter);
                        return;
                    }
                    String holder = rs.getString(1);
                    String holderNode = rs.getString(2);
                    long holderPid = rs.getLong(3);
                    Instant renewed = instant(rs.getLong(4));
                    boolean deadHere = holderNode.equals(node) && holderPid != pid
                            && ProcessHandle.of(holderPid).map(p -> !p.isAlive()).orElse(true);
                    if (deadHere && takeOver(c, host, owner, node, pid, now, "owner = ?", holder, null)) {
                        return;
                    }
                    throw new HostClaimedException(host, holderNode, holderPid, Duration.between(renewed, now));
                }
            }
        } catch (SQLException e) {
            throw new StoreException("Cannot claim host " + host + ": " + e.getMessage(), e);
        }
    }

    private static boolean takeOver(Connection c, String host, String owner, String node, long pid, Instant now,
            String condition, String conditionValue, Long olderThan) throws SQLException {
        try (PreparedStatement update = c.prepareStatement("UPDATE cb_agents SET owner = ?, node = ?, pid = ?,"
                + " started_at = ?, heartbeat_at = ? WHERE host = ? AND " + condition)) {
            update.setString(1, owner);
            update.setString(2, node);
            update.setLong(3, pid);
            update.setLong(4, micros(now));
            update.setLong(5, micros(now));
            update.setString(6, host);
            update.setString(7, conditionValue);
            if (olderThan != null) {
                update.setLong(8, olderThan);
            }
            return update.executeUpdate() == 1;
        }
    }

    /** Renews a claim; false when another agent took the host over (this one must stop reporting). */
    public boolean renewHost(String host, String owner, Instant now) {
        try (Connection c = database.connection();
                PreparedStatement update = c.prepareStatement(
                        "UPDATE cb_agents SET heartbeat_at = ? WHERE host = ? AND owner = ?")) {
            update.setLong(1, micros(now));
            update.setString(2, host);
            update.setString(3, owner);
            return update.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new StoreException("Cannot renew the claim on host " + host + ": " + e.getMessage(), e);
        }
    }

    /** Gives a claim up on a clean stop, so a replacement agent can start at once. */
    public void releaseHost(String host, String owner) {
        try (Connection c = database.connection();
                PreparedStatement delete = c.prepareStatement("DELETE FROM cb_agents WHERE host = ? AND owner = ?")) {
            delete.setString(1, host);
            delete.setString(2, owner);
            delete.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException("Cannot release host " + host + ": " + e.getMessage(), e);
        }
    }

    /**
     * Records what the claiming agent is, for the status page of every API node.
     *
     * @param role {@code agent} or {@code all}
     * @param statsInterval the agent's stats interval (capacity older than it is marked stale)
     */
    public void describe(String host, String owner, String role, String version, Duration statsInterval) {
        try (Connection c = database.connection();
                PreparedStatement update = c.prepareStatement("UPDATE cb_agents SET role = ?, version = ?,"
                        + " stats_interval_ms = ? WHERE host = ? AND owner = ?")) {
            update.setString(1, role);
            update.setString(2, version.length() <= 64 ? version : version.substring(0, 64));
            update.setLong(3, statsInterval.toMillis());
            update.setString(4, host);
            update.setString(5, owner);
            update.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException("Cannot describe the agent of host " + host + ": " + e.getMessage(), e);
        }
    }

    /** Every current claim, ordered by host. */
    public List<StoredAgent> agents() {
        try (Connection c = database.connection();
                PreparedStatement select = c.prepareStatement("SELECT host, node, pid, role, version, started_at,"
                        + " heartbeat_at, stats_interval_ms FROM cb_agents ORDER BY host");
                ResultSet rs = select.executeQuery()) {
            List<StoredAgent> result = new ArrayList<>();
            while (rs.next()) {
                long interval = rs.getLong(8);
                Optional<Duration> statsInterval = rs.wasNull() ? Optional.empty() : Optional.of(
                        Duration.ofMillis(interval));
                result.add(new StoredAgent(rs.getString(1), rs.getString(2), rs.getLong(3),
                        Optional.ofNullable(rs.getString(4)), Optional.ofNullable(rs.getString(5)),
                        instant(rs.getLong(6)), instant(rs.getLong(7)), statsInterval));
            }
            return result;
        } catch (SQLException e) {
            throw new StoreException("Cannot read the agents: " + e.getMessage(), e);
        }
    }
}
