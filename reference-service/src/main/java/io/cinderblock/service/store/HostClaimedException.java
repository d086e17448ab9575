package io.cinderblock.service.store;

import java.time.Duration;

/**
 * Another live agent already serves this {@code host}: two agents must never report for the same
 * host, or they would overwrite each other's rows. Start-up stops with this message.
 */
public final class HostClaimedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param host the contested host
     * @param node the machine the other agent runs on
     * @param pid the other agent's process id
     * @param age how long ago the other agent last renewed its claim
     */
    public HostClaimedException(String host, String node, long pid, Duration age) {
        super("host '" + host + "' is already served by another agent (process " + pid + " on " + node
                + ", last heartbeat " + Math.max(0, age.toMillis()) / 1000.0 + " s ago): give this agent another"
                + " [DEFAULT] host, or stop the other one");
    }
}
