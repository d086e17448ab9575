package io.cinderblock.driver.snmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cinderblock.sdk.error.DeviceUnavailableException;
import io.cinderblock.sdk.error.NotSupportedException;
import io.cinderblock.sdk.spi.BackendState;
import io.cinderblock.sdk.spi.BackendStats;
import io.cinderblock.sdk.spi.PoolStats;
import io.cinderblock.sdk.spi.VolumeDriver;
import io.cinderblock.sdk.spi.VolumeSpec;
import io.cinderblock.sdk.testing.RecordingLogger;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The driver against the real net-snmp {@code snmpd}, over v2c and v3, with the {@code
 * host-resources} and {@code ucd-disk} profiles, and the DOWN reasons a real agent produces:
 * timeout (agent stopped), authentication failure, privacy failure, missing pool.
 */
@DisplayName("snmp-array against a real net-snmp snmpd")
class NetSnmpDriverTest {
    private static NetSnmpAgent agent;

    @BeforeAll
    static void startAgent() {
        agent = NetSnmpAgent.start();
    }

    @AfterAll
    static void stopAgent() {
        if (agent != null) {
            agent.close();
        }
    }

    @Test
    @DisplayName("v2c and v3: host-resources total of every mount equals df's, used too on a quiet mount, to one allocation unit")
    void hostResourcesMatchesDf() throws Exception {
        for (Map<String, String> options : List.of(agent.v2cConfig(Profiles.HOST_RESOURCES),
                agent.v3Config(Profiles.HOST_RESOURCES))) {
            assertMatchesDf(options, false);
        }
    }

    @Test
    @DisplayName("v2c and v3: ucd-disk (64-bit high/low columns) total and free equal df's, to one KiB")
    void ucdDiskMatchesDf() throws Exception {
        for (Map<String, String> options : List.of(agent.v2cConfig(Profiles.UCD_DISK),
                agent.v3Config(Profiles.UCD_DISK))) {
            assertMatchesDf(options, true);
        }
    }

    @Test
    @DisplayName("v2c, v3 SHA-256/AES-128, v3 authNoPriv, v3 SHA-512/AES-256: UP with a reason naming the agent")
    void upOverBothVersions() {
        for (Map<String, String> options : List.of(agent.v2cConfig(Profiles.HOST_RESOURCES),
                agent.v3Config(Profiles.UCD_DISK), agent.v3AuthOnlyConfig(Profiles.UCD_DISK),
                agent.v3StrongConfig(Profiles.HOST_RESOURCES))) {
            try (SnmpArrayDriver driver = SnmpTestSupport.open(options)) {
                BackendState state = driver.backendState();
                assertThat(state.status()).as(state.reason()).isEqualTo(BackendState.Status.UP);
                assertThat(state.reason()).contains("127.0.0.1:" + agent.port());
            }
        }
    }

    @Test
    @DisplayName("MD5 and DES work only when configured explicitly, and the driver warns at open")
    void legacyProtocolsWithWarning() {
        RecordingLogger log = new RecordingLogger("snmp-legacy");
        Map<String, String> options = agent.v3LegacyConfig(Profiles.HOST_RESOURCES);
        try (VolumeDriver driver = new SnmpArrayDriverProvider().open(SnmpTestSupport.validate(options), log.context())) {
            BackendState state = driver.backendState();
            assertThat(state.status()).as(state.reason()).isEqualTo(BackendState.Status.UP);
        }
        assertThat(log.messages(System.Logger.Level.WARNING)).anySatisfy(w -> assertThat(w).contains("MD5").contains("broken"))
                .anySatisfy(w -> assertThat(w).contains("DES").contains("broken"));
    }

    @Test
    @DisplayName("DOWN: timeout while the agent is stopped, within stateDeadline; UP again once it resumes")
    void timeoutWhileAgentStopped() {
        Map<String, String> options = agent.v3Config(Profiles.HOST_RESOURCES);
        options.put("snmp_timeout", "300ms");
        options.put("snmp_retries", "1");
        try (SnmpArrayDriver driver = SnmpTestSupport.open(options)) {
            assertThat(driver.backendState().isUp()).isTrue();
            agent.pause();
            try {
                long start = System.nanoTime();
                BackendState state = driver.backendState();
                long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertThat(state.status()).isEqualTo(BackendState.Status.DOWN);
                assertThat(state.reason()).startsWith("SNMP timeout");
                assertThat(elapsed).isLessThanOrEqualTo(driver.stateDeadline().toMillis());
                assertThatThrownBy(driver::collectStats).isInstanceOf(DeviceUnavailableException.class)
                        .hasMessageContaining("timeout");
            } finally {
                agent.resume();
            }
            assertThat(driver.backendState().isUp()).isTrue();
        }
    }

