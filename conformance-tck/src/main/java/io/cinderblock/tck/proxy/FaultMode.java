package io.cinderblock.tck.proxy;

/** What a {@link FaultProxy} does to the traffic between a driver and its device. */
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
    SLOW
}
