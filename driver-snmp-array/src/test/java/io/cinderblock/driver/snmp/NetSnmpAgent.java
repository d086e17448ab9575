package io.cinderblock.driver.snmp;

import io.cinderblock.sdk.testing.LocalPorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A private net-snmp {@code snmpd} (the real agent, Debian package {@code snmpd}) on 127.0.0.1 and
 * a free port, with a generated v2c community and a generated v3 user (SHA-256 / AES-128), its
 * own config file and persistent directory (plus an authNoPriv user, a SHA-512/AES-256 user and an MD5/DES user), and no other configuration read. Serves
 * HOST-RESOURCES-MIB and UCD-SNMP-MIB ({@code dskTable} for every mounted file system).
 *
 * <p>Break and heal it with {@link #pause()} and {@link #resume()} (SIGSTOP/SIGCONT: the agent
 * stops answering without closing its socket, as a hung array does).
 */
final class NetSnmpAgent implements AutoCloseable {
    static final String USER = "cinderblock";
    /** Replaced by the agent's community in extra configuration lines. */
    static final String COMMUNITY_PLACEHOLDER = "@COMMUNITY@";
    /** A v3 user with SHA-256 authentication and no privacy (authNoPriv). */
    static final String USER_AUTH_ONLY = "cinderblock-auth";
    /** A v3 user with SHA-512 and AES-256 (net-snmp's Blumenthal key extension). */
    static final String USER_STRONG = "cinderblock-strong";
    /** A v3 user with MD5 and DES, as an old agent has: snmp4j 3.9 leaves both out of its defaults. */
    static final String USER_LEGACY = "cinderblock-legacy";

    private final Path dir;
    private Process process;
    private final int port;
    private final String community;
    private final String authKey;
    private final String privKey;

    private NetSnmpAgent(Path dir, Process process, int port, String community, String authKey, String privKey) {
        this.dir = dir;
        this.process = process;
        this.port = port;
        this.community = community;
        this.authKey = authKey;
        this.privKey = privKey;
    }

    /** Starts snmpd and waits until it answers. */
    static NetSnmpAgent start() {
        return start(List.of());
    }

    /**
     * Starts snmpd with extra lines in its configuration (e.g. {@code trap2sink}, which needs the
     * community: {@link #COMMUNITY_PLACEHOLDER} in a line is replaced by the agent's community).
     */
    static NetSnmpAgent start(List<String> extraConfig) {
        Path dir = SnmpTestSupport.worldReadableTempDir("cinderblock-snmpd-");
        Process process = null;
        try {
            Path persistent = Files.createDirectories(dir.resolve("persist"));
            String community = SnmpTestSupport.secret(16);
            String authKey = SnmpTestSupport.secret(20);
            String privKey = SnmpTestSupport.secret(20);
            Path config = dir.resolve("snmpd.conf");
            Files.writeString(config, String.join("\n",
                    "[snmp] persistentDir " + persistent,
                    "rocommunity " + community + " 127.0.0.1",
                    "createUser " + USER + " SHA-256 " + authKey + " AES " + privKey,
                    "rouser " + USER + " priv",
                    "createUser " + USER_AUTH_ONLY + " SHA-256 " + authKey,
                    "rouser " + USER_AUTH_ONLY + " auth",
                    "createUser " + USER_STRONG + " SHA-512 " + authKey + " AES-256 " + privKey,
                    "rouser " + USER_STRONG + " priv",
                    "createUser " + USER_LEGACY + " MD5 " + authKey + " DES " + privKey,
                    "rouser " + USER_LEGACY + " priv",
                    // Every mounted file system in dskTable; 0% so that no disk counts as in error.
                    "includeAllDisks 0%",
                    String.join("\n", extraConfig).replace(COMMUNITY_PLACEHOLDER, community),
                    ""));
            int port = LocalPorts.freeUdpPort();
            process = launch(dir, port);
            SnmpTestSupport.awaitAgent(port, community, Duration.ofSeconds(15), process, dir.resolve("snmpd.log"));
            return new NetSnmpAgent(dir, process, port, community, authKey, privKey);
        } catch (IOException e) {
            SnmpTestSupport.stop(process);
            SnmpTestSupport.deleteTree(dir);
            throw new UncheckedIOException(e);
        } catch (RuntimeException | Error e) {
            SnmpTestSupport.stop(process);
            SnmpTestSupport.deleteTree(dir);
            throw e;
        }
    }

