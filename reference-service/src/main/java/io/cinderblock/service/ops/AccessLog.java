package io.cinderblock.service.ops;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cinderblock.service.api.Authenticator;
import io.cinderblock.service.api.RequestContext;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access log and the audit log, as a Jetty handler around the API.
 *
 * <p>Every request gets one line on the logger {@value #ACCESS_LOGGER} at INFO, in the shape of
 * Cinder's (eventlet's) access log with the request context in front:
 * <pre>[req-ID USER PROJECT - - -] 127.0.0.1 "GET /v3/os-services HTTP/1.1" status: 200 len: 1459 time: 0.0041</pre>
 * The operations endpoints that machines poll ({@code /healthz}, {@code /readyz}, {@code /metrics},
 * {@code /status/data}) log at DEBUG only, so a load balancer or an open status page does not flood
 * the log. Every state-changing request (any method but GET, HEAD, OPTIONS) also gets a line on
 * {@value #AUDIT_LOGGER}: who, what, and the result read from the answer (host, binary, new
 * status, reason, or the error message). Tokens are never logged. Turn either off with the logger's
 * level, e.g. {@code -Dorg.slf4j.simpleLogger.log.cinderblock.access=warn}.
 */
public final class AccessLog extends Handler.Wrapper {
    /** The access log's logger name. */
    public static final String ACCESS_LOGGER = "cinderblock.access";
    /** The audit log's logger name. */
    public static final String AUDIT_LOGGER = "cinderblock.audit";

    private static final Logger ACCESS = LoggerFactory.getLogger(ACCESS_LOGGER);
    private static final Logger AUDIT = LoggerFactory.getLogger(AUDIT_LOGGER);
    private static final Set<String> POLLED = Set.of("/healthz", "/readyz", "/metrics", "/status/data");
    private static final Set<String> READ_ONLY = Set.of("GET", "HEAD", "OPTIONS");
    /** Audit lines read at most this much of an answer (service actions answer a few hundred bytes). */
    private static final int AUDIT_BODY_LIMIT = 64 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Optional<Authenticator> authenticator;

    /**
     * @param handler the API's handler
     * @param authenticator names the user and project of each request; empty: shown as {@code -}
     */
    public AccessLog(Handler handler, Optional<Authenticator> authenticator) {
        super(requireNonNull(handler, "handler is null"));
        this.authenticator = requireNonNull(authenticator, "authenticator is null");
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        long started = System.nanoTime();
        boolean audited = !READ_ONLY.contains(request.getMethod());
        Recorder recorder = new Recorder(request, response, audited);
        Callback logging = new Callback() {
            @Override
            public void succeeded() {
                log(request, recorder, started, null);
                callback.succeeded();
            }

            @Override
            public void failed(Throwable failure) {
                log(request, recorder, started, failure);
                callback.failed(failure);
            }

            @Override
            public InvocationType getInvocationType() {
                return callback.getInvocationType();
            }
        };
        return super.handle(request, recorder, logging);
    }

    private void log(Request request, Recorder response, long started, Throwable failure) {
        try {
            String path = request.getHttpURI().getPath() == null ? "/" : request.getHttpURI().getPath();
            boolean polled = POLLED.contains(path);
            boolean audit = response.audited && AUDIT.isInfoEnabled();
            if (!(polled ? ACCESS.isDebugEnabled() : ACCESS.isInfoEnabled()) && !audit) {
                return;
            }
            String requestId = Optional.ofNullable(response.getHeaders().get("X-Openstack-Request-Id")).orElse("-");
            Optional<RequestContext> context = context(request);
            String who = "[" + (requestId.equals("-") ? "-" : requestId) + " "
                    + context.map(RequestContext::userId).orElse("-") + " "
                    + context.map(RequestContext::projectId).orElse("-") + " - - -]";
            String query = request.getHttpURI().getQuery();
            String target = path + (query == null ? "" : "?" + query);
            String line = who + " " + Request.getRemoteAddr(request) + " \"" + request.getMethod() + " " + target + " "
                    + request.getConnectionMetaData().getProtocol() + "\" status: " + response.getStatus() + " len: "
                    + response.length + " time: " + String.format(Locale.ROOT, "%.4f", (System.nanoTime() - started) / 1e9)
                    + (failure == null ? "" : " failed: " + failure.getClass().getSimpleName());
            if (polled) {
                ACCESS.debug(line);
            } else {
                ACCESS.info(line);
            }
            if (audit) {
                AUDIT.info(who + " " + request.getMethod() + " " + target + ": " + outcome(response));
            }
        } catch (RuntimeException e) {
            // A log line must never break a request.
            ACCESS.warn("Cannot write an access log line: " + e);
        }
    }

    private Optional<RequestContext> context(Request request) {
        if (authenticator.isEmpty()) {
            return Optional.empty();
        }
        Authenticator.Outcome outcome = authenticator.get()
                .authenticate(name -> Optional.ofNullable(request.getHeaders().get(name)));
        return outcome instanceof Authenticator.Authenticated authenticated ? Optional.of(authenticated.context())
                : Optional.empty();
    }

    /** What the answer says happened: status and, from its JSON, the service's new state or the error. */
    static String outcome(int status, byte[] body) {
        StringBuilder out = new StringBuilder(status < 400 ? "succeeded (" : "refused (").append(status).append(')');
        try {
            JsonNode json = body.length == 0 ? null : JSON.readTree(body);
            if (json != null && json.isObject()) {
                if (status < 400) {
                    for (String field : new String[] {"host", "binary", "status", "disabled_reason"}) {
                        JsonNode value = json.get(field);
                        if (value != null && !value.isNull()) {
                            out.append(' ').append(field.equals("disabled_reason") ? "reason" : field).append('=')
                                    .append(JSON.writeValueAsString(value));
                        }
                    }
                } else {
                    // Cinder's error shape: {"badRequest": {"message": "...", "code": 400}}.
                    for (var entry : json.properties()) {
                        JsonNode message = entry.getValue().get("message");
                        if (message != null) {
                            out.append(' ').append(message.asText());
                        }
                    }
                }
            }
        } catch (IOException e) {
            // Not JSON (an HTML 401 body, say): the status alone says it.
        }
        return out.toString();
    }

    private static String outcome(Recorder response) {
        return outcome(response.getStatus(), response.body.toByteArray());
    }

    /** Counts the bytes of the answer, and keeps those of an audited one. */
    private static final class Recorder extends Response.Wrapper {
        private final boolean audited;
        private final ByteArrayOutputStream body = new ByteArrayOutputStream();
        private long length;

        Recorder(Request request, Response response, boolean audited) {
            super(request, response);
            this.audited = audited;
        }

        @Override
        public void write(boolean last, ByteBuffer content, Callback callback) {
            if (content != null) {
                int n = content.remaining();
                length += n;
                if (audited && body.size() + n <= AUDIT_BODY_LIMIT) {
                    byte[] copy = new byte[n];
                    content.duplicate().get(copy);
                    body.write(copy, 0, n);
                }
            }
            super.write(last, content, callback);
        }
    }
}
