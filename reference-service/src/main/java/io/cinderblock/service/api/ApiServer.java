package io.cinderblock.service.api;

import static java.util.Objects.requireNonNull;

import io.cinderblock.service.ops.AccessLog;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
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
     * Starts listening for the Cinder API (when given) and the operations endpoints (when given).
     * An agent-only process passes no API: it serves {@code /healthz}, {@code /readyz} and
     * {@code /metrics} only.
     *
     * @param port the port, 0 for a free one
     * @param maxBodySize larger bodies are answered 413 without being read whole
     */
    public static ApiServer start(Optional<CinderApi> api, Optional<OpsEndpoints> ops, String address, int port,
            int maxBodySize) {
        requireNonNull(api, "api is null");
        requireNonNull(ops, "ops is null");
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
        server.addConnector(connector);
        server.setHandler(new AccessLog(new Adapter(api, ops, maxBodySize), api.map(CinderApi::authenticator)));
        try {
            server.start();
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

    /** Turns Jetty's request into an {@link ApiRequest} and writes the {@link ApiResponse}. */
    private static final class Adapter extends Handler.Abstract {
        private static final long DRAIN_LIMIT = 16L * 1024 * 1024;

        private final Optional<CinderApi> api;
        private final Optional<OpsEndpoints> ops;
        private final int maxBodySize;

        Adapter(Optional<CinderApi> api, Optional<OpsEndpoints> ops, int maxBodySize) {
            this.api = api;
            this.ops = ops;
            this.maxBodySize = maxBodySize;
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
        public boolean handle(Request request, Response response, Callback callback) throws IOException {
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
                }
            }
            Map<String, List<String>> query = new LinkedHashMap<>();
            Fields fields = Request.extractQueryParameters(request);
            for (Fields.Field field : fields) {
                query.put(field.getName(), new ArrayList<>(field.getValues()));
            }
            String scheme = uri.getScheme() == null ? "http" : uri.getScheme();
            String authority = Optional.ofNullable(request.getHeaders().get(HttpHeader.HOST))
                    .orElse(uri.getHost() + ":" + Request.getServerPort(request));
            String origin = scheme + "://" + authority;
            String path = uri.getDecodedPath() == null ? "/" : uri.getDecodedPath();
            ApiRequest apiRequest = new ApiRequest(request.getMethod(), path, query,
                    name -> Optional.ofNullable(request.getHeaders().get(name)), tooLarge ? new byte[0] : body,
                    tooLarge, origin + (uri.getPath() == null ? "/" : uri.getPath()), origin);
            ApiResponse answer;
            if (ops.isPresent() && OpsEndpoints.handles(path)) {
                answer = ops.get().handle(apiRequest);
            } else if (api.isPresent()) {
                answer = api.get().handle(apiRequest);
            } else {
                answer = OpsEndpoints.notFound();
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
