package io.cinderblock.driver.sim;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;

/**
 * A SIMULATED storage array: a small TCP server holding devices, pools and volumes in memory. It is
 * not a real device and never claims to be; it exists so that the conformance kit has a
 * known-good driver to certify and the reference service has backends to demo, with devices that
 * can be switched up and down.
 *
 * <p>Protocol (UTF-8): an optional line {@code KEY <access key>}, then request lines {@code VERB
 * DEVICE [ARG...]}, one at a time on the same connection (a client may send one and close, or keep
 * the connection for more; an idle connection is closed after {@value #IDLE_MILLIS} ms); each answer
 * is one line, {@code OK [key=value...]}
 * or {@code ERR CODE message}. Codes: {@code DOWN} (the device is switched down), {@code NOSPACE},
 * {@code NOTFOUND}, {@code EXISTS}, {@code BADREQ}, {@code AUTH}. Verbs: {@code PING}, {@code
 * STATS}, {@code CREATE pool name gib}, {@code DELETE name}, {@code EXTEND name gib}, {@code SNAP
 * volume snapshot}, {@code DELSNAP snapshot}, {@code FROMSNAP snapshot name gib}, {@code CLONE
 * source name gib}, {@code EXPORT volume initiator}, {@code UNEXPORT volume initiator}, {@code SET
 * UP|DOWN [reason]}; and {@code WATCH} (the connection stays open and carries state changes, see
 * {@link WatchPump}). See the module README. A thread serves each request connection (a
 * driver keeps a few per array, see {@code SimulatedArrayClient}); one thread serves every watch
 * connection.
 *
 * <p>Run standalone: {@code java -cp driver-sim.jar io.cinderblock.driver.sim.SimulatedArrayServer
 * --port 18777 --device array-a:gold=1000,silver=500}.
 */
