package io.cinderblock.driver.sim;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.security.SecureRandom;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A SIMULATED storage array: a small TCP server holding devices, pools and volumes in memory. It is
 * not a real device and never claims to be; it exists so that the conformance kit has a
 * known-good driver to certify and the reference service has backends to demo, with devices that
 * can be switched up and down.
 *
 * <p>Protocol (UTF-8, one request per connection): an optional line {@code KEY <access key>}, then
 * one request line {@code VERB DEVICE [ARG...]}; the answer is one line, {@code OK [key=value...]}
 * or {@code ERR CODE message}. Codes: {@code DOWN} (the device is switched down), {@code NOSPACE},
 * {@code NOTFOUND}, {@code EXISTS}, {@code BADREQ}, {@code AUTH}. Verbs: {@code PING}, {@code
 * STATS}, {@code CREATE pool name gib}, {@code DELETE name}, {@code EXTEND name gib}, {@code SNAP
 * volume snapshot}, {@code DELSNAP snapshot}, {@code FROMSNAP snapshot name gib}, {@code CLONE
 * source name gib}, {@code EXPORT volume initiator}, {@code UNEXPORT volume initiator}, {@code SET
 * UP|DOWN [reason]}; and {@code WATCH} (the connection stays open and carries state changes, see
 * {@link #watch}). See the module README.
 *
 * <p>Run standalone: {@code java -cp driver-sim.jar io.cinderblock.driver.sim.SimulatedArrayServer
 * --port 18777 --device array-a:gold=1000,silver=500}.
 */
public final class SimulatedArrayServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(SimulatedArrayServer.class.getName());
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");
    private static final int MAX_LINE = 4096;
    /** How often a WATCH connection carries a heartbeat when nothing changes. */
    static final int HEARTBEAT_MILLIS = 2_000;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Map<Integer, SimulatedArrayServer> SHARED = new ConcurrentHashMap<>();

    private final ServerSocket socket;
    private final Optional<String> accessKey;
    private final Map<String, Device> devices = new ConcurrentHashMap<>();
    private final ExecutorService workers;
    private final Thread acceptor;
    private volatile boolean closed;

    private SimulatedArrayServer(ServerSocket socket, Optional<String> accessKey) {
        this.socket = socket;
        this.accessKey = accessKey;
        this.workers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "sim-array-worker");
            t.setDaemon(true);
            return t;
        });
        this.acceptor = new Thread(this::acceptLoop, "sim-array-" + socket.getLocalPort());
        this.acceptor.setDaemon(true);
    }

    /**
     * Starts a server on 127.0.0.1.
     *
     * @param port the port, or 0 for a free one
     * @param accessKey the key clients must send, if any
     */
    public static SimulatedArrayServer start(int port, Optional<String> accessKey) throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
        SimulatedArrayServer server = new SimulatedArrayServer(socket, accessKey);
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

    /** The port it listens on. */
    public int port() {
        return socket.getLocalPort();
    }

    /** Adds a device with pools of the given sizes (GiB), unless one of that name exists. */
    public void addDevice(String name, Map<String, Long> poolSizesGib) {
        checkName(name);
        if (poolSizesGib.isEmpty()) {
            throw new IllegalArgumentException("Device '" + name + "' needs at least one pool");
        }
        poolSizesGib.forEach((pool, size) -> {
            checkName(pool);
            if (size < 1) {
                throw new IllegalArgumentException("Pool '" + pool + "' must have at least 1 GiB, got " + size);
            }
        });
        devices.computeIfAbsent(name, n -> new Device(n, poolSizesGib));
    }

    /** Switches a device up, or down with a reason (what its PING then answers). */
    public void setDeviceUp(String name, boolean up, String reason) {
        device(name).orElseThrow(() -> new IllegalArgumentException("No simulated device '" + name + "'"))
                .setUp(up, reason);
    }

    /** The device names. */
    public List<String> devices() {
        return new ArrayList<>(devices.keySet());
    }

    Optional<Device> device(String name) {
        return Optional.ofNullable(devices.get(name));
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = socket.accept();
                workers.execute(() -> serve(client));
            } catch (IOException e) {
                if (!closed) {
                    LOG.log(System.Logger.Level.WARNING, "Simulated array accept failed: {0}", e.toString());
                }
            }
        }
    }

    private void serve(Socket client) {
        try (client) {
            client.setSoTimeout(10_000);
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
            if (line != null && line.startsWith("WATCH ")) {
                watch(client, out, line.substring(6).strip());
                return;
            }
            out.write((line == null ? "ERR BADREQ empty request" : handle(line)) + "\n");
            out.flush();
        } catch (SocketException e) {
            // The client went away; nothing to answer.
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "Simulated array request failed: {0}", e.toString());
        }
    }

    /**
     * {@code WATCH DEVICE}: the array pushes the device's state on this connection, as {@code STATE
     * UP} or {@code STATE DOWN reason} lines, once at once and then on every change, with a {@code
     * HEARTBEAT} line every {@value #HEARTBEAT_MILLIS} ms so that either side notices a dead peer.
     */
    private void watch(Socket client, Writer out, String deviceName) throws IOException {
        Optional<Device> device = device(deviceName);
        if (device.isEmpty()) {
            out.write("ERR NOTFOUND no device '" + deviceName + "'\n");
            out.flush();
            return;
        }
        BlockingQueue<String> events = new LinkedBlockingQueue<>();
        String initial = device.get().watch(events);
        try {
            client.setSoTimeout(0);
            out.write(initial + "\n");
            out.flush();
            while (!closed) {
                String event = events.poll(HEARTBEAT_MILLIS, TimeUnit.MILLISECONDS);
                out.write((event == null ? "HEARTBEAT" : event) + "\n");
                out.flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            device.get().unwatch(events);
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
        Optional<Device> device = device(words[1]);
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
        workers.shutdownNow();
    }

    /** One simulated device: pools, volumes, snapshots and exports. All methods hold the device lock. */
    static final class Device {
        private final String name;
        private final Map<String, Long> pools;
        private final Map<String, Vol> volumes = new LinkedHashMap<>();
        private final Map<String, Vol> snapshots = new LinkedHashMap<>();
        private final Map<String, String> exports = new LinkedHashMap<>();
        private boolean up = true;
        private String downReason = "";
        private final List<Queue<String>> watchers = new CopyOnWriteArrayList<>();

        Device(String name, Map<String, Long> pools) {
            this.name = name;
            this.pools = new LinkedHashMap<>(pools);
        }

        synchronized void setUp(boolean value, String reason) {
            boolean changed = value != up;
            this.up = value;
            this.downReason = value ? "" : (reason == null || reason.isBlank() ? "switched down" : reason);
            if (changed) {
                String event = stateLine();
                watchers.forEach(watcher -> watcher.add(event));
            }
        }

        /** Registers a watcher; returns the current state line, consistent with the events that follow. */
        synchronized String watch(Queue<String> events) {
            watchers.add(events);
            return stateLine();
        }

        void unwatch(Queue<String> events) {
            watchers.remove(events);
        }

        private String stateLine() {
            return up ? "STATE UP" : "STATE DOWN " + downReason;
        }

        synchronized String handle(String verb, List<String> args) {
            if (verb.equals("SET")) {
                need(args, 1, "SET UP|DOWN [reason]");
                switch (args.get(0)) {
                    case "UP":
                        setUp(true, "");
                        return "OK state=up";
                    case "DOWN":
                        setUp(false, String.join(" ", args.subList(1, args.size())));
                        return "OK state=down";
                    default:
                        throw new IllegalArgumentException("SET takes UP or DOWN, got '" + args.get(0) + "'");
                }
            }
            if (!up) {
                return "ERR DOWN " + downReason;
            }
            switch (verb) {
                case "PING":
                    return "OK state=up";
                case "STATS":
                    return stats();
                case "CREATE":
                    need(args, 3, "CREATE pool name gib");
                    return create(args.get(0), args.get(1), gib(args.get(2)), null);
                case "DELETE":
                    need(args, 1, "DELETE name");
                    if (snapshots.values().stream().anyMatch(s -> s.source.equals(args.get(0)))) {
                        return "ERR BADREQ volume '" + args.get(0) + "' has snapshots";
                    }
                    volumes.remove(args.get(0));
                    exports.keySet().removeIf(k -> k.startsWith(args.get(0) + " "));
                    return "OK";
                case "EXTEND":
                    need(args, 2, "EXTEND name gib");
                    return extend(args.get(0), gib(args.get(1)));
                case "SNAP":
                    need(args, 2, "SNAP volume snapshot");
                    return snapshot(args.get(0), args.get(1));
                case "DELSNAP":
                    need(args, 1, "DELSNAP snapshot");
                    snapshots.remove(args.get(0));
                    return "OK";
                case "FROMSNAP":
                    need(args, 3, "FROMSNAP snapshot name gib");
                    Vol snap = snapshots.get(args.get(0));
                    if (snap == null) {
                        return "ERR NOTFOUND no snapshot '" + args.get(0) + "'";
                    }
                    return create(snap.pool, args.get(1), Math.max(snap.gib, gib(args.get(2))), args.get(0));
                case "CLONE":
                    need(args, 3, "CLONE source name gib");
                    Vol source = volumes.get(args.get(0));
                    if (source == null) {
                        return "ERR NOTFOUND no volume '" + args.get(0) + "'";
                    }
                    return create(source.pool, args.get(1), Math.max(source.gib, gib(args.get(2))), args.get(0));
                case "EXPORT":
                    need(args, 2, "EXPORT volume initiator");
                    return export(args.get(0), args.get(1));
                case "UNEXPORT":
                    need(args, 2, "UNEXPORT volume initiator");
                    exports.remove(args.get(0) + " " + args.get(1));
                    return "OK";
                default:
                    throw new IllegalArgumentException("unknown verb '" + verb + "'");
            }
        }

        private String stats() {
            StringBuilder answer = new StringBuilder("OK");
            pools.forEach((pool, total) -> {
                long used = usedGib(pool);
                long count = volumes.values().stream().filter(v -> v.pool.equals(pool)).count();
                answer.append(" pool=").append(pool).append(',').append(total).append(',').append(total - used)
                        .append(',').append(count).append(',').append(used);
            });
            return answer.toString();
        }

        private long usedGib(String pool) {
            return volumes.values().stream().filter(v -> v.pool.equals(pool)).mapToLong(v -> v.gib).sum()
                    + snapshots.values().stream().filter(v -> v.pool.equals(pool)).mapToLong(v -> v.gib).sum();
        }

        private String create(String pool, String volume, long gib, String source) {
            checkName(volume);
            Long total = pools.get(pool);
            if (total == null) {
                return "ERR NOTFOUND no pool '" + pool + "'";
            }
            if (volumes.containsKey(volume)) {
                return "ERR EXISTS volume '" + volume + "' exists";
            }
            long free = total - usedGib(pool);
            if (gib > free) {
                return "ERR NOSPACE pool '" + pool + "' has " + free + " GiB free, " + gib + " GiB requested";
            }
            volumes.put(volume, new Vol(pool, gib, source == null ? "" : source));
            return "OK pool=" + pool + " gib=" + gib;
        }

        private String extend(String volume, long gib) {
            Vol vol = volumes.get(volume);
            if (vol == null) {
                return "ERR NOTFOUND no volume '" + volume + "'";
            }
            if (gib <= vol.gib) {
                return "ERR BADREQ new size " + gib + " GiB does not exceed " + vol.gib + " GiB";
            }
            long free = pools.get(vol.pool) - usedGib(vol.pool);
            if (gib - vol.gib > free) {
                return "ERR NOSPACE pool '" + vol.pool + "' has " + free + " GiB free";
            }
            volumes.put(volume, new Vol(vol.pool, gib, vol.source));
            return "OK gib=" + gib;
        }

        private String snapshot(String volume, String snapshot) {
            checkName(snapshot);
            Vol vol = volumes.get(volume);
            if (vol == null) {
                return "ERR NOTFOUND no volume '" + volume + "'";
            }
            if (snapshots.containsKey(snapshot)) {
                return "ERR EXISTS snapshot '" + snapshot + "' exists";
            }
            // A full-copy snapshot: it takes space, so pool accounting stays honest.
            long free = pools.get(vol.pool) - usedGib(vol.pool);
            if (vol.gib > free) {
                return "ERR NOSPACE pool '" + vol.pool + "' has " + free + " GiB free";
            }
            snapshots.put(snapshot, new Vol(vol.pool, vol.gib, volume));
            return "OK gib=" + vol.gib;
        }

        private String export(String volume, String initiator) {
            checkName(initiator);
            if (!volumes.containsKey(volume)) {
                return "ERR NOTFOUND no volume '" + volume + "'";
            }
            String key = volume + " " + initiator;
            String secret = exports.computeIfAbsent(key, k -> randomHex(16));
            return "OK iqn=iqn.2026-11.io.cinderblock.sim:" + name.toLowerCase(Locale.ROOT) + "."
                    + volume.toLowerCase(Locale.ROOT) + " lun=1 user=sim-" + randomHex(4) + " secret=" + secret;
        }

        private static String randomHex(int bytes) {
            byte[] random = new byte[bytes];
            RANDOM.nextBytes(random);
            StringBuilder hex = new StringBuilder();
            for (byte b : random) {
                hex.append(String.format("%02x", b));
            }
            return hex.toString();
        }

        private static void need(List<String> args, int count, String usage) {
            if (args.size() < count) {
                throw new IllegalArgumentException("usage: " + usage);
            }
        }

        private static long gib(String text) {
            try {
                long value = Long.parseLong(text);
                if (value < 1) {
                    throw new IllegalArgumentException("size must be at least 1 GiB, got " + value);
                }
                return value;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a size in GiB: '" + text + "'");
            }
        }
    }

    private static final class Vol {
        final String pool;
        final long gib;
        final String source;

        Vol(String pool, long gib, String source) {
            this.pool = pool;
            this.gib = gib;
            this.source = source;
        }
    }

    /** Standalone: {@code --port N [--key K] --device NAME:POOL=GIB[,POOL=GIB...]...}. */
    public static void main(String[] args) throws Exception {
        int port = 18777;
        Optional<String> key = Optional.ofNullable(System.getenv("SIM_ACCESS_KEY"));
        Map<String, Map<String, Long>> devices = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port":
                    port = Integer.parseInt(args[++i]);
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
                    System.err.println("usage: SimulatedArrayServer --port N --device NAME:POOL=GIB[,POOL=GIB]...");
                    System.exit(2);
            }
        }
        SimulatedArrayServer server = start(port, key);
        devices.forEach(server::addDevice);
        System.out.println("SIMULATED array listening on 127.0.0.1:" + server.port() + " with devices " + server.devices());
        Thread.currentThread().join();
    }
}
