package io.cinderblock.sdk.spi;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.ApiStatus;
import java.util.Optional;

/**
 * The host that wants to attach a volume: Cinder's connector dictionary, reduced to what block
 * drivers use. Built by hosts and handed to {@link VolumeDriver#initializeConnection} and {@link
 * VolumeDriver#terminateConnection}.
 *
 * @param host the host name; not blank
 * @param initiator the host's iSCSI initiator IQN; empty if it has none (an FC or NVMe host)
 * @param ip the host's address on the storage network; empty if unknown
 * @param multipath whether the host wants every path
 * @since 0.1
 */
@ApiStatus(value = ApiStatus.Status.STABLE, since = "0.1")
public record Connector(String host, Optional<String> initiator, Optional<String> ip, boolean multipath) {

    /**
     * Checks the components. For an iSCSI host prefer {@link #iscsi(String, String)}.
     *
     * @param host the host name; not blank
     * @param initiator the initiator IQN, or empty; not null
     * @param ip the storage-network address, or empty; not null
     * @param multipath whether the host wants every path
     * @throws IllegalArgumentException if {@code host} is blank
     * @since 0.1
     */
    public Connector {
        requireNonNull(host, "host is null");
        requireNonNull(initiator, "initiator is null");
        requireNonNull(ip, "ip is null");
        if (host.isBlank()) {
            throw new IllegalArgumentException("Connector host is blank");
        }
    }

    /**
     * An iSCSI host with one path and no known storage address.
     *
     * @param host the host name; not blank
     * @param initiatorIqn the host's initiator IQN; not null
     * @return the connector
     * @since 0.1
     */
    public static Connector iscsi(String host, String initiatorIqn) {
        return new Connector(host, Optional.of(initiatorIqn), Optional.empty(), false);
    }
}
