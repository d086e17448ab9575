package io.cinderblock.tck.proxy;

import io.cinderblock.sdk.spi.Transport;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * A proxy on 127.0.0.1 that sits between a driver and one device endpoint and can break the path on
 * demand. Start one with {@link TcpFaultProxy#start} or {@link UdpFaultProxy#start}; {@link
 * DeviceProxies} places them by rewriting a driver's endpoint options.
 *
 * <p>Thread-safe: modes may be switched while traffic flows.
 */
public interface FaultProxy extends AutoCloseable {

    /** The transport it proxies. */
    Transport transport();

    /** The address drivers should use instead of the device's: 127.0.0.1 and the proxy's port. */
    InetSocketAddress address();

    /** The device endpoint traffic is forwarded to. */
    InetSocketAddress target();

    /** Whether this proxy can simulate {@code mode} (UDP has no connection to reset). */
    boolean supports(FaultMode mode);

    /**
     * Switches the mode. Connections already open follow at once: a reset or refusal aborts them, a
     * stall stops forwarding on them.
     *
     * @throws UnsupportedOperationException if {@link #supports(FaultMode)} is false
     */
    void mode(FaultMode mode);

    /** The current mode. */
    FaultMode mode();

    /** The latency {@link FaultMode#SLOW} adds before each answer; default 200 ms. */
    void latency(Duration latency);

    /**
     * The idle time after which {@link FaultMode#IDLE_CLOSE} closes a connection; default 500 ms.
     *
     * @throws UnsupportedOperationException if the transport has no connections (UDP)
     */
    default void idleTimeout(Duration idleTimeout) {
        throw new UnsupportedOperationException(transport() + " has no connections to close when idle");
    }

    /**
     * How many times the driver reached the proxy so far: TCP connections accepted, UDP datagrams
     * received. FAULT-1 uses it to see that the driver's traffic goes where its endpoint options say.
     */
    long arrivals();

    /** Back to {@link FaultMode#PASS}. */
    default void heal() {
        mode(FaultMode.PASS);
    }

    /** Stops the proxy and closes every connection; idempotent. */
    @Override
    void close();
}
