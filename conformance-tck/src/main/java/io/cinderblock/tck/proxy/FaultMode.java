package io.cinderblock.tck.proxy;

import io.cinderblock.sdk.ApiStatus;

/**
 * What a {@link FaultProxy} does to the traffic between a driver and its device.
 *
 * @since 0.1
 */
@ApiStatus(value = ApiStatus.Status.EXPERIMENTAL, since = "0.1")
public enum FaultMode {
    /** Forward everything untouched. */
    PASS,
    /** Connection refused: the proxy stops listening (TCP: the kernel answers RST; UDP: ICMP port unreachable). */
    REFUSE,
    /** Accept, then reset: every connection is aborted with a TCP RST ({@code SO_LINGER} 0). TCP only. */
    RESET,
    /** Accept and never answer: requests are read and dropped (UDP: datagrams are dropped). */
    STALL,
    /** Forward with added latency before each answer, set by {@link FaultProxy#latency(java.time.Duration)}. */
    SLOW,
    /**
     * Forward, but close (with a FIN, as a device or load balancer does) every connection that
     * carried nothing in either direction for the idle timeout set by {@link
     * FaultProxy#idleTimeout(java.time.Duration)}. TCP only.
     */
    IDLE_CLOSE,
    /**
     * Half-open: established connections go silent for good (nothing forwarded, nothing read, no
     * FIN, no RST), and new connections are still accepted but never answered, as when the device
     * vanished behind a middlebox that keeps the TCP state. Healing lets new connections through
     * again; the silent ones stay dead. TCP only.
     */
    HALF_OPEN
}
