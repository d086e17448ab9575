package io.cinderblock.sdk.spi;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.ApiStatus;
import java.util.Optional;

/**
 * The host that wants to attach a volume: Cinder's connector dictionary, reduced to what block
 * drivers use.
 *
 * @param host the host name
 * @param initiator the host's iSCSI initiator IQN, if it has one
 * @param ip the host's address on the storage network, if known
 * @param multipath whether the host wants every path
 */
@ApiStatus(value = ApiStatus.Status.STABLE, since = "0.1")
public record Connector(String host, Optional<String> initiator, Optional<String> ip, boolean multipath) {

    public Connector {
        requireNonNull(host, "host is null");
        requireNonNull(initiator, "initiator is null");
        requireNonNull(ip, "ip is null");
        if (host.isBlank()) {
            throw new IllegalArgumentException("Connector host is blank");
        }
    }

    /** An iSCSI host with one path. */
    public static Connector iscsi(String host, String initiatorIqn) {
        return new Connector(host, Optional.of(initiatorIqn), Optional.empty(), false);
    }
}
