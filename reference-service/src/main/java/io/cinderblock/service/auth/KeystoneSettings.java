package io.cinderblock.service.auth;

import static java.util.Objects.requireNonNull;

import io.cinderblock.service.config.ConfigException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code [keystone_authtoken]} section, with Cinder's (keystonemiddleware's) key names.
 *
 * @param authUrl Keystone's identity URL the service user logs in at ({@code auth_url}), ending
 *     in {@code /v3} or not
 * @param wwwAuthenticateUri the public identity URL clients are sent to ({@code www_authenticate_uri};
 *     defaults to {@code auth_url})
 * @param username the service user ({@code username})
 * @param password its password ({@code password}; never shown)
 * @param projectName the service user's project ({@code project_name})
 * @param userDomain the user's domain: {@code user_domain_name} (default {@code Default}) or
 *     {@code user_domain_id}
 * @param userDomainIsId whether {@code userDomain} is an id
 * @param projectDomain the project's domain, as {@code userDomain}
 * @param projectDomainIsId whether {@code projectDomain} is an id
 * @param regionName the region whose identity endpoint validates tokens ({@code region_name})
 * @param interfaceName the catalog interface of that endpoint ({@code interface}, default
 *     {@code internal}); without a matching endpoint, {@code auth_url} is used
 * @param caFile PEM CA certificates for an https Keystone ({@code cafile}); default: the JDK's
 * @param tokenCacheTime how long a validation is reused ({@code token_cache_time}, default 300 s);
 *     never past the token's expiry
 * @param invalidTokenCacheTime how long a rejection is reused ({@code invalid_token_cache_time},
 *     default 10 s)
 * @param tokenCacheSize at most this many tokens are cached ({@code token_cache_size}, default 10000)
 * @param connectTimeout {@code http_connect_timeout} (default 2 s)
 * @param requestTimeout {@code http_request_timeout}: the deadline of one call to Keystone (default 5 s)
 */
