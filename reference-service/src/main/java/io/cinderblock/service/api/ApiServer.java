package io.cinderblock.service.api;

import static java.util.Objects.requireNonNull;

import io.cinderblock.service.ops.AccessLog;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.EofException;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The HTTP server: plain Jetty 12 (no servlets) in front of {@link CinderApi}. Jetty adds only
 * {@code Date}; its {@code Server} header is off, so the headers are the ones Cinder sends.
 */
public final class ApiServer implements AutoCloseable {
    private final Server server;
    private final ServerConnector connector;

    private ApiServer(Server server, ServerConnector connector) {
        this.server = server;
        this.connector = connector;
    }

    /**
     * Starts listening.
     *
     * @param port the port, 0 for a free one
     * @param maxBodySize larger bodies are answered 413 without being read whole
     */
    public static ApiServer start(CinderApi api, String address, int port, int maxBodySize) {
        requireNonNull(api, "api is null");
        return start(Optional.of(api), Optional.empty(), address, port, maxBodySize);
    }

    /**
     * Starts listening for the Cinder API (when given) and the operations endpoints (when given),
     * with the default {@link ClientDeadlines}. An agent-only process passes no API: it serves
     * {@code /healthz}, {@code /readyz} and {@code /metrics} only.
     *
     * @param port the port, 0 for a free one
     * @param maxBodySize larger bodies are answered 413 without being read whole
     */
    public static ApiServer start(Optional<CinderApi> api, Optional<OpsEndpoints> ops, String address, int port,
            int maxBodySize) {
        return start(api, ops, address, port, maxBodySize, ClientDeadlines.DEFAULT);
    }

    /**
     * Starts listening, cutting off clients that take longer than {@code deadlines} to send a
     * request's headers or body.
     *
     * @param port the port, 0 for a free one
     * @param maxBodySize larger bodies are answered 413 without being read whole
     */
    public static ApiServer start(Optional<CinderApi> api, Optional<OpsEndpoints> ops, String address, int port,
            int maxBodySize, ClientDeadlines deadlines) {
        requireNonNull(api, "api is null");
        requireNonNull(ops, "ops is null");
        requireNonNull(deadlines, "deadlines is null");
        QueuedThreadPool threads = new QueuedThreadPool(64, 4);
        threads.setName("cinderblock-api");
        threads.setDaemon(true);
        Server server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        http.setSendDateHeader(true);
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost(address);
        connector.setPort(port);
        SlowClientGuard guard = new SlowClientGuard(deadlines);
        // A bean of the connector: Jetty adds it as a listener to every connection it opens.
        connector.addBean(guard);
        server.addConnector(connector);
        server.setHandler(new AccessLog(new Adapter(api, ops, maxBodySize, guard), api.map(CinderApi::authenticator)));
        server.setErrorHandler(new FaultErrorHandler());
        try {
            server.start();
            guard.start(connector.getScheduler());
        } catch (Exception e) {
            try {
                server.stop();
            } catch (Exception ignored) {
                // reporting the start failure matters more
            }
            throw new IllegalStateException("Cannot listen on " + address + ":" + port + ": " + e.getMessage(), e);
        }
        return new ApiServer(server, connector);
    }

