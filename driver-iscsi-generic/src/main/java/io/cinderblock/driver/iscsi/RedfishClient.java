package io.cinderblock.driver.iscsi;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cinderblock.sdk.error.CinderblockException;
import io.cinderblock.sdk.error.DeviceUnavailableException;
import io.cinderblock.sdk.error.ErrorCode;
import io.cinderblock.sdk.support.SecretScrubber;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Talks HTTP/JSON to one Redfish service: authentication (session token or Basic), per-request
 * deadlines that hold even when the server accepts a connection and never answers, bounded
 * response bodies, same-origin redirects only, and failures turned into exceptions whose
 * message is a reason an operator can act on. Never puts the password or token in a message or
 * log line: text quoted from the array passes the backend's {@link SecretScrubber}. HTTP 401 and
 * 403 are both read as "not authenticated" (Redfish prescribes 401, some services answer 403): one
 * new login, then "credentials rejected". Thread-safe.
 */
final class RedfishClient implements AutoCloseable {
    /** Where Redfish requires the session collection to be. */
    static final String SESSIONS_PATH = "/redfish/v1/SessionService/Sessions";
    private static final int MAX_REDIRECTS = 3;

    private final SwordfishSettings settings;
    /** Null once closed, so the client (and its selector thread) can be collected: JDK 17's has no close(). */
    private volatile HttpClient http;
    /** The client's worker threads: ours, so close() ends them instead of a 60 s idle timeout. */
    private final ExecutorService workers;
    private final ObjectMapper mapper = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_TRAILING_TOKENS, true);
    private final System.Logger logger;
    private final String where;
    private final RedfishFailures failures;
    private final SecretScrubber scrubber;
    /** Held only while logging in, so that concurrent callers open one session, not several. */
    private final ReentrantLock loginLock = new ReentrantLock();
    private final AtomicReference<Session> session = new AtomicReference<>();

    /** An open Redfish session: the token to send, and the resource to delete on close. */
    private record Session(String token, Optional<String> path) {
        @Override
        public String toString() {
            return "Session[token=***, path=" + path + "]";
        }
    }

    /** A response with its JSON body ({@link MissingNode} when empty). */
    record Response(String method, String path, int status, HttpHeaders headers, JsonNode body) {
        boolean isSuccess() {
            return status >= 200 && status < 300;
        }

        Optional<String> location() {
            return headers.firstValue("Location");
        }

        /** {@code GET /redfish/v1/...}, for messages. */
        String request() {
            return method + " " + path;
        }
    }

    RedfishClient(SwordfishSettings settings, System.Logger logger, SecretScrubber scrubber) {
        this.settings = settings;
        this.logger = logger;
        this.scrubber = scrubber;
        this.where = "Swordfish service at " + settings.authority();
        this.failures = new RedfishFailures(settings, where, scrubber);
        this.workers = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "swordfish-http-" + settings.authority());
            thread.setDaemon(true);
            return thread;
        });
        this.http = HttpClient.newBuilder()
                .executor(workers)
                .connectTimeout(settings.connectTimeout())
                // Redirects are followed by hand, and only to the same origin.
                .followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1)
                .sslContext(TlsContexts.forSettings(settings))
                .build();
    }

    /** The longest one request may take: connecting, then answering. */
    Duration requestBudget() {
        return settings.connectTimeout().plus(settings.requestTimeout());
    }

    /** A new deadline for one request. */
    Deadline newDeadline() {
        return Deadline.after(requestBudget());
    }

    /** GETs a resource; anything but 2xx is an error. */
    JsonNode get(String path, Deadline deadline) {
        Response response = send("GET", path, null, deadline);
        requireSuccess(response, "reading");
        return response.body();
    }

    /** The text with every form of the backend's secrets masked. */
    String scrub(String text) {
        return scrubber.scrub(text);
    }

    /**
     * Sends one request, logging in again once on a 401 or 403.
     *
     * @throws DeviceUnavailableException unreachable, timed out, TLS failure, 401/403 after a new login, 5xx
     * @throws SwordfishProtocolException malformed JSON, body too large, redirect to another host
     */
    Response send(String method, String path, JsonNode body, Deadline deadline) {
        URI uri = resolve(path);
        for (int attempt = 0; ; attempt++) {
            String token = settings.sessionAuth() ? token(deadline) : null;
            String authorization = settings.sessionAuth() ? null : basicAuthorization();
            Response response = exchange(method, uri, body, token, authorization, deadline);
            if (response.status() == 401 || response.status() == 403) {
                if (settings.sessionAuth() && attempt == 0) {
                    logger.log(System.Logger.Level.INFO, where + " refused the session token on "
                            + response.request() + " (HTTP " + response.status() + "); logging in again");
                    forget(token);
                    continue;
                }
                throw new DeviceUnavailableException(where + ": credentials rejected for user '" + settings.user()
                        + "' (HTTP " + response.status() + " on " + response.request()
                        + (settings.sessionAuth() ? ", again after a new session login" : ", HTTP Basic") + ")"
                        + errorMessage(response.body()));
            }
            if (response.status() >= 500) {
                throw new DeviceUnavailableException(where + " answered HTTP " + response.status() + " to "
                        + response.request() + errorMessage(response.body()));
            }
            return response;
        }
    }

    /** Throws an {@link ErrorCode#OPERATION_FAILED} (or {@link ErrorCode#NOT_FOUND}) unless the response is 2xx. */
    void requireSuccess(Response response, String doing) {
        if (response.isSuccess()) {
            return;
        }
        ErrorCode code = response.status() == 404 ? ErrorCode.NOT_FOUND : ErrorCode.OPERATION_FAILED;
        throw new CinderblockException(code, where + " refused " + doing + " (" + response.request() + " answered HTTP "
                + response.status() + errorMessage(response.body()) + ")");
    }

    /**
     * The Redfish error's message, for an error text: {@code ": message"}, or empty. Scrubbed:
     * arrays quote the request back, headers and body included.
     */
    String errorMessage(JsonNode body) {
        // Scrub before cutting: a cut could split a secret's form and leave a part unrecognised.
        String text = scrubber.scrub(errorText(body));
        return text.length() > 202 ? text.substring(0, 202) + "..." : text;
    }

    /** The Redfish error's message, unscrubbed and uncut: only for {@link #errorMessage}. */
    private static String errorText(JsonNode body) {
        JsonNode message = Json.at(body, "error.@Message.ExtendedInfo");
        String text = null;
        if (message != null && message.isArray() && message.size() > 0 && message.get(0).path("Message").isTextual()) {
            text = message.get(0).path("Message").asText();
        } else if (Json.at(body, "error.message") != null) {
            text = Json.at(body, "error.message").asText();
        }
        if (text == null || text.isBlank()) {
            return "";
        }
        return ": " + text;
    }

    /** The Redfish MessageId of an error response, if any (e.g. {@code Base.1.8.InsufficientStorage}). */
    static Optional<String> errorMessageId(JsonNode body) {
        JsonNode info = Json.at(body, "error.@Message.ExtendedInfo");
        if (info != null && info.isArray() && info.size() > 0 && info.get(0).path("MessageId").isTextual()) {
            return Optional.of(info.get(0).path("MessageId").asText());
        }
        JsonNode code = Json.at(body, "error.code");
        return code != null && code.isTextual() ? Optional.of(code.asText()) : Optional.empty();
    }

    ObjectNode newObject() {
        return mapper.createObjectNode();
    }

    private String token(Deadline deadline) {
        Session current = session.get();
        if (current != null) {
            return current.token();
        }
        try {
            // Never wait past the caller's deadline for another thread's login.
            if (!loginLock.tryLock(Math.max(0, deadline.remaining().toMillis()), TimeUnit.MILLISECONDS)) {
                throw new DeviceUnavailableException(where + " did not answer the session login in time");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeviceUnavailableException("Interrupted while logging in to " + where, e);
        }
        try {
            Session open = session.get();
            if (open == null) {
                open = login(deadline);
                session.set(open);
            }
            return open.token();
        } finally {
            loginLock.unlock();
        }
    }

    /** Drops the session whose token the array refused, unless another thread already replaced it. */
    private void forget(String token) {
        Session current = session.get();
        if (current != null && current.token().equals(token)) {
            session.compareAndSet(current, null);
        }
    }

    private Session login(Deadline deadline) {
        ObjectNode credentials = mapper.createObjectNode()
                .put("UserName", settings.user())
                .put("Password", settings.password());
        Response response = exchange("POST", resolve(SESSIONS_PATH), credentials, null, null, deadline);
        if (response.status() == 401 || response.status() == 403) {
            throw new DeviceUnavailableException(where + ": credentials rejected for user '" + settings.user()
                    + "' (HTTP " + response.status() + " on session login)" + errorMessage(response.body()));
        }
        if (response.status() >= 500) {
            throw new DeviceUnavailableException(where + " answered HTTP " + response.status() + " to the session login"
                    + errorMessage(response.body()));
        }
        if (!response.isSuccess()) {
            throw new SwordfishProtocolException(where + " refused the session login with HTTP " + response.status()
                    + errorMessage(response.body()));
        }
        String token = response.headers().firstValue("X-Auth-Token").filter(t -> !t.isBlank())
                .orElseThrow(() -> new SwordfishProtocolException(where + ": session login answer lacks the "
                        + "X-Auth-Token header", "X-Auth-Token", null));
        Optional<String> path = response.location().or(() -> Json.optionalText(response.body(), "@odata.id",
                "session"));
        logger.log(System.Logger.Level.INFO, "Opened a Redfish session on " + where + " for user '" + settings.user()
                + "'");
        return new Session(token, path.map(p -> resolve(p).getRawPath()));
    }

    private String basicAuthorization() {
        String pair = settings.user() + ":" + settings.password();
        return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
    }

    /** Resolves an {@code @odata.id} or Location against the base URL; refuses other hosts. */
    URI resolve(String reference) {
        URI target;
        try {
            target = settings.baseUri().resolve(reference);
        } catch (IllegalArgumentException e) {
            throw new SwordfishProtocolException(where + " named a malformed URI '" + shorten(reference) + "'");
        }
        if (!sameOrigin(target)) {
            throw new SwordfishProtocolException(where + " pointed to another host ('" + target.getScheme() + "://"
                    + target.getRawAuthority() + "'); refused");
        }
        return target;
    }

    private boolean sameOrigin(URI target) {
        URI base = settings.baseUri();
        return base.getScheme().equalsIgnoreCase(String.valueOf(target.getScheme()))
                && base.getHost().equalsIgnoreCase(String.valueOf(target.getHost()))
                && port(base) == port(target);
    }

    static int port(URI uri) {
        if (uri.getPort() != -1) {
            return uri.getPort();
        }
        return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }

    private Response exchange(String method, URI uri, JsonNode body, String token, String authorization,
            Deadline deadline) {
        String currentMethod = method;
        URI current = uri;
        JsonNode currentBody = body;
        for (int redirects = 0; ; redirects++) {
            HttpRequest request = request(currentMethod, current, currentBody, token, authorization, deadline);
            HttpResponse<byte[]> raw = await(currentMethod, current, request, deadline);
            int status = raw.statusCode();
            Optional<String> location = raw.headers().firstValue("Location");
            boolean redirect = status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
            if (!redirect || location.isEmpty()) {
                return new Response(currentMethod, current.getRawPath(), status, raw.headers(),
                        parse(currentMethod, current, status, raw.body()));
            }
            if (redirects >= MAX_REDIRECTS) {
                throw new SwordfishProtocolException(where + " redirected " + currentMethod + " " + uri.getRawPath()
                        + " more than " + MAX_REDIRECTS + " times; refused");
            }
            URI next = resolve(current.resolve(location.get()).toString());
            if (status == 303 || (status != 307 && status != 308 && currentMethod.equals("POST"))) {
                currentMethod = "GET";
                currentBody = null;
            }
            current = next;
        }
    }

    private HttpRequest request(String method, URI uri, JsonNode body, String token, String authorization,
            Deadline deadline) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri)
                .timeout(max1ms(deadline.capped(settings.requestTimeout())))
                .header("Accept", "application/json")
                .header("OData-Version", "4.0");
        if (token != null) {
            builder.header("X-Auth-Token", token);
        }
        if (authorization != null) {
            builder.header("Authorization", authorization);
        }
        if (body != null) {
            byte[] bytes;
            try {
                bytes = mapper.writeValueAsBytes(body);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("Cannot serialise a request body", e);
            }
            builder.header("Content-Type", "application/json");
            builder.method(method, HttpRequest.BodyPublishers.ofByteArray(bytes));
        } else {
            builder.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return builder.build();
    }

    private static Duration max1ms(Duration duration) {
        return duration.compareTo(Duration.ofMillis(1)) < 0 ? Duration.ofMillis(1) : duration;
    }

    /**
     * Waits for the response, never past the deadline. The JDK's own request timeout does not
     * cover a body that stalls half-way (or a reset that leaves the exchange dangling), so the
     * future is bounded here as well and cancelled when the time is up.
     */
    private HttpResponse<byte[]> await(String method, URI uri, HttpRequest request, Deadline deadline) {
        String what = method + " " + uri.getRawPath();
        Duration wait = deadline.capped(requestBudget());
        if (wait.isNegative() || wait.isZero()) {
            throw new DeviceUnavailableException(where + " did not answer in time; no time left for " + what);
        }
        HttpClient client = http;
        if (client == null) {
            throw new DeviceUnavailableException(where + ": the driver is closed; no request for " + what);
        }
        CompletableFuture<HttpResponse<byte[]>> future = client.sendAsync(request,
                new BoundedBodyHandler(settings.maxResponseBytes()));
        try {
            return future.get(wait.toMillis() + 1, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new DeviceUnavailableException(where + " did not answer " + what + " within "
                    + seconds(wait) + " (request timeout)");
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new DeviceUnavailableException("Interrupted while waiting for " + where + " to answer " + what, e);
        } catch (ExecutionException e) {
            throw failures.classify(e.getCause() == null ? e : e.getCause(), what);
        }
    }

    private JsonNode parse(String method, URI uri, int status, byte[] body) {
        if (body.length == 0) {
            return MissingNode.getInstance();
        }
        try {
            return mapper.readTree(body);
        } catch (IOException e) {
            if (status < 200 || status >= 300) {
                // Error pages are often HTML; the status code already says what went wrong.
                return MissingNode.getInstance();
            }
            String detail = e instanceof JsonProcessingException
                    ? ((JsonProcessingException) e).getOriginalMessage() : e.getMessage();
            throw new SwordfishProtocolException(where + " sent malformed JSON for " + method + " " + uri.getRawPath()
                    + ": " + shorten(scrubber.scrub(String.valueOf(detail))), null, null);
        }
    }

    static String seconds(Duration duration) {
        long millis = duration.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + " s" : String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
    }

    static String shorten(String text) {
        return text.length() > 160 ? text.substring(0, 160) + "..." : text;
    }

    /**
     * Opens a long-lived {@code GET} (a Server-Sent Events stream): authenticated as every request
     * (one new login on a 401/403 in session mode), the answer's headers awaited within the request
     * budget, no redirects. The body is the caller's to read and close; no timeout covers it.
     *
     * @param extraHeaders e.g. {@code Last-Event-ID}
     * @return the response, whatever its status (the caller judges status and content type)
     */
    HttpResponse<java.io.InputStream> openStream(String path, java.util.Map<String, String> extraHeaders) {
        URI uri = resolve(path);
        String what = "GET " + uri.getRawPath();
        for (int attempt = 0; ; attempt++) {
            Deadline deadline = newDeadline();
            String token = settings.sessionAuth() ? token(deadline) : null;
            HttpRequest.Builder builder = HttpRequest.newBuilder(uri).GET()
                    .header("Accept", "text/event-stream")
                    .header("Cache-Control", "no-cache");
            if (token != null) {
                builder.header("X-Auth-Token", token);
            } else {
                builder.header("Authorization", basicAuthorization());
            }
            extraHeaders.forEach(builder::header);
            HttpClient client = http;
            if (client == null) {
                throw new DeviceUnavailableException(where + ": the driver is closed; no request for " + what);
            }
            CompletableFuture<HttpResponse<java.io.InputStream>> future = client.sendAsync(builder.build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            HttpResponse<java.io.InputStream> response;
            try {
                response = future.get(max1ms(deadline.remaining()).toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                future.cancel(true);
                throw new DeviceUnavailableException(where + " did not answer " + what + " within "
                        + seconds(requestBudget()) + " (request timeout)");
            } catch (InterruptedException e) {
                future.cancel(true);
                Thread.currentThread().interrupt();
                throw new DeviceUnavailableException("Interrupted while waiting for " + where + " to answer " + what, e);
            } catch (ExecutionException e) {
                throw failures.classify(e.getCause() == null ? e : e.getCause(), what);
            }
            if ((response.statusCode() == 401 || response.statusCode() == 403) && settings.sessionAuth()
                    && attempt == 0) {
                closeQuietly(response.body());
                logger.log(System.Logger.Level.INFO, where + " refused the session token on " + what + " (HTTP "
                        + response.statusCode() + "); logging in again");
                forget(token);
                continue;
            }
            return response;
        }
    }

    private static void closeQuietly(java.io.InputStream body) {
        try {
            body.close();
        } catch (IOException e) {
            // nothing to save
        }
    }

    /**
     * Deletes the session, if any, then releases the HTTP client. Never throws. The JDK 17
     * HttpClient has no close(): its workers are our executor's, shut down here, and its selector
     * thread ends once the client is unreachable, so the reference is dropped.
     */
    @Override
    public void close() {
        try {
            deleteSession();
        } finally {
            http = null;
            workers.shutdownNow();
        }
    }

    private void deleteSession() {
        Session open = session.getAndSet(null);
        if (open == null || open.path().isEmpty()) {
            return;
        }
        try {
            Response response = exchange("DELETE", resolve(open.path().get()), null, open.token(), null, newDeadline());
            logger.log(System.Logger.Level.DEBUG, "Closed the Redfish session on " + where + ": HTTP "
                    + response.status());
        } catch (RuntimeException e) {
            logger.log(System.Logger.Level.WARNING, "Could not delete the Redfish session on " + where + ": "
                    + e.getMessage());
        }
    }
}
