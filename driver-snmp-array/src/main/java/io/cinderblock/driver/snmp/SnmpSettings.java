package io.cinderblock.driver.snmp;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.error.InvalidConfigException;
import io.cinderblock.sdk.spi.DriverConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * How to reach and authenticate to the SNMP agent, read from a backend's configuration and checked
 * as a whole (the SDK has checked each option's type already).
 *
 * <p>{@link #toString()} never shows a secret.
 *
 * @param host the agent's address
 * @param port the agent's UDP port
 * @param version 2c or 3
 * @param community the v2c community (secret)
 * @param user the v3 user name
 * @param authProtocol the v3 authentication protocol
 * @param authKey the v3 authentication pass phrase (secret)
 * @param privProtocol the v3 privacy protocol
 * @param privKey the v3 privacy pass phrase (secret); empty when privacy is {@code none}
 * @param timeout how long to wait for one answer
 * @param retries how often to resend an unanswered request
 * @param maxRepetitions GETBULK max-repetitions
 * @param pools pool names that must exist, in order; empty to take every pool the pattern selects
 * @param poolPattern the pattern that selects pools, overriding the profile's; empty for the profile's
 */
record SnmpSettings(
        String host,
        int port,
        Version version,
        Optional<String> community,
        Optional<String> user,
        AuthProtocol authProtocol,
        Optional<String> authKey,
        PrivProtocol privProtocol,
        Optional<String> privKey,
        Duration timeout,
        int retries,
        int maxRepetitions,
        List<String> pools,
        Optional<Pattern> poolPattern) {

    static final String HOST = "snmp_host";
    static final String PORT = "snmp_port";
    static final String VERSION = "snmp_version";
    static final String COMMUNITY = "snmp_community";
    static final String USER = "snmp_user";
    static final String AUTH_PROTOCOL = "snmp_auth_protocol";
    static final String AUTH_KEY = "snmp_auth_key";
    static final String PRIV_PROTOCOL = "snmp_priv_protocol";
    static final String PRIV_KEY = "snmp_priv_key";
    static final String TIMEOUT = "snmp_timeout";
    static final String RETRIES = "snmp_retries";
    static final String MAX_REPETITIONS = "snmp_max_repetitions";
    static final String PROFILE = "snmp_profile";
    static final String PROFILE_FILE = "snmp_profile_file";
    static final String POOLS = "snmp_pools";
    static final String POOL_PATTERN = "snmp_pool_pattern";

    /** USM requires pass phrases of at least 8 characters (RFC 3414, section 11.2). */
    private static final int MIN_KEY_LENGTH = 8;
    private static final int MAX_USER_OCTETS = 32;
    private static final Duration MAX_TIMEOUT = Duration.ofSeconds(60);

    /** The SNMP versions the driver speaks. */
    enum Version {
        V2C,
        V3
    }

    SnmpSettings {
        requireNonNull(host, "host is null");
        requireNonNull(version, "version is null");
        requireNonNull(community, "community is null");
        requireNonNull(user, "user is null");
        requireNonNull(authProtocol, "authProtocol is null");
        requireNonNull(authKey, "authKey is null");
        requireNonNull(privProtocol, "privProtocol is null");
        requireNonNull(privKey, "privKey is null");
        requireNonNull(timeout, "timeout is null");
        pools = List.copyOf(pools);
        requireNonNull(poolPattern, "poolPattern is null");
    }

    /**
     * Reads and cross-checks the options.
     *
     * @throws InvalidConfigException naming the option that is missing, out of range or inconsistent
     */
    static SnmpSettings from(DriverConfig config) {
        String host = config.string(HOST).strip();
        if (host.isEmpty()) {
            throw new InvalidConfigException(HOST, "Option '" + HOST + "' is blank");
        }
        int port = (int) config.integer(PORT, 1, 65535);
        Version version = config.string(VERSION).equals("2c") ? Version.V2C : Version.V3;
        Optional<String> community = config.optional(COMMUNITY, String.class);
        Optional<String> user = config.optional(USER, String.class).map(String::strip).filter(s -> !s.isEmpty());
        AuthProtocol auth = AuthProtocol.fromWireName(config.string(AUTH_PROTOCOL)).orElseThrow();
        Optional<String> authKey = config.optional(AUTH_KEY, String.class);
        PrivProtocol priv = PrivProtocol.fromWireName(config.string(PRIV_PROTOCOL)).orElseThrow();
        Optional<String> privKey = config.optional(PRIV_KEY, String.class);
        if (version == Version.V2C) {
            if (community.isEmpty() || community.get().isEmpty()) {
                throw new InvalidConfigException(COMMUNITY, "Option '" + COMMUNITY + "' is required with "
                        + VERSION + " 2c");
            }
            for (String v3Only : List.of(USER, AUTH_KEY, PRIV_KEY)) {
                if (config.masked().containsKey(v3Only)) {
                    throw new InvalidConfigException(v3Only, "Option '" + v3Only + "' applies to "
                            + VERSION + " 3 only, but " + VERSION + " is 2c");
                }
            }
        } else {
            if (config.masked().containsKey(COMMUNITY)) {
                throw new InvalidConfigException(COMMUNITY, "Option '" + COMMUNITY + "' applies to "
                        + VERSION + " 2c only, but " + VERSION + " is 3");
            }
            if (user.isEmpty()) {
                throw new InvalidConfigException(USER, "Option '" + USER + "' is required with " + VERSION + " 3");
            }
            // USM security names are SnmpAdminString (SIZE(1..32)) octets (RFC 3414); snmp4j refuses longer ones.
            int userOctets = user.get().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            if (userOctets > MAX_USER_OCTETS) {
                throw new InvalidConfigException(USER, "Option '" + USER + "' is " + userOctets
                        + " bytes long; SNMP v3 user names have at most " + MAX_USER_OCTETS + " (RFC 3414)");
            }
            // Without authentication SNMP v3 is no better than a community string; we refuse noAuthNoPriv.
            requireKey(authKey, AUTH_KEY, "is required with " + VERSION + " 3");
            if (priv == PrivProtocol.NONE) {
                if (privKey.isPresent()) {
                    throw new InvalidConfigException(PRIV_KEY, "Option '" + PRIV_KEY + "' is set but "
                            + PRIV_PROTOCOL + " is none");
                }
            } else {
                requireKey(privKey, PRIV_KEY, "is required unless " + PRIV_PROTOCOL + " is none");
            }
        }
        Duration timeout = config.duration(TIMEOUT);
        if (timeout.compareTo(MAX_TIMEOUT) > 0 || timeout.toMillis() < 10) {
            throw new InvalidConfigException(TIMEOUT, "Option '" + TIMEOUT + "' must be between 10ms and 60s, got '"
                    + config.optionalString(TIMEOUT).orElse("") + "'");
        }
        int retries = (int) config.integer(RETRIES, 0, 5);
        int maxRepetitions = (int) config.integer(MAX_REPETITIONS, 1, 100);
        List<String> pools = new ArrayList<>();
        config.optional(POOLS, String.class).ifPresent(text -> {
            for (String name : text.split(",")) {
                String pool = name.strip();
                if (pool.isEmpty()) {
                    throw new InvalidConfigException(POOLS, "Option '" + POOLS + "' has an empty pool name in '"
                            + text + "'");
                }
                if (pool.contains("#") || pool.contains("@")) {
                    throw new InvalidConfigException(POOLS, "Option '" + POOLS + "': pool name '" + pool
                            + "' may not contain '#' or '@'");
                }
                if (pools.contains(pool)) {
                    throw new InvalidConfigException(POOLS, "Option '" + POOLS + "' names pool '" + pool + "' twice");
                }
                pools.add(pool);
            }
        });
        Optional<Pattern> pattern = config.optional(POOL_PATTERN, String.class).map(text -> {
            try {
                return Pattern.compile(text);
            } catch (PatternSyntaxException e) {
                throw new InvalidConfigException(POOL_PATTERN, "Option '" + POOL_PATTERN + "' is not a regular "
                        + "expression: '" + text + "' (" + e.getDescription() + ")");
            }
        });
        return new SnmpSettings(host, port, version, community, user, auth, authKey, priv,
                priv == PrivProtocol.NONE ? Optional.empty() : privKey, timeout, retries, maxRepetitions, pools,
                pattern);
    }

    private static void requireKey(Optional<String> key, String option, String why) {
        if (key.isEmpty()) {
            throw new InvalidConfigException(option, "Option '" + option + "' " + why);
        }
        if (key.get().length() < MIN_KEY_LENGTH) {
            throw new InvalidConfigException(option, "Option '" + option + "' must be at least " + MIN_KEY_LENGTH
                    + " characters long (value hidden)");
        }
    }

    /** The agent's address as {@code host:port}, for messages. */
    String endpoint() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    /** The worst case for one request: every try times out. */
    Duration requestDeadline() {
        return timeout.multipliedBy(retries + 1L);
    }

    @Override
    public String toString() {
        return "SnmpSettings[" + endpoint() + ", v" + (version == Version.V2C ? "2c" : "3")
                + user.map(u -> ", user=" + u).orElse("") + ", timeout=" + timeout + ", retries=" + retries + "]";
    }
}
