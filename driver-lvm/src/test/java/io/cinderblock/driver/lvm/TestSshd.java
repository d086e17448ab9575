package io.cinderblock.driver.lvm;

import static io.cinderblock.driver.lvm.HostCommands.check;
import static io.cinderblock.driver.lvm.HostCommands.tool;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A real OpenSSH {@code sshd} of the test host on a loopback port, with keys generated at set-up in
 * the host's directory: two host keys (to swap, for the host-key fault), the user's key it accepts,
 * a stranger's key it refuses, and two known-hosts files (one right, one that does not know this host).
 */
final class TestSshd {
    private final Path dir;
    private final int port;
    private Process sshd;

    private TestSshd(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    /** Generates the keys and configuration in {@code dir} and starts sshd on {@code port}. */
    static TestSshd start(Path dir, int port) {
        TestSshd ssh = new TestSshd(dir, port);
        ssh.setUp();
        ssh.start(dir.resolve("host_key"));
        return ssh;
    }

    int port() {
        return port;
    }

    /** The user's private key, which sshd accepts. */
    Path userKey() {
        return dir.resolve("id_user");
    }

    /** A known-hosts file with this sshd's original host key. */
    Path knownHosts() {
        return dir.resolve("known_hosts");
    }

    /** A private key sshd does not accept. */
    Path unauthorizedKey() {
        return dir.resolve("id_stranger");
    }

    /** A known-hosts file that knows another host, not this one. */
    Path strangerKnownHosts() {
        return dir.resolve("known_hosts_stranger");
    }

    /** Stops sshd and every connection it serves: the host is unreachable. Idempotent. */
    void stop() {
        if (sshd != null) {
            TestProcesses.destroyTree(sshd);
            sshd = null;
        }
    }

    /** Starts sshd again with its original host key; idempotent. */
    void start() {
        if (sshd == null) {
            start(dir.resolve("host_key"));
        }
    }

    /** Restarts sshd with a different host key: the one in {@link #knownHosts()} no longer matches. */
    void changeHostKey() {
        stop();
        start(dir.resolve("host_key_other"));
    }

    private void setUp() {
        keygen("host_key");
        keygen("host_key_other");
        keygen("id_user");
        keygen("id_stranger");
        try {
            Files.copy(dir.resolve("id_user.pub"), dir.resolve("authorized_keys"));
            String hostKey = Files.readString(dir.resolve("host_key.pub")).strip();
            String otherKey = Files.readString(dir.resolve("host_key_other.pub")).strip();
            Files.writeString(knownHosts(), "[127.0.0.1]:" + port + " " + keyTypeAndBlob(hostKey) + "\n");
            // Knows the port, but with another key type's entry absent: the host key is simply unknown.
            Files.writeString(strangerKnownHosts(), "[127.0.0.2]:" + port + " " + keyTypeAndBlob(otherKey) + "\n");
            Files.writeString(dir.resolve("sshd_config"), String.join("\n",
                    "Port " + port,
                    "ListenAddress 127.0.0.1",
                    "AuthorizedKeysFile " + dir.resolve("authorized_keys"),
                    "PermitRootLogin prohibit-password",
                    "PubkeyAuthentication yes",
                    "PasswordAuthentication no",
                    "KbdInteractiveAuthentication no",
                    "StrictModes no",
                    "UsePAM no",
                    "PidFile none",
                    "MaxStartups 100",
                    "LogLevel ERROR",
                    // A clean HOME: the login user's own ~/.bashrc, which bash sources for every SSH
                    // command, may be slow (pyenv, ...) or print text that would pollute the output.
                    "SetEnv HOME=" + dir.resolve("home"),
                    ""));
            Files.createDirectories(dir.resolve("home"));
            // sshd refuses to start without its privilege-separation directory.
            Files.createDirectories(Path.of("/run/sshd"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String keyTypeAndBlob(String publicKey) {
        String[] parts = publicKey.split("\\s+");
        return parts[0] + " " + parts[1];
    }

    private void keygen(String name) {
        check("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "cinderblock-test", "-f", dir.resolve(name).toString());
    }

    private void start(Path hostKey) {
        try {
            sshd = new ProcessBuilder(tool("sshd", "openssh-server"), "-D", "-e", "-f", dir.resolve("sshd_config").toString(),
                    "-h", hostKey.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("sshd.log").toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        TestProcesses.waitForPort(sshd, port, "sshd", true, dir.resolve("sshd.log"));
    }
}