public final class SimulatedArrayServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(SimulatedArrayServer.class.getName());
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");
    private static final int MAX_LINE = 4096;
    /** An open request connection with no request for this long is closed. */
    static final int IDLE_MILLIS = 10_000;
    /** How often a WATCH connection carries a heartbeat, unless started with another period. */
    static final int HEARTBEAT_MILLIS = 1_000;
    private static final Map<Integer, SimulatedArrayServer> SHARED = new ConcurrentHashMap<>();

    private final ServerSocketChannel socket;
    private final int port;
    private final Optional<String> accessKey;
    private final Map<String, SimulatedDevice> devices = new ConcurrentHashMap<>();
    private final Set<SocketChannel> connections = ConcurrentHashMap.newKeySet();
    private final ExecutorService workers;
    private final WatchPump pump;
    private final Thread acceptor;
    private volatile boolean closed;

    private SimulatedArrayServer(ServerSocketChannel socket, Optional<String> accessKey, int heartbeatMillis)
            throws IOException {
        this.socket = socket;
        this.port = ((InetSocketAddress) socket.getLocalAddress()).getPort();
        this.accessKey = accessKey;
        this.pump = new WatchPump("sim-array-watch-" + port, heartbeatMillis);
        this.workers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "sim-array-worker");
            t.setDaemon(true);
            return t;
        });
        this.acceptor = new Thread(this::acceptLoop, "sim-array-" + port);
        this.acceptor.setDaemon(true);
    }

    /**
     * Starts a server on 127.0.0.1.
     *
     * @param port the port, or 0 for a free one
     * @param accessKey the key clients must send, if any
     * @return the running server; {@code close()} stops it
     * @throws IOException the port cannot be bound
     */
    public static SimulatedArrayServer start(int port, Optional<String> accessKey) throws IOException {
        return start(port, accessKey, HEARTBEAT_MILLIS);
    }

    /** Starts a server whose WATCH connections carry a heartbeat every {@code heartbeatMillis}. */
    static SimulatedArrayServer start(int port, Optional<String> accessKey, int heartbeatMillis) throws IOException {
        if (heartbeatMillis < 1) {
            throw new IllegalArgumentException("heartbeat period must be at least 1 ms, got " + heartbeatMillis);
        }
        ServerSocketChannel socket = ServerSocketChannel.open();
        socket.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        try {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
        SimulatedArrayServer server = new SimulatedArrayServer(socket, accessKey, heartbeatMillis);
        server.acceptor.start();
        return server;
    }

    /**
     * The server this JVM runs on {@code port}, started on first use. Used by the driver's {@code
     * sim_start_server} option so a demo needs no separate process.
     */
    static SimulatedArrayServer shared(int port, Optional<String> accessKey) throws IOException {
        synchronized (SHARED) {
            SimulatedArrayServer existing = SHARED.get(port);
            if (existing != null && !existing.closed) {
                if (!existing.accessKey.equals(accessKey)) {
                    throw new IOException("The simulated array on port " + port + " runs with another access key");
                }
                return existing;
            }
            SimulatedArrayServer server = start(port, accessKey);
            SHARED.put(port, server);
            return server;
        }
    }

    /**
     * The port it listens on.
     *
     * @return the port on 127.0.0.1
     */
    public int port() {
        return port;
    }

    /** Request connections open now, each held by a thread (tests: how many a client keeps). */
    int requestConnections() {
        return connections.size();
    }

    /** Watch connections open now, all served by one thread. */
    int watchConnections() {
        return pump.size();
    }

    /**
     * Adds a device with pools of the given sizes (GiB), unless one of that name exists.
     *
     * @param name the device's name, as the driver's {@code sim_device} option names it
     * @param poolSizesGib each pool's name and total size in GiB
     */
    public void addDevice(String name, Map<String, Long> poolSizesGib) {
        checkName(name);
        if (poolSizesGib.isEmpty()) {
            throw new IllegalArgumentException("SimulatedDevice '" + name + "' needs at least one pool");
        }
        poolSizesGib.forEach((pool, size) -> {
            checkName(pool);
            if (size < 1) {
                throw new IllegalArgumentException("Pool '" + pool + "' must have at least 1 GiB, got " + size);
            }
        });
        devices.computeIfAbsent(name, n -> new SimulatedDevice(n, poolSizesGib));
    }

    /**
     * Switches a device up, or down with a reason (what its PING then answers).
     *
     * @param name the device's name
     * @param up whether it answers as healthy
     * @param reason what it says when down
     * @throws IllegalArgumentException no device has that name
     */
    public void setDeviceUp(String name, boolean up, String reason) {
        device(name).orElseThrow(() -> new IllegalArgumentException("No simulated device '" + name + "'"))
                .setUp(up, reason);
    }

    /**
     * The device names.
     *
     * @return the names of the devices added so far
     */
    public List<String> devices() {
        return new ArrayList<>(devices.keySet());
    }

    Optional<SimulatedDevice> device(String name) {
        return Optional.ofNullable(devices.get(name));
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                SocketChannel client = socket.accept();
                connections.add(client);
                workers.execute(() -> serve(client));
            } catch (IOException e) {
                if (!closed) {
                    LOG.log(System.Logger.Level.WARNING, "Simulated array accept failed: {0}", e.toString());
                }
            }
        }
    }

    private void serve(SocketChannel channel) {
        boolean watching = false;
        try {
            Socket client = channel.socket();
            client.setSoTimeout(IDLE_MILLIS);
            BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8));
            Writer out = new OutputStreamWriter(client.getOutputStream(), StandardCharsets.UTF_8);
            String line = readLine(in);
            if (line != null && line.startsWith("KEY ")) {
                String given = line.substring(4);
                line = readLine(in);
                if (accessKey.isPresent() && !accessKey.get().equals(given)) {
                    out.write("ERR AUTH access key rejected\n");
                    out.flush();
                    return;
                }
            } else if (accessKey.isPresent()) {
                out.write("ERR AUTH access key required\n");
                out.flush();
                return;
            }
            if (line == null) {
                out.write("ERR BADREQ empty request\n");
                out.flush();
                return;
            }
            while (line != null && !closed) {
                if (line.startsWith("WATCH ")) {
                    watching = watch(channel, out, line.substring(6).strip());
                    return;
                }
                out.write(handle(line) + "\n");
                out.flush();
                line = readLine(in);
            }
        } catch (SocketException e) {
            // The client went away; nothing to answer.
        } catch (IOException e) {
            // Also an idle connection timing out: the client opens another when it needs one.
            LOG.log(System.Logger.Level.DEBUG, "Simulated array connection ended: {0}", e.toString());
        } finally {
            connections.remove(channel);
            if (!watching) {
                closeQuietly(channel);
            }
        }
    }

    /**
     * {@code WATCH DEVICE}: hands the connection to the {@link WatchPump}, which sends the device's
     * state as {@code STATE UP} or {@code STATE DOWN reason} lines, once at once and then on every
     * change, and a {@code HEARTBEAT} line every heartbeat period (default {@value #HEARTBEAT_MILLIS}
     * ms) so that either side
     * notices a dead peer. Returns whether the pump took the connection.
     */
    private boolean watch(SocketChannel channel, Writer out, String deviceName) throws IOException {
        Optional<SimulatedDevice> device = device(deviceName);
        if (device.isEmpty()) {
            out.write("ERR NOTFOUND no device '" + deviceName + "'\n");
            out.flush();
            return false;
        }
        pump.add(channel, device.get());
        return true;
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    private static String readLine(BufferedReader in) throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            if (line.length() >= MAX_LINE) {
                throw new IOException("request line too long");
            }
            line.append((char) c);
        }
        return c == -1 && line.length() == 0 ? null : line.toString().strip();
    }

    String handle(String line) {
        String[] words = line.split(" ", -1);
        if (words.length < 2) {
            return "ERR BADREQ expected 'VERB DEVICE ...', got '" + line + "'";
        }
        Optional<SimulatedDevice> device = device(words[1]);
        if (device.isEmpty()) {
            return "ERR NOTFOUND no device '" + words[1] + "'";
        }
        try {
            return device.get().handle(words[0], List.of(words).subList(2, words.length));
        } catch (IllegalArgumentException e) {
            return "ERR BADREQ " + e.getMessage();
        }
    }

    static void checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("bad name '" + name + "'");
        }
    }

    @Override
    public void close() {
        closed = true;
        SHARED.remove(port(), this);
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
        // The JDK releases a listening channel's port only once the thread blocked in accept() has
        // left it; wait for that, so the port can be bound again as soon as close() returns.
        if (Thread.currentThread() != acceptor) {
            try {
                acceptor.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        pump.close();
        connections.forEach(SimulatedArrayServer::closeQuietly);
        workers.shutdownNow();
    }

    /**
     * Standalone: {@code --port N [--heartbeat-millis MS] --device NAME:POOL=GIB[,POOL=GIB...]...}
     * (access key from {@code SIM_ACCESS_KEY}).
     *
     * @param args the command line above
     * @throws Exception the server cannot start; it then exits with the cause
     */
    public static void main(String[] args) throws Exception {
        int port = 18777;
        int heartbeat = HEARTBEAT_MILLIS;
        Optional<String> key = Optional.ofNullable(System.getenv("SIM_ACCESS_KEY"));
        Map<String, Map<String, Long>> devices = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port":
                    port = Integer.parseInt(args[++i]);
                    break;
                case "--heartbeat-millis":
                    heartbeat = Integer.parseInt(args[++i]);
                    break;
                case "--device":
                    String[] parts = args[++i].split(":", 2);
                    Map<String, Long> pools = new LinkedHashMap<>();
                    for (String pool : parts[1].split(",")) {
                        String[] kv = pool.split("=", 2);
                        pools.put(kv[0], Long.parseLong(kv[1]));
                    }
                    devices.put(parts[0], pools);
                    break;
                default:
                    System.err.println("usage: SimulatedArrayServer --port N [--heartbeat-millis MS] "
                            + "--device NAME:POOL=GIB[,POOL=GIB]...");
                    System.exit(2);
            }
        }
        SimulatedArrayServer server = start(port, key, heartbeat);
        devices.forEach(server::addDevice);
        System.out.println("SIMULATED array listening on 127.0.0.1:" + server.port() + " with devices " + server.devices());
        Thread.currentThread().join();
    }
}
