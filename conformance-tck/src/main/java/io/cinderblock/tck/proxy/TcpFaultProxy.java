package io.cinderblock.tck.proxy;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.ApiStatus;
import io.cinderblock.sdk.spi.Transport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP fault proxy (SSH, HTTP, any request/response protocol). One thread per direction per
 * connection: the kit opens few connections, and plain blocking sockets keep the code short.
 *
 * <ul>
 *   <li>{@link FaultMode#REFUSE}: the listening socket is closed, so connects get RST from the kernel;
 *       healing binds the same port again.
 *   <li>{@link FaultMode#RESET}: connections are accepted and aborted at once ({@code SO_LINGER} 0, then close).
 *   <li>{@link FaultMode#STALL}: connections are accepted; what the driver sends is read and dropped, nothing is answered.
 *   <li>{@link FaultMode#SLOW}: each chunk from the device is held back by the latency before it is forwarded.
 *   <li>{@link FaultMode#IDLE_CLOSE}: forwards, and closes a connection once nothing crossed it for the idle timeout.
 *   <li>{@link FaultMode#HALF_OPEN}: open connections go silent for good; new ones are accepted and never answered.
 * </ul>
 *
 * <p>Sockets are read with a short timeout, so that an idle or silent connection still notices a
 * change of mode.
 *
 * @since 0.1
 */
@ApiStatus(value = ApiStatus.Status.EXPERIMENTAL, since = "0.1")
public final class TcpFaultProxy implements FaultProxy {
    private static final int CONNECT_TIMEOUT_MILLIS = 5_000;
    private static final int POLL_MILLIS = 100;

    private final InetSocketAddress target;
    private final int port;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final ExecutorService threads;
    private final Object lock = new Object();
    private volatile FaultMode mode = FaultMode.PASS;
    private volatile Duration latency = Duration.ofMillis(200);
    private volatile Duration idleTimeout = Duration.ofMillis(500);
    private final java.util.concurrent.atomic.AtomicLong arrivals = new java.util.concurrent.atomic.AtomicLong();
    private volatile boolean closed;
    private ServerSocket listener;
    private Future<?> acceptLoop;

    private TcpFaultProxy(InetSocketAddress target, ServerSocket listener) {
        this.target = target;
        this.listener = listener;
        this.port = listener.getLocalPort();
        AtomicInteger count = new AtomicInteger();
        this.threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "tck-tcp-proxy-" + port + "-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts a proxy on a free port of 127.0.0.1, forwarding to {@code target}.
     *
     * @param target the device endpoint to forward to
     * @return the started proxy, in {@link FaultMode#PASS}
     * @throws UncheckedIOException if no port can be bound
     * @since 0.1
     */
    public static TcpFaultProxy start(InetSocketAddress target) {
        requireNonNull(target, "target is null");
        try {
            TcpFaultProxy proxy = new TcpFaultProxy(target, bind(0));
            proxy.acceptLoop = proxy.acceptOn(proxy.listener);
            return proxy;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start a TCP fault proxy on 127.0.0.1", e);
        }
    }

    private static ServerSocket bind(int port) throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
        return socket;
    }

    @Override
    public Transport transport() {
        return Transport.TCP;
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
        return true;
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
    public void idleTimeout(Duration value) {
        requireNonNull(value, "idleTimeout is null");
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException("Idle timeout must be positive, got " + value);
        }
        this.idleTimeout = value;
    }

    @Override
    public long arrivals() {
        return arrivals.get();
    }

    @Override
    public void mode(FaultMode newMode) {
        requireNonNull(newMode, "mode is null");
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("The fault proxy on port " + port + " is closed");
            }
            this.mode = newMode;
            if (newMode == FaultMode.REFUSE || newMode == FaultMode.RESET) {
                // Connections the driver keeps open (SSH sessions, HTTP keep-alive) must see the fault too.
                sockets.forEach(TcpFaultProxy::abort);
            }
            try {
                if (newMode == FaultMode.REFUSE && listener != null) {
                    listener.close();
                    listener = null;
                    awaitAcceptLoopEnd();
                } else if (newMode != FaultMode.REFUSE && listener == null) {
                    listener = bind(port);
                    acceptLoop = acceptOn(listener);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot listen on 127.0.0.1:" + port + " again", e);
            }
        }
    }

    /**
     * The JDK closes a listening socket only once the thread blocked in {@code accept} has left it;
     * until then the kernel still completes handshakes. Waiting here makes "refused" mean refused
     * as soon as {@link #mode} returns.
     */
    private void awaitAcceptLoopEnd() {
        try {
            acceptLoop.get(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // the loop failed or is slow to notice; the socket is closed either way
        }
    }

    private Future<?> acceptOn(ServerSocket server) {
        return threads.submit(() -> {
            while (!server.isClosed()) {
                try {
                    Socket client = server.accept();
                    arrivals.incrementAndGet();
                    sockets.add(client);
                    threads.execute(() -> serve(client));
                } catch (IOException e) {
                    return; // closed: refused mode or shutdown
                }
            }
        });
    }

    private void serve(Socket client) {
        FaultMode now = mode;
        if (now == FaultMode.RESET || now == FaultMode.REFUSE) {
            abort(client);
            return;
        }
        if (now == FaultMode.STALL) {
            drain(client);
            return;
        }
        if (now == FaultMode.HALF_OPEN) {
            return; // accepted, kept open, never read: it stays silent until the proxy closes
        }
        Socket device = new Socket();
        try {
            device.connect(target, CONNECT_TIMEOUT_MILLIS);
        } catch (IOException e) {
            // The device itself refuses: pass that on as a reset, the closest a proxy can get.
            abort(client);
            close(device);
            return;
        }
        sockets.add(device);
        try {
            client.setSoTimeout(POLL_MILLIS);
            device.setSoTimeout(POLL_MILLIS);
        } catch (SocketException e) {
            abort(client);
            abort(device);
            return;
        }
        AtomicInteger directions = new AtomicInteger(2);
        java.util.concurrent.atomic.AtomicLong lastTraffic = new java.util.concurrent.atomic.AtomicLong(System.nanoTime());
        threads.execute(() -> pump(client, device, false, directions, lastTraffic));
        pump(device, client, true, directions, lastTraffic);
    }

    /** Copies {@code from} to {@code to} until either closes, applying the current mode to each chunk. */
    private void pump(Socket from, Socket to, boolean towardsDriver, AtomicInteger directions,
            java.util.concurrent.atomic.AtomicLong lastTraffic) {
        byte[] buffer = new byte[16 * 1024];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            int n;
            while (true) {
                if (mode == FaultMode.HALF_OPEN) {
                    silence(from);
                    return;
                }
                try {
                    n = in.read(buffer);
                } catch (java.net.SocketTimeoutException e) {
                    if (mode == FaultMode.IDLE_CLOSE
                            && System.nanoTime() - lastTraffic.get() >= idleTimeout.toNanos()) {
                        // The device's idle timer: an orderly close (FIN) of both ends.
                        close(from);
                        close(to);
                        return;
                    }
                    continue;
                }
                if (n < 0) {
                    break;
                }
                lastTraffic.set(System.nanoTime());
                FaultMode now = mode;
                if (now == FaultMode.HALF_OPEN) {
                    silence(from);
                    return;
                }
                if (now == FaultMode.STALL) {
                    continue; // read and dropped: the other side waits forever
                }
                if (now == FaultMode.REFUSE || now == FaultMode.RESET) {
                    break;
                }
                if (now == FaultMode.SLOW && towardsDriver) {
                    Thread.sleep(latency.toMillis());
                }
                out.write(buffer, 0, n);
                out.flush();
            }
            to.shutdownOutput();
        } catch (IOException e) {
            abort(to);
            abort(from);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (directions.decrementAndGet() == 0 || from.isClosed() || to.isClosed()) {
                forget(from);
                forget(to);
            }
        }
    }

    /** A half-open connection: neither read nor answered nor closed, until the proxy itself closes. */
    private void silence(Socket socket) {
        while (!closed && !socket.isClosed()) {
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void drain(Socket client) {
        byte[] buffer = new byte[4096];
        try (InputStream in = client.getInputStream()) {
            while (in.read(buffer) >= 0) {
                // dropped on purpose
            }
        } catch (IOException e) {
            // the driver gave up, or the proxy closed
        } finally {
            forget(client);
        }
    }

    private void forget(Socket socket) {
        sockets.remove(socket);
        close(socket);
    }

    /** Closes with a TCP RST rather than a FIN. */
    private static void abort(Socket socket) {
        try {
            socket.setSoLinger(true, 0);
        } catch (SocketException e) {
            // already closed
        }
        close(socket);
    }

    private static void close(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
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
                try {
                    listener.close();
                } catch (IOException e) {
                    // closing anyway
                }
                listener = null;
            }
            sockets.forEach(TcpFaultProxy::abort);
            sockets.clear();
            threads.shutdownNow();
        }
    }

    @Override
    public String toString() {
        return "TcpFaultProxy[127.0.0.1:" + port + " -> " + target + ", " + mode + "]";
    }
}
