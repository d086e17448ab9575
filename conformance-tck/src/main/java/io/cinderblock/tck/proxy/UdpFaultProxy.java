package io.cinderblock.tck.proxy;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.ApiStatus;
import io.cinderblock.sdk.spi.Transport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A UDP fault proxy (SNMP). Datagrams from the driver go to the device from one upstream socket;
 * answers go back to the driver address that sent last, which is how a request/response client
 * such as an SNMP manager behaves.
 *
 * <ul>
 *   <li>{@link FaultMode#STALL}: datagrams are dropped both ways (UDP's "never answers").
 *   <li>{@link FaultMode#SLOW}: answers are delayed by the latency.
 *   <li>{@link FaultMode#REFUSE}: the proxy's socket is closed, so the kernel answers ICMP port unreachable.
 *   <li>{@link FaultMode#RESET}: not supported; UDP has no connection to reset.
 * </ul>
 *
 * @since 0.1
 */
@ApiStatus(value = ApiStatus.Status.EXPERIMENTAL, since = "0.1")
public final class UdpFaultProxy implements FaultProxy {
    private static final int MAX_DATAGRAM = 65_535;

    private final InetSocketAddress target;
    private final int port;
    private final DatagramSocket upstream;
    private final ScheduledExecutorService threads;
    private final Object lock = new Object();
    private volatile FaultMode mode = FaultMode.PASS;
    private volatile Duration latency = Duration.ofMillis(200);
    private volatile SocketAddress lastClient;
    private volatile DatagramSocket listener;
    private volatile Future<?> receiveLoop;
    private volatile boolean closed;
    private final java.util.concurrent.atomic.AtomicLong arrivals = new java.util.concurrent.atomic.AtomicLong();

    private UdpFaultProxy(InetSocketAddress target, DatagramSocket listener, DatagramSocket upstream) {
        this.target = target;
        this.listener = listener;
        this.upstream = upstream;
        this.port = listener.getLocalPort();
        this.threads = Executors.newScheduledThreadPool(3, r -> {
            Thread t = new Thread(r, "tck-udp-proxy-" + port);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts a proxy on a free UDP port of 127.0.0.1, forwarding to {@code target}.
     *
     * @param target the device endpoint to forward to
     * @return the started proxy, in {@link FaultMode#PASS}
     * @throws UncheckedIOException if no port can be bound
     * @since 0.1
     */
    public static UdpFaultProxy start(InetSocketAddress target) {
        requireNonNull(target, "target is null");
        try {
            DatagramSocket listener = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            DatagramSocket upstream = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            UdpFaultProxy proxy = new UdpFaultProxy(target, listener, upstream);
            proxy.receiveLoop = proxy.receiveFromDriver(listener);
            proxy.threads.execute(proxy::receiveFromDevice);
            return proxy;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start a UDP fault proxy on 127.0.0.1", e);
        }
    }

    @Override
    public Transport transport() {
        return Transport.UDP;
    }

    @Override
    public InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }

    @Override
    public InetSocketAddress target() {
        return target;
    }

    @Override
    public boolean supports(FaultMode mode) {
        return mode != FaultMode.RESET && mode != FaultMode.IDLE_CLOSE && mode != FaultMode.HALF_OPEN;
    }

    @Override
    public long arrivals() {
        return arrivals.get();
    }

    @Override
    public FaultMode mode() {
        return mode;
    }

    @Override
    public void latency(Duration value) {
        requireNonNull(value, "latency is null");
        if (value.isNegative()) {
            throw new IllegalArgumentException("Latency must be >= 0, got " + value);
        }
        this.latency = value;
    }

    @Override
    public void mode(FaultMode newMode) {
        requireNonNull(newMode, "mode is null");
        if (!supports(newMode)) {
            throw new UnsupportedOperationException("A UDP proxy cannot simulate " + newMode
                    + ": UDP has no connection to reset, close or leave half-open");
        }
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("The fault proxy on port " + port + " is closed");
            }
            this.mode = newMode;
            try {
                if (newMode == FaultMode.REFUSE && listener != null) {
                    listener.close();
                    listener = null;
                    awaitReceiveLoopEnd();
                } else if (newMode != FaultMode.REFUSE && listener == null) {
                    DatagramSocket socket = new DatagramSocket(null);
                    socket.setReuseAddress(true);
                    socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                    listener = socket;
                    receiveLoop = receiveFromDriver(socket);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot listen on UDP 127.0.0.1:" + port + " again", e);
            }
        }
    }

    /** The JDK really closes a socket only once the thread blocked in {@code receive} has left it. */
    private void awaitReceiveLoopEnd() {
        try {
            receiveLoop.get(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // the socket is closed either way
        }
    }

    private Future<?> receiveFromDriver(DatagramSocket socket) {
        return threads.submit(() -> {
            byte[] buffer = new byte[MAX_DATAGRAM];
            while (!socket.isClosed()) {
                try {
                    DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                    socket.receive(packet);
                    arrivals.incrementAndGet();
                    if (mode != FaultMode.PASS && mode != FaultMode.SLOW) {
                        continue;
                    }
                    lastClient = packet.getSocketAddress();
                    upstream.send(new DatagramPacket(Arrays.copyOf(packet.getData(), packet.getLength()),
                            packet.getLength(), target));
                } catch (IOException e) {
                    if (socket.isClosed()) {
                        return;
                    }
                }
            }
        });
    }

    private void receiveFromDevice() {
        byte[] buffer = new byte[MAX_DATAGRAM];
        while (!upstream.isClosed()) {
            try {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                upstream.receive(packet);
                FaultMode now = mode;
                SocketAddress client = lastClient;
                if (client == null || now == FaultMode.STALL || now == FaultMode.REFUSE) {
                    continue;
                }
                byte[] answer = Arrays.copyOf(packet.getData(), packet.getLength());
                if (now == FaultMode.SLOW) {
                    threads.schedule(() -> answer(answer, client), latency.toMillis(), TimeUnit.MILLISECONDS);
                } else {
                    answer(answer, client);
                }
            } catch (IOException e) {
                if (upstream.isClosed()) {
                    return;
                }
            }
        }
    }

    private void answer(byte[] data, SocketAddress client) {
        DatagramSocket socket = listener;
        if (socket == null || mode == FaultMode.STALL) {
            return;
        }
        try {
            socket.send(new DatagramPacket(data, data.length, client));
        } catch (IOException e) {
            // the driver's socket went away; UDP does not care
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            if (listener != null) {
                listener.close();
                listener = null;
            }
            upstream.close();
            threads.shutdownNow();
        }
    }

    @Override
    public String toString() {
        return "UdpFaultProxy[127.0.0.1:" + port + " -> " + target + ", " + mode + "]";
    }
}