    /** The port it listens on. */
    public int port() {
        return connector.getLocalPort();
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException("Cannot stop the API server: " + e.getMessage(), e);
        }
    }

    /**
     * A header's value as the WSGI server gives it to Cinder: all its lines joined with commas,
     * so a header sent twice is read as one folded value.
     */
    private static Optional<String> folded(Request request, String name) {
        List<String> values = request.getHeaders().getValuesList(name);
        return values.isEmpty() ? Optional.empty() : Optional.of(String.join(",", values));
    }

    /** The operations endpoints' answers get request ids like every other answer. */
    private static ApiResponse withRequestId(ApiResponse answer) {
        if (answer.header("X-Openstack-Request-Id") != null) {
            return answer;
        }
        String requestId = CinderResponses.newRequestId();
        List<Map.Entry<String, String>> headers = new ArrayList<>(answer.headers());
        headers.add(Map.entry("X-Compute-Request-Id", requestId));
        headers.add(Map.entry("X-Openstack-Request-Id", requestId));
        return new ApiResponse(answer.status(), headers, answer.body());
    }

    /** Turns Jetty's request into an {@link ApiRequest} and writes the {@link ApiResponse}. */
    private static final class Adapter extends Handler.Abstract {
        private static final long DRAIN_LIMIT = 16L * 1024 * 1024;

        private final Optional<CinderApi> api;
        private final Optional<OpsEndpoints> ops;
        private final int maxBodySize;
        private final SlowClientGuard guard;

        Adapter(Optional<CinderApi> api, Optional<OpsEndpoints> ops, int maxBodySize, SlowClientGuard guard) {
            this.api = api;
            this.ops = ops;
            this.maxBodySize = maxBodySize;
            this.guard = guard;
        }

        private static void drain(InputStream in) throws IOException {
            byte[] sink = new byte[8192];
            long drained = 0;
            int n;
            while (drained < DRAIN_LIMIT && (n = in.read(sink)) > 0) {
                drained += n;
            }
        }

        @Override
        public boolean handle(Request request, Response response, Callback answered) throws IOException {
            Connection connection = request.getConnectionMetaData().getConnection();
            Callback callback = guard.whenAnswered(connection, answered);
            guard.bodyStarted(connection);
            HttpURI uri = request.getHttpURI();
            byte[] body = new byte[0];
            boolean tooLarge = false;
            if (request.getLength() != 0) {
                try (InputStream in = Content.Source.asInputStream(request)) {
                    body = in.readNBytes(maxBodySize + 1);
                    tooLarge = body.length > maxBodySize;
                    if (tooLarge) {
                        // Drain a bounded amount so the client reads our 413 instead of a reset connection;
                        // beyond that the connection is closed unread.
                        drain(in);
                    }
                } catch (IOException e) {
                    // The client went away or was cut off by the SlowClientGuard: nobody to answer, and
                    // an EofException tells Jetty so quietly (no stack trace per dropped client).
                    callback.failed(new EofException(e));
                    return true;
                }
            }
            guard.bodyRead(connection);
            Optional<Map<String, List<String>>> query = QueryString.parse(uri.getQuery());
            String scheme = uri.getScheme() == null ? "http" : uri.getScheme();
            String authority = Optional.ofNullable(request.getHeaders().get(HttpHeader.HOST))
                    .orElse(uri.getHost() + ":" + Request.getServerPort(request));
            String origin = scheme + "://" + authority;
            String path = uri.getDecodedPath() == null ? "/" : uri.getDecodedPath();
            ApiRequest apiRequest = new ApiRequest(request.getMethod(), path, query.orElse(Map.of()),
                    name -> folded(request, name), tooLarge ? new byte[0] : body,
                    tooLarge, origin + (uri.getPath() == null ? "/" : uri.getPath()), origin);
            ApiResponse answer;
            if (query.isEmpty()) {
                // webob's UnicodeDecodeError, which Cinder's fault wrapper answers so.
                answer = CinderResponses.fault(400, "Error decoding your request. Either the URL or the request body"
                        + " contained characters that could not be decoded by Cinder.");
            } else if (ops.isPresent() && OpsEndpoints.handles(path)) {
                answer = withRequestId(ops.get().handle(apiRequest));
            } else if (api.isPresent()) {
                answer = api.get().handle(apiRequest);
            } else {
                answer = CinderResponses.fault(404, "Not found: this process serves /healthz, /readyz and /metrics only");
            }
            response.setStatus(answer.status());
            for (Map.Entry<String, String> header : answer.headers()) {
                if (header.getKey().equalsIgnoreCase("Content-Length")) {
                    response.getHeaders().put(new HttpField(HttpHeader.CONTENT_LENGTH, header.getValue()));
                } else if (header.getKey().equalsIgnoreCase("Content-Type")) {
                    response.getHeaders().put(new HttpField(HttpHeader.CONTENT_TYPE, header.getValue()));
                } else {
                    response.getHeaders().add(header.getKey(), header.getValue());
                }
            }
            if (request.getMethod().equals("HEAD") || answer.body().length == 0) {
                response.write(true, null, callback);
            } else {
                response.write(true, ByteBuffer.wrap(answer.body()), callback);
            }
            return true;
        }
    }
}
