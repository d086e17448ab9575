package io.cinderblock.tck.proxy;

import io.cinderblock.sdk.ApiStatus;
import io.cinderblock.sdk.spi.Transport;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * A proxy on 127.0.0.1 that sits between a driver and one device endpoint and can break the path on
 * demand. Start one with {@link TcpFaultProxy#start} or {@link UdpFaultProxy#start}; {@link
 * DeviceProxies} places them by rewriting a driver's endpoint options.
 *
 * <p>Thread-safe: modes may be switched while traffic flows. The kit's own tool: a fixture never
 * needs one, but a vendor's own fault tests may use it.
 *
 * @since 0.1
 */
@ApiStatus(value = ApiStatus.Status.EXPERIMENTAL, since = "0.1")
public interface FaultProxy extends AutoCloseable {

    /**
     * The transport it proxies.
     *
     * @return {@link Transport#TCP} or {@link Transport#UDP}
     * @since 0.1
     */
    Transport transport();

    /**
     * The address drivers should use instead of the device's.
     *
     * @return 127.0.0.1 and the proxy's port
     * @since 0.1
     */
    InetSocketAddress address();

    /**
     * The device endpoint traffic is forwarded to.
     *
     * @return the target given when the proxy started
     * @since 0.1
     */
    InetSocketAddress target();

    /**
     * Whether this proxy can simulate a mode (UDP has no connection to reset).
     *
     * @param mode the mode to ask about
     * @return true if {@link #mode(FaultMode)} accepts it
     * @since 0.1
     */
    boolean supports(FaultMode mode);

    /**
     * Switches the mode. Connections already open follow at once: a reset or refusal aborts them, a
     * stall stops forwarding on them.
     *
     * @param mode the new mode
     * @throws UnsupportedOperationException if {@link #supports(FaultMode)} is false
     * @since 0.1
     */
    void mode(FaultMode mode);

    /**
     * The current mode.
     *
     * @return the mode last set; {@link FaultMode#PASS} at start
     * @since 0.1
     */
    FaultMode mode();

    /**
     * Sets the latency {@link FaultMode#SLOW} adds before each answer; default 200 ms.
     *
     * @param latency the added delay; not negative
     * @since 0.1
     */
    void latency(Duration latency);

    /**
     * Sets the idle time after which {@link FaultMode#IDLE_CLOSE} closes a connection; default 500 ms.
     *
     * @param idleTimeout the idle time; positive
     * @throws UnsupportedOperationException if the transport has no connections (UDP)
     * @since 0.1
     */
    default void idleTimeout(Duration idleTimeout) {
        throw new UnsupportedOperationException(transport() + " has no connections to close when idle");
    }

    /**
     * How many times the driver reached the proxy so far: TCP connections accepted, UDP datagrams
     * received. FAULT-1 uses it to see that the driver's traffic goes where its endpoint options say.
     *
     * @return the count since the proxy started
     * @since 0.1
     */
    long arrivals();

    /**
     * Back to {@link FaultMode#PASS}.
     *
     * @since 0.1
     */
    default void heal() {
        mode(FaultMode.PASS);
    }

    /**
     * Stops the proxy and closes every connection; idempotent.
     *
     * @since 0.1
     */
    @Override
    void close();
}
