package io.cinderblock.sdk.testing;

import io.cinderblock.sdk.ApiStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * Ports on the loopback interface that were free a moment ago, for tests that start a real server
 * (sshd, snmpd, a simulated array) on a port they must name in its configuration. The port is
 * released before it is returned, so another process may take it in between: prefer letting a
 * server bind port 0 and asking it for its port when it can.
 *
 * @since 0.2
 */
@ApiStatus(value = ApiStatus.Status.EXPERIMENTAL, since = "0.2")
public final class LocalPorts {
    private LocalPorts() {}

    /**
     * {@return a TCP port on {@link InetAddress#getLoopbackAddress()} that was free a moment ago}
     *
     * @throws UncheckedIOException if the system has no port left to give
     * @since 0.2
     */
    public static int freeTcpPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("No free TCP port on loopback: " + e.getMessage(), e);
        }
    }

    /**
     * {@return a UDP port on {@link InetAddress#getLoopbackAddress()} that was free a moment ago}
     *
     * @throws UncheckedIOException if the system has no port left to give
     * @since 0.2
     */
    public static int freeUdpPort() {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("No free UDP port on loopback: " + e.getMessage(), e);
        }
    }
}
