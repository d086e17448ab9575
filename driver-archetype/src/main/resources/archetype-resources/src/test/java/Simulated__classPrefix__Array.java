package ${package};

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A SIMULATED ${vendorName} array, for this driver's own tests only: an HTTP server on 127.0.0.1
 * (the JDK's {@code com.sun.net.httpserver}) answering the few calls {@link ${classPrefix}Client} makes, with
 * two thick pools held in memory. It is not the real array and proves nothing about it: certify
 * against a real array too (see README.md). Replace it with a simulator of your array's real API.
 *
 * <p>The password is generated per instance. {@code failController(String)} makes the whole
 * array unhealthy (the device-level fault the conformance kit checks as FAULT-8).
 */
public final class Simulated${classPrefix}Array implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService threads;
    private final String login = "admin";
    private final String password;
    private final Map<String, long[]> pools = new LinkedHashMap<>();   // name -> {total, free}
    private final Map<String, Object[]> volumes = new HashMap<>();     // name -> {pool, size}
    private volatile String failure;                                   // null while healthy

    private Simulated${classPrefix}Array(HttpServer server, ExecutorService threads, String password) {
        this.server = server;
        this.threads = threads;
        this.password = password;
        pools.put("gold", new long[] {1000, 1000});
        pools.put("silver", new long[] {200, 200});
    }

    /** Starts the simulated array on a free port of 127.0.0.1. */
    public static Simulated${classPrefix}Array start() {
        byte[] random = new byte[12];
        new SecureRandom().nextBytes(random);
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
            ExecutorService threads = Executors.newCachedThreadPool(task -> {
                Thread t = new Thread(task, "simulated-${driverId}-array");
                t.setDaemon(true);
                return t;
            });
            Simulated${classPrefix}Array array = new Simulated${classPrefix}Array(server, threads,
                    "pw-" + HexFormat.of().formatHex(random));
            server.createContext("/api/", array::handle);
            server.setExecutor(threads);
            server.start();
            return array;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start the simulated array", e);
        }
    }

    /** The port it listens on. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** Driver options that reach this array. */
    public Map<String, String> driverConfig() {
        Map<String, String> config = new LinkedHashMap<>();
        config.put(${classPrefix}DriverProvider.HOST, "127.0.0.1");
        config.put(${classPrefix}DriverProvider.PORT, String.valueOf(port()));
        config.put(${classPrefix}DriverProvider.LOGIN, login);
        config.put(${classPrefix}DriverProvider.PASSWORD, password);
        return config;
    }

    /** The simulated controller fails: health and every call answer HTTP 503 with {@code reason}. */
    public void failController(String reason) {
        failure = reason;
    }

    /** The simulated controller is repaired. Idempotent. */
    public void repair() {
        failure = null;
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String expected = "Basic " + Base64.getEncoder()
                    .encodeToString((login + ":" + password).getBytes(StandardCharsets.UTF_8));
            if (!expected.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                reply(exchange, 401, "bad credentials");
                return;
            }
            String reason = failure;
            if (reason != null) {
                reply(exchange, 503, reason);
                return;
            }
            URI uri = exchange.getRequestURI();
            Map<String, String> query = query(uri.getRawQuery());
            String path = uri.getPath();
            String method = exchange.getRequestMethod();
            synchronized (this) {
                if (path.equals("/api/health") && method.equals("GET")) {
                    reply(exchange, 200, "ok");
                } else if (path.equals("/api/pools") && method.equals("GET")) {
                    StringBuilder body = new StringBuilder();
                    long[] count = new long[1];
                    pools.forEach((name, p) -> {
                        count[0] = volumes.values().stream().filter(v -> v[0].equals(name)).count();
                        body.append(name).append(' ').append(p[0]).append(' ').append(p[1]).append(' ')
                                .append(count[0]).append('\n');
                    });
                    reply(exchange, 200, body.toString());
                } else if (path.startsWith("/api/volumes/")) {
                    volume(exchange, method, path.substring("/api/volumes/".length()), query);
                } else {
                    reply(exchange, 404, "no such call " + method + " " + path);
                }
            }
        }
    }

    private void volume(HttpExchange exchange, String method, String name, Map<String, String> query)
            throws IOException {
        Object[] volume = volumes.get(name);
        switch (method) {
            case "PUT": {
                long[] pool = pools.get(query.getOrDefault("pool", ""));
                long size = Long.parseLong(query.getOrDefault("size", "0"));
                if (pool == null) {
                    reply(exchange, 404, "no pool '" + query.get("pool") + "'");
                } else if (volume != null) {
                    reply(exchange, 409, "volume '" + name + "' exists");
                } else if (size < 1 || size > pool[1]) {
                    reply(exchange, 507, "pool '" + query.get("pool") + "' has " + pool[1] + " GiB free, not " + size);
                } else {
                    pool[1] -= size;
                    volumes.put(name, new Object[] {query.get("pool"), size});
                    reply(exchange, 201, query.get("pool"));
                }
                break;
            }
            case "DELETE":
                if (volume == null) {
                    reply(exchange, 404, "no volume '" + name + "'");
                } else {
                    volumes.remove(name);
                    pools.get((String) volume[0])[1] += (Long) volume[1];
                    reply(exchange, 204, "");
                }
                break;
            case "POST": {
                long size = Long.parseLong(query.getOrDefault("size", "0"));
                if (volume == null) {
                    reply(exchange, 404, "no volume '" + name + "'");
                    break;
                }
                long[] pool = pools.get((String) volume[0]);
                long grow = size - (Long) volume[1];
                if (grow <= 0) {
                    reply(exchange, 400, "volume '" + name + "' is already " + volume[1] + " GiB");
                } else if (grow > pool[1]) {
                    reply(exchange, 507, "pool has " + pool[1] + " GiB free, not " + grow);
                } else {
                    pool[1] -= grow;
                    volume[1] = size;
                    reply(exchange, 200, "");
                }
                break;
            }
            default:
                reply(exchange, 405, "method " + method);
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> values = new HashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                String[] kv = pair.split("=", 2);
                values.put(kv[0], kv.length == 2 ? kv[1] : "");
            }
        }
        return values;
    }

    private static void reply(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, status == 204 ? -1 : bytes.length == 0 ? -1 : bytes.length);
        if (status != 204 && bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
        }
    }
}