    @Test
    @DisplayName("DOWN: authentication failure (wrong auth key: usmStatsWrongDigests report)")
    void wrongAuthKey() {
        Map<String, String> options = agent.v3Config(Profiles.HOST_RESOURCES);
        options.put("snmp_auth_key", SnmpTestSupport.secret(20));
        assertDown(options, "wrong digest", SnmpUnreachableException.Fault.AUTHENTICATION);
    }

    @Test
    @DisplayName("DOWN: authentication failure (unknown user: usmStatsUnknownUserNames report)")
    void unknownUser() {
        Map<String, String> options = agent.v3Config(Profiles.HOST_RESOURCES);
        options.put("snmp_user", "nobody-" + SnmpTestSupport.secret(6));
        assertDown(options, "unknown user", SnmpUnreachableException.Fault.AUTHENTICATION);
    }

    @Test
    @DisplayName("DOWN: privacy failure (wrong privacy key), told apart from a timeout")
    void wrongPrivKey() {
        Map<String, String> options = agent.v3Config(Profiles.HOST_RESOURCES);
        options.put("snmp_priv_key", SnmpTestSupport.secret(20));
        options.put("snmp_timeout", "500ms");
        assertDown(options, "privacy failure", SnmpUnreachableException.Fault.PRIVACY);
    }

    @Test
    @DisplayName("DOWN: a configured pool is missing; stats keep it with unknown capacity")
    void missingPool() {
        Map<String, String> options = agent.v2cConfig(Profiles.HOST_RESOURCES);
        options.put("snmp_pools", "/no/such/mount/" + SnmpTestSupport.secret(6));
        try (SnmpArrayDriver driver = SnmpTestSupport.open(options)) {
            BackendState state = driver.backendState();
            assertThat(state.status()).isEqualTo(BackendState.Status.DOWN);
            assertThat(state.reason()).startsWith("Configured pool missing").contains("/no/such/mount/");
            BackendStats stats = driver.collectStats();
            assertThat(stats.backendState()).isEqualTo(BackendState.Status.DOWN);
            assertThat(stats.pools()).singleElement().satisfies(pool -> {
                assertThat(pool.totalCapacity().isKnown()).isFalse();
                assertThat(pool.extraCapabilities()).containsEntry("pool_missing", true);
            });
        }
    }

