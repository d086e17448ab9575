package io.cinderblock.driver.sim;

import io.cinderblock.sdk.error.DeviceUnavailableException;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Talks to a {@link SimulatedArrayServer} over a few persistent connections per array, shared by
 * every backend of this JVM that talks to the same array (address, port and key), as an HTTP client
 * keeps a keep-alive pool per host: a probe of 10,000 backends on one array then costs requests,
 * not 10,000 TCP handshakes per interval. Each request is bounded by a connect timeout (when a new
 * connection is needed) and a read timeout, so a stalled array can never hold a caller longer than
 * both. A connection that timed out or answered garbage is closed, never reused.
 */
final class SimulatedArrayClient implements Closeable {
    /** Kept below the array's idle limit, so a pooled connection is rarely closed under us. */
    static final long MAX_IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(SimulatedArrayServer.IDLE_MILLIS / 2);
    /** Idle connections kept per array; more are closed when given back (callers bound the busy ones). */
    static final int MAX_IDLE = 8;
    private static final Map<Endpoint, Pool> POOLS = new HashMap<>();

    private final String host;
    private final int port;
    private final Optional<String> accessKey;
    private final Duration timeout;
    private final Endpoint endpoint;
    private final Pool pool;
    private boolean closed;

    /** Where the connections go; the key is part of it because a connection authenticates once. */
    private record Endpoint(String host, int port, Optional<String> accessKey) {
        @Override
        public String toString() {
            return host + ":" + port; // never the key
        }
    }

    /** Idle connections to one array, and how many clients share them. */
    private static final class Pool {
        final Deque<Connection> idle = new ArrayDeque<>();
        int users;
        boolean closed;

        synchronized Connection borrow() {
            long now = System.nanoTime();
            Connection connection;
            while ((connection = idle.pollFirst()) != null) {
                if (now - connection.idleSince < MAX_IDLE_NANOS) {
                    return connection;
                }
                connection.close();
            }
            return null;
        }

        synchronized void giveBack(Connection connection) {
            if (closed || idle.size() >= MAX_IDLE) {
                connection.close();
                return;
            }
            connection.idleSince = System.nanoTime();
            idle.addFirst(connection); // most recently used first: the others age out
        }

        synchronized void closeAll() {
            closed = true;
            idle.forEach(Connection::close);
            idle.clear();
        }
    }

    /** One open connection, already past its {@code KEY} line. */
    private static final class Connection {
        final Socket socket;
        final Writer out;
        final BufferedReader in;
        long idleSince;

        Connection(Socket socket) throws IOException {
            this.socket = socket;
            this.out = new OutputStreamWriter(socket.getOutputStream(), StandardCharsets.UTF_8);
            this.in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        }

        void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }

    /** The array closed the connection before answering. */
    private static final class ClosedWithoutAnswer extends IOException {
        private static final long serialVersionUID = 1L;

        ClosedWithoutAnswer() {
            super("closed the connection without answering");
        }
    }

    SimulatedArrayClient(String host, int port, Optional<String> accessKey, Duration timeout) {
        this.host = host;
        this.port = port;
        this.accessKey = accessKey;
        this.timeout = timeout;
        this.endpoint = new Endpoint(host, port, accessKey);
        synchronized (POOLS) {
            Pool shared = POOLS.computeIfAbsent(endpoint, e -> new Pool());
            shared.users++;
            this.pool = shared;
        }
    }

    /** A parsed answer: {@code OK k=v ...} or {@code ERR CODE message}. */
    static final class Answer {
        final boolean ok;
        final String code;
        final String message;
        final Map<String, String> fields;
        final List<String> pools;

        private Answer(boolean ok, String code, String message, Map<String, String> fields, List<String> pools) {
            this.ok = ok;
            this.code = code;
            this.message = message;
            this.fields = fields;
            this.pools = pools;
        }

