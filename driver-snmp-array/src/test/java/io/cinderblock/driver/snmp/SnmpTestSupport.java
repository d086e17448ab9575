package io.cinderblock.driver.snmp;

import io.cinderblock.sdk.spi.DriverConfig;
import io.cinderblock.sdk.spi.DriverContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.snmp4j.CommunityTarget;
import org.snmp4j.PDU;
import org.snmp4j.Snmp;
import org.snmp4j.event.ResponseEvent;
import org.snmp4j.mp.SnmpConstants;
import org.snmp4j.smi.OctetString;
import org.snmp4j.smi.UdpAddress;
import org.snmp4j.smi.VariableBinding;
import org.snmp4j.transport.DefaultUdpTransportMapping;

/**
 * What every test of this driver needs, in one place so the conformance kit's fixture can reuse
 * it: "start the real device and give me a driver config for it" ({@link NetSnmpAgent#start()},
 * {@link SnmpSimAgent#start}, {@link SimulatedArrayAgent#start()} and their {@code config}
 * methods), "break and heal it" ({@link NetSnmpAgent#pause()}/{@link NetSnmpAgent#resume()}, or
 * the fault recordings of {@link SnmpSimAgent}), and opening a driver on a config.
 */
final class SnmpTestSupport {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    private SnmpTestSupport() {}

    /** A random secret generated for this test run: never a fixed credential in a file. */
    static String secret(int length) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < length; i++) {
            text.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return text.toString();
    }

    /** A temporary directory that other users (snmpsim's unprivileged user) can read. */
    static Path worldReadableTempDir(String prefix) {
        try {
            Path dir = Files.createTempDirectory(prefix);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes a directory tree; quiet, because it runs in cleanup. */
    static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // Left for the OS to clean; a failed cleanup must not hide the test's own result.
        }
    }

    /**
     * The absolute path of a Debian tool, or a test failure that names the package to install.
     * Never a skip: a real-part test that silently skips in CI is a defect.
     */
    static String requireTool(String tool, String debianPackage) {
        List<String> dirs = new java.util.ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
        dirs.addAll(List.of("/usr/sbin", "/sbin")); // daemons live in sbin, which a user's PATH may lack
        for (String dir : dirs) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, tool);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        throw new AssertionError("'" + tool + "' is not installed: install the Debian package '" + debianPackage
                + "' (apt-get install " + debianPackage + ")");
    }

    /** Whether the tests run as root, where daemons must be told to drop privileges. */
    static boolean runningAsRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** Starts a map of driver options with the agent's address. */
    static Map<String, String> baseConfig(int port, String profile) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("volume_driver", SnmpArrayDriverProvider.DRIVER_ID);
        config.put("snmp_host", "127.0.0.1");
        config.put("snmp_port", Integer.toString(port));
        config.put("snmp_profile", profile);
        config.put("snmp_timeout", "1s");
        config.put("snmp_retries", "1");
        return config;
    }

    /** Validates options against the driver's descriptor, as a host would. */
    static DriverConfig validate(Map<String, String> options) {
        return DriverConfig.validate(new SnmpArrayDriverProvider().descriptor(), "snmp-test", options);
    }

    /** Opens the driver on options, as a host would. */
    static SnmpArrayDriver open(Map<String, String> options) {
        return (SnmpArrayDriver) new SnmpArrayDriverProvider().open(validate(options),
                DriverContext.standard("snmp-test"));
    }

    /** Waits until an agent answers a v2c GET of sysUpTime, or fails with its log. */
    static void awaitAgent(int port, String community, Duration patience, Process process, Path log) {
        long deadline = System.nanoTime() + patience.toNanos();
        try (Snmp snmp = new Snmp(new DefaultUdpTransportMapping())) {
            snmp.listen();
            CommunityTarget<UdpAddress> target = new CommunityTarget<>(
                    new UdpAddress(InetAddress.getLoopbackAddress(), port), new OctetString(community));
            target.setVersion(SnmpConstants.version2c);
            target.setTimeout(300);
            target.setRetries(0);
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new AssertionError("Agent exited with " + process.exitValue() + ": " + readLog(log));
                }
                PDU pdu = new PDU();
                pdu.add(new VariableBinding(SnmpSession.SYS_UP_TIME));
                ResponseEvent<UdpAddress> event = snmp.send(pdu, target);
                if (event != null && event.getResponse() != null) {
                    return;
                }
                Thread.sleep(100);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("Interrupted while waiting for the agent", e);
        }
        throw new AssertionError("Agent on port " + port + " did not answer within " + patience + ": " + readLog(log));
    }

    static String readLog(Path log) {
        try {
            String text = Files.exists(log) ? Files.readString(log) : "(no log)";
            return text.length() > 4000 ? text.substring(text.length() - 4000) : text;
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    /** Sends a signal to a process we started, by its PID. */
    static void signal(Process process, String signal) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
                    .redirectErrorStream(true).start();
            if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new AssertionError("kill -" + signal + " " + process.pid() + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Stops a process we started, by its PID: SIGTERM, then SIGKILL. */
    static void stop(Process process) {
        if (process == null || !process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