public record KeystoneSettings(URI authUrl, URI wwwAuthenticateUri, String username, String password,
        String projectName, String userDomain, boolean userDomainIsId, String projectDomain, boolean projectDomainIsId,
        Optional<String> regionName, String interfaceName, Optional<Path> caFile, Duration tokenCacheTime,
        Duration invalidTokenCacheTime, int tokenCacheSize, Duration connectTimeout, Duration requestTimeout) {
    /** The section's name, as in Cinder. */
    public static final String SECTION = "keystone_authtoken";

    private static final Set<String> KEYS = Set.of("auth_url", "www_authenticate_uri", "auth_uri", "auth_type",
            "username", "password", "project_name", "user_domain_name", "user_domain_id", "project_domain_name",
            "project_domain_id", "region_name", "interface", "cafile", "token_cache_time", "invalid_token_cache_time",
            "token_cache_size", "http_connect_timeout", "http_request_timeout", "memcached_servers");
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m)?");

    public KeystoneSettings {
        requireNonNull(authUrl, "authUrl is null");
        requireNonNull(wwwAuthenticateUri, "wwwAuthenticateUri is null");
        requireNonNull(username, "username is null");
        requireNonNull(password, "password is null");
        requireNonNull(projectName, "projectName is null");
        requireNonNull(userDomain, "userDomain is null");
        requireNonNull(projectDomain, "projectDomain is null");
        requireNonNull(regionName, "regionName is null");
        requireNonNull(interfaceName, "interfaceName is null");
        requireNonNull(caFile, "caFile is null");
        requireNonNull(tokenCacheTime, "tokenCacheTime is null");
        requireNonNull(invalidTokenCacheTime, "invalidTokenCacheTime is null");
        requireNonNull(connectTimeout, "connectTimeout is null");
        requireNonNull(requestTimeout, "requestTimeout is null");
    }

    /** Never shows the password. */
    @Override
    public String toString() {
        return "KeystoneSettings[authUrl=" + authUrl + ", username=" + username + ", projectName=" + projectName
                + ", regionName=" + regionName.orElse("") + ", password=***]";
    }

    /**
     * Reads the section.
     *
     * @param source the file, named in errors
     * @param section the section's keys and values
     * @param baseDirectory a relative {@code cafile} resolves against it
     * @param warnings receives one message per unknown or ignored key
     * @throws ConfigException naming file, section and key of the first missing or bad value
     */
    public static KeystoneSettings from(String source, Map<String, String> section, Path baseDirectory,
            Consumer<String> warnings) {
        for (String key : section.keySet()) {
            if (!KEYS.contains(key)) {
                warnings.accept(source + ": [" + SECTION + "] unknown key '" + key + "' ignored");
            }
        }
        if (section.containsKey("memcached_servers")) {
            warnings.accept(source + ": [" + SECTION + "] memcached_servers ignored: validations are cached in the"
                    + " service's own memory");
        }
        String authType = get(section, "auth_type").orElse("password");
        if (!authType.equals("password")) {
            throw bad(source, "auth_type", authType, "only 'password' is supported");
        }
        URI authUrl = uri(source, "auth_url", require(source, section, "auth_url"));
        URI www = uri(source, "www_authenticate_uri", get(section, "www_authenticate_uri")
                .or(() -> get(section, "auth_uri")).orElse(authUrl.toString()));
        String username = require(source, section, "username");
        String password = get(section, "password").orElseThrow(() -> new ConfigException(source + ": ["
                + SECTION + "] password is required (the service user's, to validate tokens)"));
        String project = require(source, section, "project_name");
        Optional<String> userDomainId = get(section, "user_domain_id");
        Optional<String> projectDomainId = get(section, "project_domain_id");
        String iface = get(section, "interface").orElse("internal").toLowerCase(Locale.ROOT);
        if (!Set.of("public", "internal", "admin").contains(iface)) {
            throw bad(source, "interface", iface, "must be public, internal or admin");
        }
        Optional<Path> ca = get(section, "cafile").map(p -> baseDirectory.resolve(p).normalize());
        Duration cacheTime = duration(source, section, "token_cache_time", Duration.ofSeconds(300));
        Duration invalidTime = duration(source, section, "invalid_token_cache_time", Duration.ofSeconds(10));
        Duration connect = duration(source, section, "http_connect_timeout", Duration.ofSeconds(2));
        Duration request = duration(source, section, "http_request_timeout", Duration.ofSeconds(5));
        if (connect.isZero() || request.isZero()) {
            throw bad(source, connect.isZero() ? "http_connect_timeout" : "http_request_timeout", "0",
                    "must be positive: a request must never wait for Keystone without a deadline");
        }
        String sizeText = get(section, "token_cache_size").orElse("10000");
        int size;
        try {
            size = Integer.parseInt(sizeText);
        } catch (NumberFormatException e) {
            size = -1;
        }
        if (size < 1 || size > 10_000_000) {
            throw bad(source, "token_cache_size", sizeText, "must be a whole number from 1 to 10000000");
        }
        return new KeystoneSettings(authUrl, www, username, password, project,
                userDomainId.orElseGet(() -> get(section, "user_domain_name").orElse("Default")), userDomainId.isPresent(),
                projectDomainId.orElseGet(() -> get(section, "project_domain_name").orElse("Default")),
                projectDomainId.isPresent(), get(section, "region_name"), iface, ca, cacheTime, invalidTime, size, connect,
                request);
    }

    private static Optional<String> get(Map<String, String> section, String key) {
        return Optional.ofNullable(section.get(key)).map(String::strip).filter(v -> !v.isEmpty());
    }

    private static String require(String source, Map<String, String> section, String key) {
        return get(section, key).orElseThrow(() -> new ConfigException(source + ": [" + SECTION + "] " + key
                + " is required with auth_strategy = keystone"));
    }

    private static ConfigException bad(String source, String key, String value, String why) {
        return new ConfigException(source + ": [" + SECTION + "] " + key + " = '" + value + "': " + why);
    }

    private static URI uri(String source, String key, String value) {
        try {
            URI uri = new URI(value);
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                throw bad(source, key, value, "must be an http:// or https:// URL");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw bad(source, key, value, "not a URL (" + e.getReason() + ")");
        }
    }

    private static Duration duration(String source, Map<String, String> section, String key, Duration otherwise) {
        Optional<String> text = get(section, key);
        if (text.isEmpty()) {
            return otherwise;
        }
        Matcher m = DURATION.matcher(text.get());
        if (!m.matches()) {
            throw bad(source, key, text.get(), "expected seconds (e.g. 300, 0.5) or a number with ms, s or m");
        }
        double amount = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        double millis = amount * (unit.equals("ms") ? 1 : unit.equals("s") ? 1000 : 60_000);
        if (millis > Duration.ofDays(1).toMillis()) {
            throw bad(source, key, text.get(), "must be at most a day");
        }
        return Duration.ofMillis(Math.round(millis));
    }
}