        static Answer parse(String line) {
            if (line.startsWith("ERR ")) {
                String[] parts = line.split(" ", 3);
                return new Answer(false, parts[1], parts.length > 2 ? parts[2] : "", Map.of(), List.of());
            }
            if (!line.equals("OK") && !line.startsWith("OK ")) {
                throw new IllegalArgumentException("malformed answer '" + line + "'");
            }
            Map<String, String> fields = new LinkedHashMap<>();
            List<String> pools = new ArrayList<>();
            for (String word : line.substring(2).strip().split(" ")) {
                if (word.isEmpty()) {
                    continue;
                }
                int eq = word.indexOf('=');
                if (eq < 1) {
                    throw new IllegalArgumentException("malformed field '" + word + "'");
                }
                if (word.startsWith("pool=") && word.indexOf(',') > 0) {
                    pools.add(word.substring(5));
                } else {
                    fields.put(word.substring(0, eq), word.substring(eq + 1));
                }
            }
            return new Answer(true, "", "", fields, pools);
        }
    }

    /**
     * Sends one request, on a pooled connection if one is open. A pooled connection the array has
     * closed meanwhile fails at once; the request is then sent once more on a new connection (the
     * array never read it, so nothing is done twice). A timeout is never retried.
     *
     * @throws DeviceUnavailableException when the array cannot be reached, resets, stalls past the
     *     timeout, or answers garbage
     */
    Answer send(String request) {
        String where = host + ":" + port;
        int millis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        Connection pooled = pool.borrow();
        if (pooled != null) {
            try {
                return exchange(pooled, request, where);
            } catch (SocketTimeoutException e) {
                pooled.close();
                throw timedOut(where, millis, e);
            } catch (IOException e) {
                pooled.close(); // closed by the array while idle: one try on a new connection
            }
        }
        Connection fresh;
        try {
            fresh = connect(millis);
        } catch (ConnectException e) {
            throw new DeviceUnavailableException("Cannot connect to simulated array at " + where + ": " + e.getMessage(), e);
        } catch (SocketTimeoutException e) {
            throw timedOut(where, millis, e);
        } catch (IOException e) {
            throw new DeviceUnavailableException("Connection to simulated array at " + where + " failed: " + e, e);
        }
        try {
            return exchange(fresh, request, where);
        } catch (ClosedWithoutAnswer e) {
            fresh.close();
            throw new DeviceUnavailableException("Simulated array at " + where + " closed the connection without answering");
        } catch (SocketTimeoutException e) {
            fresh.close();
            throw timedOut(where, millis, e);
        } catch (IOException e) {
            fresh.close();
            throw new DeviceUnavailableException("Connection to simulated array at " + where + " failed: " + e, e);
        }
    }

    private Connection connect(int millis) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(host, port), millis);
            socket.setSoTimeout(millis);
            socket.setTcpNoDelay(true);
            Connection connection = new Connection(socket);
            if (accessKey.isPresent()) {
                connection.out.write("KEY " + accessKey.get() + "\n");
            }
            return connection;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** One request and its answer; gives the connection back to the pool unless the array ends it. */
    private Answer exchange(Connection connection, String request, String where) throws IOException {
        connection.out.write(request + "\n");
        connection.out.flush();
        String line = connection.in.readLine();
        if (line == null) {
            throw new ClosedWithoutAnswer();
        }
        Answer answer;
        try {
            answer = Answer.parse(line.strip());
        } catch (IllegalArgumentException e) {
            connection.close();
            throw new DeviceUnavailableException("Simulated array at " + where + " sent a " + e.getMessage());
        }
        if (!answer.ok && answer.code.equals("AUTH")) {
            connection.close(); // the array closes a rejected connection
        } else {
            pool.giveBack(connection);
        }
        return answer;
    }

    private static DeviceUnavailableException timedOut(String where, int millis, SocketTimeoutException e) {
        return new DeviceUnavailableException("Simulated array at " + where + " did not answer within " + millis + " ms", e);
    }

    /** Stops sharing the pool; the last client of an array closes its idle connections. */
    @Override
    public void close() {
        synchronized (POOLS) {
            if (closed) {
                return;
            }
            closed = true;
            if (--pool.users == 0) {
                POOLS.remove(endpoint, pool);
                pool.closeAll();
            }
        }
    }
}
