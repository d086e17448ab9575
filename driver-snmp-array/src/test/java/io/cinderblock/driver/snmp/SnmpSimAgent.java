package io.cinderblock.driver.snmp;

import io.cinderblock.sdk.testing.LocalPorts;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code snmpsimd} (Debian package {@code snmpsim}) serving our recorded agent data from {@code
 * src/test/resources/snmpsim}: one {@code .snmprec} file per community, so a test picks a
 * recording, healthy or faulty (health failed, wrong types, delayed or dropped answers, ...), by
 * the community it configures. Recorded data, not a real array: the tests that use it say so.
 *
 * <p>snmpsim refuses to run as root; as root it is started with {@code --process-user=nobody
 * --process-group=nogroup} and its data directory is made readable to that user. It is stopped by
 * its PID. Note that its {@code delay} variation sleeps in its only thread: a delayed answer
 * delays every other request too, so delay recordings get an instance of their own.
 */
final class SnmpSimAgent implements AutoCloseable {
    private final Path dir;
    private final Process process;
    private final int port;

    private SnmpSimAgent(Path dir, Process process, int port) {
        this.dir = dir;
        this.process = process;
        this.port = port;
    }

    /**
     * Starts snmpsimd with the named recordings ({@code array}, {@code array-health-failed}, ...)
     * and waits until it answers for the first one.
     */
    static SnmpSimAgent start(String... recordings) {
        String snmpsimd = SnmpTestSupport.requireTool("snmpsimd", "snmpsim");
        Path dir = SnmpTestSupport.worldReadableTempDir("cinderblock-snmpsim-");
        Process process = null;
        try {
            Path data = Files.createDirectories(dir.resolve("data"));
            Path cache = Files.createDirectories(dir.resolve("cache"));
            Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));
            // snmpsim writes its index here after dropping privileges.
            Files.setPosixFilePermissions(cache, PosixFilePermissions.fromString("rwxrwxrwx"));
            for (String recording : recordings) {
                Path file = data.resolve(recording + ".snmprec");
                try (InputStream in = SnmpSimAgent.class.getResourceAsStream("/snmpsim/" + recording + ".snmprec")) {
                    if (in == null) {
                        throw new AssertionError("No recording 'snmpsim/" + recording + ".snmprec' in test resources");
                    }
                    Files.copy(in, file);
                }
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
            }
            int port = LocalPorts.freeUdpPort();
            Path log = dir.resolve("snmpsim.log");
            List<String> command = new ArrayList<>(List.of(snmpsimd, "--data-dir=" + data, "--cache-dir=" + cache,
                    "--agent-udpv4-endpoint=127.0.0.1:" + port));
            if (SnmpTestSupport.runningAsRoot()) {
                command.add("--process-user=nobody");
                command.add("--process-group=nogroup");
            }
            process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            SnmpTestSupport.awaitAgent(port, recordings[0], Duration.ofSeconds(30), process, log);
            return new SnmpSimAgent(dir, process, port);
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

    /** Driver options (v2c) that read {@code recording} through {@code profile}. */
    Map<String, String> config(String recording, String profile) {
        Map<String, String> config = SnmpTestSupport.baseConfig(port, profile);
        config.put("snmp_version", "2c");
        config.put("snmp_community", recording);
        return config;
    }

    /** Stops snmpsimd by its PID and removes its files. */
    @Override
    public void close() {
        SnmpTestSupport.stop(process);
        SnmpTestSupport.deleteTree(dir);
    }
}
