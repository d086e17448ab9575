package io.cinderblock.service.auth;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cinderblock.service.api.ApiException;
import io.cinderblock.service.api.Authenticator;
import io.cinderblock.service.api.RequestContext;
import io.cinderblock.service.config.ConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code auth_strategy = keystone}: validates each incoming {@code X-Auth-Token} against Keystone's
 * v3 API as keystonemiddleware's {@code auth_token} does, and builds the request context (user,
 * project, roles, {@code is_admin_project}) from Keystone's answer.
 *
 * <ul>
 *   <li>Validation: {@code GET /v3/auth/tokens} with the service's own token in
 *       {@code X-Auth-Token} and the caller's in {@code X-Subject-Token}; 200 is valid, 404 is
 *       invalid (unknown, expired or revoked). A 401 means the service token itself went stale: it
 *       is dropped, a new one fetched and the validation retried once.
 *   <li>The service token: a password login of the {@code [keystone_authtoken]} user, scoped to
 *       its project; renewed before it expires (120 s before, as keystoneauth, or halfway through
 *       its life for shorter-lived tokens). The identity endpoint comes from its catalog
 *       ({@code interface}, {@code region_name}), falling back to {@code auth_url}.
 *   <li>Cache: validations are reused for {@code token_cache_time}, never past the token's
 *       {@code expires_at}; rejections for {@code invalid_token_cache_time}. A token revoked in
 *       Keystone is therefore refused within {@code token_cache_time}. Bounded to
 *       {@code token_cache_size} entries, least recently used evicted; keyed by the token's SHA-256,
 *       so no token is kept in memory.
 *   <li>Keystone unreachable or failing: every call has a deadline ({@code http_connect_timeout},
 *       {@code http_request_timeout}); the request is answered 503 "The Keystone service is
 *       temporarily unavailable", except that a token validated before keeps working until its
 *       own expiry.
 * </ul>
 */
public final class KeystoneAuthenticator extends Authenticator {
    private static final Logger LOG = LoggerFactory.getLogger(KeystoneAuthenticator.class);
    /** keystoneauth's {@code MIN_TOKEN_LIFE_SECONDS}: renew the service token this long before expiry. */
    private static final Duration RENEW_BEFORE = Duration.ofSeconds(120);
    private static final String UNAVAILABLE = "The Keystone service is temporarily unavailable";

    private final KeystoneSettings settings;
    private final Policy policy;
    private final Clock clock;
    private final HttpClient http;
    private final ObjectMapper json = new ObjectMapper();
    private final URI identity;
    private final Map<String, Entry> cache;
    private final Object serviceLock = new Object();
    private ServiceToken serviceToken; // guarded by serviceLock

    /** A cached answer: a context, or a rejection (empty context). */
    private record Entry(Optional<RequestContext> context, Instant expiresAt, Instant freshUntil) {}

    private record ServiceToken(String token, Instant renewAt, URI validationBase) {}

    /** Keystone could not answer; the message is for the 503 and the log (no secret in it). */
    private static final class Unavailable extends Exception {
        private static final long serialVersionUID = 1L;

        Unavailable(String message) {
            super(message);
        }
    }