    @Test
    @DisplayName("a profile file of one's own, added without rebuilding: dskTable with the 32-bit dskTotal/dskAvail")
    void ownProfileFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("my-disks.properties");
        Files.writeString(file, String.join("\n",
                "profile.description = dskTable, 32-bit KiB columns",
                "pool.table = 1.3.6.1.4.1.2021.9.1",
                "pool.name.column = 2",
                "pool.total.column = 6",
                "pool.free.column = 7",
                "pool.unit = kib",
                "pool.counter.bits = 32",
                "pool.name.pattern = /",
                ""));
        Map<String, String> options = agent.v3Config(Profiles.HOST_RESOURCES);
        options.remove("snmp_profile");
        options.put("snmp_profile_file", file.toString());
        try (SnmpArrayDriver driver = SnmpTestSupport.open(options)) {
            assertThat(driver.profile().name()).isEqualTo("my-disks");
            BackendState state = driver.backendState();
            assertThat(state.status()).as(state.reason()).isEqualTo(BackendState.Status.UP);
            assertThat(driver.collectStats().pools()).extracting(PoolStats::poolName).containsExactly("/");
        }
    }

    @Test
    @DisplayName("host-resources has no volume table: no capability declared, the standard 'not supported' error")
    void noProvisioningWithoutVolumeTable() {
        try (SnmpArrayDriver driver = SnmpTestSupport.open(agent.v2cConfig(Profiles.HOST_RESOURCES))) {
            assertThat(driver.capabilities()).isEmpty();
            assertThatThrownBy(() -> driver.createVolume(VolumeSpec.of("v1", 1)))
                    .isInstanceOf(NotSupportedException.class).hasMessageContaining("create_volume");
        }
    }

    @Test
    @DisplayName("no reason or error message shows a community, auth key or privacy key")
    void secretsNeverShown() {
        Map<String, String> wrongAuth = agent.v3Config(Profiles.HOST_RESOURCES);
        wrongAuth.put("snmp_auth_key", SnmpTestSupport.secret(20));
        Map<String, String> wrongPriv = agent.v3Config(Profiles.HOST_RESOURCES);
        wrongPriv.put("snmp_priv_key", SnmpTestSupport.secret(20));
        wrongPriv.put("snmp_timeout", "300ms");
        for (Map<String, String> options : List.of(agent.v2cConfig(Profiles.HOST_RESOURCES), wrongAuth, wrongPriv)) {
            try (SnmpArrayDriver driver = SnmpTestSupport.open(options)) {
                String reason = driver.backendState().reason();
                for (String secret : secretsOf(options)) {
                    assertThat(reason).doesNotContain(secret);
                }
                assertThat(SnmpTestSupport.validate(options).toString()).doesNotContain(secretsOf(options));
            }
        }
    }

    private static String[] secretsOf(Map<String, String> options) {
        return options.entrySet().stream()
                .filter(e -> List.of("snmp_community", "snmp_auth_key", "snmp_priv_key").contains(e.getKey()))
                .map(Map.Entry::getValue).toArray(String[]::new);
    }

    private static void assertDown(Map<String, String> options, String reason, SnmpUnreachableException.Fault fault) {
        try (SnmpArrayDriver driver = SnmpTestSupport.open(options)) {
            BackendState state = driver.backendState();
            assertThat(state.status()).isEqualTo(BackendState.Status.DOWN);
            assertThat(state.reason()).containsIgnoringCase(reason);
            assertThatThrownBy(driver::collectStats).isInstanceOfSatisfying(SnmpUnreachableException.class,
                    e -> assertThat(e.fault()).isEqualTo(fault));
        }
    }

    /**
     * Compares every pool that is a mount df knows with df: the total must equal df's size to one
     * allocation unit; used (host-resources) or free (ucd-disk) must equal df's on at least one
     * mount, because other processes write to live file systems and snmpd caches its figures for
     * a few seconds. A comparison counts only when df read the same before and after the driver.
     */
    private static void assertMatchesDf(Map<String, String> options, boolean ucd) throws Exception {
        List<String> mounts = new java.util.ArrayList<>();
        try (SnmpArrayDriver driver = SnmpTestSupport.open(options)) {
            for (PoolStats pool : driver.collectStats().pools()) {
                if (pool.poolName().startsWith("/") && df(pool.poolName(), ucd).isPresent()) {
                    mounts.add(pool.poolName());
                }
            }
        }
        assertThat(mounts).as("pools that are mounts df knows").isNotEmpty();
        List<String> differences = new java.util.ArrayList<>();
        boolean secondMatched = false;
        for (String mount : mounts) {
            Map<String, String> one = new HashMap<>(options);
            one.put("snmp_pools", mount);
            try (SnmpArrayDriver driver = SnmpTestSupport.open(one)) {
                for (int attempt = 0; attempt < 4 && !secondMatched; attempt++) {
                    long[] before = df(mount, ucd).orElseThrow();
                    PoolStats pool = driver.collectStats().pools().get(0);
                    long[] after = df(mount, ucd).orElseThrow();
                    long allocation = ucd ? 1024 : before[2];
                    long total = Math.round(pool.totalCapacity().gib() * (1L << 30));
                    long second = Math.round((ucd ? pool.freeCapacity().gib()
                            : pool.totalCapacity().gib() - pool.freeCapacity().gib()) * (1L << 30));
                    assertThat(Math.abs(total - before[0])).as("total of %s: driver %d bytes, df %d bytes", mount,
                            total, before[0]).isLessThanOrEqualTo(allocation);
                    if (before[1] == after[1] && Math.abs(second - before[1]) <= allocation) {
                        secondMatched = true;
                    } else {
                        differences.add((ucd ? "free" : "used") + " of " + mount + ": driver " + second
                                + " bytes, df " + before[1] + " then " + after[1]);
                        Thread.sleep(1000); // snmpd caches file system figures for a few seconds
                    }
                }
            }
        }
        assertThat(secondMatched).as("%s equals df's on some mount; differences: %s", ucd ? "free" : "used",
                differences).isTrue();
    }

    /**
     * df's figures for a mount: {size, used (or avail for ucd), block size}, in bytes; empty if df
     * does not know the mount as a mount point.
     */
    private static Optional<long[]> df(String mount, boolean avail) throws IOException, InterruptedException {
        Process df = new ProcessBuilder("df", "-B1", "--output=target,size," + (avail ? "avail" : "used"), mount)
                .redirectErrorStream(true).start();
        String out = new String(df.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!df.waitFor(10, TimeUnit.SECONDS) || df.exitValue() != 0) {
            return Optional.empty();
        }
        String[] lines = out.strip().split("\n");
        String[] fields = lines[lines.length - 1].trim().split("\\s+");
        if (fields.length < 3 || !fields[0].equals(mount)) {
            return Optional.empty();
        }
        Process stat = new ProcessBuilder("stat", "-f", "-c", "%S", mount).redirectErrorStream(true).start();
        String block = new String(stat.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        stat.waitFor(10, TimeUnit.SECONDS);
        return Optional.of(new long[] {Long.parseLong(fields[1]), Long.parseLong(fields[2]), Long.parseLong(block)});
    }
}