    private static Process launch(Path dir, int port) throws IOException {
        String snmpd = SnmpTestSupport.requireTool("snmpd", "snmpd");
        Path log = dir.resolve("snmpd.log");
        ProcessBuilder builder = new ProcessBuilder(snmpd, "-f", "-Lo", "-C", "-c", dir.resolve("snmpd.conf").toString(),
                "-p", dir.resolve("snmpd.pid").toString(), "udp:127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().put("SNMP_PERSISTENT_DIR", dir.resolve("persist").toString());
        builder.environment().put("MIBS", ""); // no MIB files needed: we speak numeric OIDs
        return builder.start();
    }

    /** Stops snmpd as an operator would (SIGTERM), keeping its configuration for {@link #restart()}. */
    void shutdown() {
        SnmpTestSupport.stop(process);
    }

    /** Starts snmpd again on the same port with the same configuration and users, and waits until it answers. */
    void restart() {
        SnmpTestSupport.stop(process);
        try {
            process = launch(dir, port);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        SnmpTestSupport.awaitAgent(port, community, Duration.ofSeconds(15), process, dir.resolve("snmpd.log"));
    }

    int port() {
        return port;
    }

    String authKey() {
        return authKey;
    }

    String privKey() {
        return privKey;
    }

    /** Driver options for SNMP v2c with this agent's community. */
    Map<String, String> v2cConfig(String profile) {
        Map<String, String> config = SnmpTestSupport.baseConfig(port, profile);
        config.put("snmp_version", "2c");
        config.put("snmp_community", community);
        return config;
    }

    /** Driver options for SNMP v3 authPriv (SHA-256 / AES-128) with this agent's user. */
    Map<String, String> v3Config(String profile) {
        Map<String, String> config = SnmpTestSupport.baseConfig(port, profile);
        config.put("snmp_version", "3");
        config.put("snmp_user", USER);
        config.put("snmp_auth_protocol", "SHA-256");
        config.put("snmp_auth_key", authKey);
        config.put("snmp_priv_protocol", "AES-128");
        config.put("snmp_priv_key", privKey);
        return config;
    }

    /** Driver options for SNMP v3 authNoPriv (SHA-256, no privacy). */
    Map<String, String> v3AuthOnlyConfig(String profile) {
        Map<String, String> config = v3Config(profile);
        config.put("snmp_user", USER_AUTH_ONLY);
        config.put("snmp_priv_protocol", "none");
        config.remove("snmp_priv_key");
        return config;
    }

    /** Driver options for SNMP v3 authPriv with SHA-512 and AES-256. */
    Map<String, String> v3StrongConfig(String profile) {
        Map<String, String> config = v3Config(profile);
        config.put("snmp_user", USER_STRONG);
        config.put("snmp_auth_protocol", "SHA-512");
        config.put("snmp_priv_protocol", "AES-256");
        return config;
    }

    /** Driver options for SNMP v3 authPriv with MD5 and DES, chosen explicitly. */
    Map<String, String> v3LegacyConfig(String profile) {
        Map<String, String> config = v3Config(profile);
        config.put("snmp_user", USER_LEGACY);
        config.put("snmp_auth_protocol", "MD5");
        config.put("snmp_priv_protocol", "DES");
        return config;
    }

    /** Breaks the agent: it stops answering (SIGSTOP), its socket stays open. */
    void pause() {
        SnmpTestSupport.signal(process, "STOP");
    }

    /** Heals the agent (SIGCONT). */
    void resume() {
        SnmpTestSupport.signal(process, "CONT");
    }

    /** Stops snmpd by its PID and removes its files. */
    @Override
    public void close() {
        if (process.isAlive()) {
            SnmpTestSupport.signal(process, "CONT"); // a stopped process would not act on SIGTERM
        }
        SnmpTestSupport.stop(process);
        SnmpTestSupport.deleteTree(dir);
    }
}