    /**
     * Creates the authenticator; contacts Keystone only when the first request arrives.
     *
     * @param settings the {@code [keystone_authtoken]} section
     * @param policy the policy every context is checked against
     * @param clock the clock for expiry and the cache
     * @throws ConfigException when {@code cafile} cannot be read
     */
    public KeystoneAuthenticator(KeystoneSettings settings, Policy policy, Clock clock) {
        this.settings = requireNonNull(settings, "settings is null");
        this.policy = requireNonNull(policy, "policy is null");
        this.clock = requireNonNull(clock, "clock is null");
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(settings.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER);
        settings.caFile().ifPresent(ca -> builder.sslContext(trusting(ca)));
        this.http = builder.build();
        this.identity = v3(settings.authUrl());
        int size = settings.tokenCacheSize();
        this.cache = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
                return size() > size;
            }
        };
    }

    /** The public identity URL clients should authenticate at ({@code www_authenticate_uri}). */
    public URI wwwAuthenticateUri() {
        return settings.wwwAuthenticateUri();
    }

    @Override
    public Outcome authenticate(Function<String, Optional<String>> header) {
        Optional<String> token = header.apply("X-Auth-Token").map(String::strip).filter(t -> !t.isEmpty());
        if (token.isEmpty()) {
            return new Unauthorized();
        }
        String key = hash(token.get());
        Instant now = clock.instant();
        Entry cached;
        synchronized (cache) {
            cached = cache.get(key);
        }
        if (cached != null && now.isBefore(cached.freshUntil())) {
            return outcome(cached, now);
        }
        try {
            Entry fresh = validate(token.get(), now);
            synchronized (cache) {
                cache.put(key, fresh);
            }
            return outcome(fresh, now);
        } catch (Unavailable e) {
            if (cached != null && cached.context().isPresent() && now.isBefore(cached.expiresAt())) {
                // Already validated and not expired: keep serving it while Keystone is away.
                LOG.debug("Keystone unavailable ({}); serving a cached validation", e.getMessage());
                return new Authenticated(cached.context().get());
            }
            LOG.warn("Cannot validate a token: {}", e.getMessage());
            throw new ApiException(503, UNAVAILABLE + ": " + e.getMessage());
        }
    }

    private static Outcome outcome(Entry entry, Instant now) {
        if (entry.context().isEmpty() || !now.isBefore(entry.expiresAt())) {
            return new Unauthorized();
        }
        return new Authenticated(entry.context().get());
    }

    /** Number of cached validations and rejections (for tests and metrics). */
    public int cachedTokens() {
        synchronized (cache) {
            return cache.size();
        }
    }

    private Entry validate(String token, Instant now) throws Unavailable {
        Instant deadline = now.plus(settings.requestTimeout());
        ServiceToken service = serviceToken(deadline, false);
        HttpResponse<String> response = validationCall(service, token, deadline);
        if (response.statusCode() == 401) {
            // Our own token was revoked or expired early: log in again and retry once.
            service = serviceToken(deadline, true);
            response = validationCall(service, token, deadline);
        }
        switch (response.statusCode()) {
            case 200:
                return accepted(response.body(), now);
            case 404:
                // Unknown, expired or revoked: the caller's token is not valid.
                Instant until = now.plus(settings.invalidTokenCacheTime());
                return new Entry(Optional.empty(), until, until);
            case 401:
                throw new Unavailable("Keystone refused the service user's fresh token (401)");
            case 403:
                throw new Unavailable("Keystone does not let the service user '" + settings.username()
                        + "' validate tokens (403): give it the service or admin role");
            default:
                throw new Unavailable("Keystone answered " + response.statusCode() + " to a token validation");
        }
    }

    private HttpResponse<String> validationCall(ServiceToken service, String token, Instant deadline)
            throws Unavailable {
        HttpRequest request = HttpRequest.newBuilder(service.validationBase().resolve("auth/tokens"))
                .timeout(remaining(deadline)).header("X-Auth-Token", service.token()).header("X-Subject-Token", token)
                .header("Accept", "application/json").GET().build();
        return send(request);
    }

    private Entry accepted(String body, Instant now) throws Unavailable {
        JsonNode t;
        try {
            t = json.readTree(body).path("token");
        } catch (IOException e) {
            throw new Unavailable("Keystone's token validation answer is not JSON");
        }
        Instant expires = instant(t.path("expires_at").asText(null));
        String user = t.path("user").path("id").asText(null);
        String project = t.path("project").path("id").asText(null);
        if (expires == null || user == null) {
            throw new Unavailable("Keystone's token validation answer lacks expires_at or user.id");
        }
        Instant fresh = min(now.plus(settings.tokenCacheTime()), expires);
        if (project == null) {
            // Domain-, system-scoped and unscoped tokens: this API is project-scoped, as Cinder's.
            return new Entry(Optional.empty(), fresh, fresh);
        }
        Set<String> roles = new HashSet<>();
        t.path("roles").forEach(r -> roles.add(r.path("name").asText()));
        // keystonemiddleware treats a token without is_admin_project as from the admin project.
        boolean adminProject = t.path("is_admin_project").asBoolean(true);
        return new Entry(Optional.of(new RequestContext(user, project, roles, adminProject, policy)), expires, fresh);
    }

    private ServiceToken serviceToken(Instant deadline, boolean renew) throws Unavailable {
        synchronized (serviceLock) {
            Instant now = clock.instant();
            if (!renew && serviceToken != null && now.isBefore(serviceToken.renewAt())) {
                return serviceToken;
            }
            serviceToken = null;
            ObjectNode body = json.createObjectNode();
            ObjectNode auth = body.putObject("auth");
            ObjectNode identityNode = auth.putObject("identity");
            identityNode.putArray("methods").add("password");
            ObjectNode user = identityNode.putObject("password").putObject("user");
            user.put("name", settings.username());
            user.putObject("domain").put(settings.userDomainIsId() ? "id" : "name", settings.userDomain());
            user.put("password", settings.password());
            ObjectNode project = auth.putObject("scope").putObject("project");
            project.put("name", settings.projectName());
            project.putObject("domain").put(settings.projectDomainIsId() ? "id" : "name", settings.projectDomain());
            HttpRequest request = HttpRequest.newBuilder(identity.resolve("auth/tokens")).timeout(remaining(deadline))
                    .header("Content-Type", "application/json").header("Accept", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
            HttpResponse<String> response = send(request);
            if (response.statusCode() == 401) {
                throw new Unavailable("Keystone refused the service user '" + settings.username() + "' (401): check"
                        + " [keystone_authtoken] username, password, project_name and the domains");
            }
            if (response.statusCode() != 201) {
                throw new Unavailable("Keystone answered " + response.statusCode() + " to the service user's login");
            }
            Optional<String> issued = response.headers().firstValue("X-Subject-Token");
            JsonNode t;
            try {
                t = json.readTree(response.body()).path("token");
            } catch (IOException e) {
                throw new Unavailable("Keystone's login answer is not JSON");
            }
            Instant expires = instant(t.path("expires_at").asText(null));
            Instant issuedAt = Optional.ofNullable(instant(t.path("issued_at").asText(null))).orElse(now);
            if (issued.isEmpty() || expires == null) {
                throw new Unavailable("Keystone's login answer lacks X-Subject-Token or expires_at");
            }
            Duration life = Duration.between(issuedAt, expires);
            Duration margin = life.dividedBy(2).compareTo(RENEW_BEFORE) < 0 ? life.dividedBy(2) : RENEW_BEFORE;
            serviceToken = new ServiceToken(issued.get(), expires.minus(margin), identityEndpoint(t));
            return serviceToken;
        }
    }

    /** The identity endpoint of the configured interface and region, as keystonemiddleware finds it. */
    private URI identityEndpoint(JsonNode token) {
        for (JsonNode service : token.path("catalog")) {
            if (!"identity".equals(service.path("type").asText())) {
                continue;
            }
            for (JsonNode endpoint : service.path("endpoints")) {
                boolean iface = settings.interfaceName().equals(endpoint.path("interface").asText());
                boolean region = settings.regionName().map(r -> r.equals(endpoint.path("region_id").asText())
                        || r.equals(endpoint.path("region").asText())).orElse(true);
                if (iface && region && endpoint.hasNonNull("url")) {
                    try {
                        return v3(URI.create(endpoint.path("url").asText()));
                    } catch (IllegalArgumentException e) {
                        LOG.warn("Ignoring the identity endpoint {} in the catalog: not a URL", endpoint.path("url"));
                    }
                }
            }
        }
        return identity;
    }

    private HttpResponse<String> send(HttpRequest request) throws Unavailable {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (java.net.http.HttpTimeoutException e) {
            throw new Unavailable("no answer from " + origin(request.uri()) + " within the deadline");
        } catch (IOException e) {
            throw new Unavailable("cannot reach " + origin(request.uri()) + " (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable("interrupted while waiting for Keystone");
        }
    }

    private Duration remaining(Instant deadline) throws Unavailable {
        Duration left = Duration.between(clock.instant(), deadline);
        if (left.toMillis() < 1) {
            throw new Unavailable("no answer from Keystone within " + settings.requestTimeout().toMillis() + " ms");
        }
        return left;
    }

    private static String origin(URI uri) {
        return uri.getScheme() + "://" + uri.getAuthority();
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    private static Instant instant(String text) {
        if (text == null) {
            return null;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** The URL with a {@code /v3/} path, so that {@code resolve("auth/tokens")} lands right. */
    static URI v3(URI url) {
        String s = url.toString().replaceAll("/+$", "");
        return URI.create(s.endsWith("/v3") ? s + "/" : s + "/v3/");
    }

    private static String hash(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }

    private static SSLContext trusting(java.nio.file.Path caFile) {
        try (InputStream in = Files.newInputStream(caFile)) {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                store.setCertificateEntry("ca-" + i++, certificate);
            }
            if (i == 0) {
                throw new ConfigException("[keystone_authtoken] cafile " + caFile + ": no PEM certificate in it");
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new ConfigException("[keystone_authtoken] cafile " + caFile + ": " + e.getMessage(), e);
        }
    }
}
