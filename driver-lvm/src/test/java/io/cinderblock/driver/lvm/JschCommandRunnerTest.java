package io.cinderblock.driver.lvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cinderblock.sdk.testing.LocalPorts;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SSH protocol edge cases against an embedded Apache MINA SSHD server (a test double, not a real
 * host): commands that never end, sessions the server drops, a port that accepts TCP but never
 * speaks SSH. Host keys, authentication and real LVM are covered with OpenSSH in {@link
 * LvmDriverRealHostTest}.
 */
@DisplayName("JSch command runner against an embedded SSH server")
class JschCommandRunnerTest {
    @TempDir
    Path dir;
    private SshServer server;
    private JschCommandRunner runner;

    @BeforeEach
    void start() throws IOException {
        server = SshServer.setUpDefaultServer();
        server.setHost("127.0.0.1");
        server.setPort(0);
        server.setKeyPairProvider(new SimpleGeneratorHostKeyProvider(dir.resolve("host.ser")));
        server.setPublickeyAuthenticator((user, key, session) -> true);
        server.setCommandFactory((channel, command) -> new ScriptedCommand(command));
        server.start();
        // ECDSA: MINA SSHD verifies Ed25519 only with an extra EdDSA library, which this test does not need.
        HostCommands.check(HostCommands.tool("ssh-keygen", "openssh-client"), "-q", "-t", "ecdsa", "-N", "", "-f",
                dir.resolve("key").toString());
        runner = runnerFor(server.getPort(), Duration.ofSeconds(5));
    }

    @AfterEach
    void stop() throws IOException {
        if (runner != null) {
            runner.close();
        }
        if (server != null) {
            server.stop(true);
        }
    }

    private JschCommandRunner runnerFor(int port, Duration connectTimeout) {
        return new JschCommandRunner(new SshSettings("127.0.0.1", port, "cinder", dir.resolve("key"), Optional.empty(),
                Optional.empty(), false, connectTimeout, Duration.ofSeconds(5), false), System.getLogger("test"));
    }

    @Test
    @DisplayName("returns stdout, stderr and the exit status apart")
    void output() {
        CommandResult ok = runner.run(RemoteCommand.of("echo").arg("hello world").build(), Duration.ofSeconds(5));
        assertThat(ok.exitStatus()).isZero();
        assertThat(ok.stdout()).contains("'echo' 'hello world'");
        CommandResult failed = runner.run(RemoteCommand.of("fail").build(), Duration.ofSeconds(5));
        assertThat(failed.exitStatus()).isEqualTo(3);
        assertThat(failed.stdout()).isEmpty();
        assertThat(failed.lastErrorLine()).isEqualTo("boom");
    }

    @Test
    @DisplayName("abandons a command at its deadline, then works again on a new session")
    void perCommandTimeout() {
        long start = System.nanoTime();
        assertThatThrownBy(() -> runner.run(RemoteCommand.of("hang").build(), Duration.ofMillis(500)))
                .isInstanceOfSatisfying(SshFailureException.class,
                        e -> assertThat(e.kind()).isEqualTo(SshFailureException.Kind.COMMAND_TIMED_OUT))
                .hasMessageContaining("'hang' on 127.0.0.1:" + server.getPort() + " did not finish within 500 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThat(runner.run(RemoteCommand.of("echo").build(), Duration.ofSeconds(5)).exitStatus()).isZero();
    }

    @Test
    @DisplayName("replaces a session the server dropped, without failing the next command")
    void deadSessionReplaced() throws Exception {
        assertThat(runner.run(RemoteCommand.of("echo").build(), Duration.ofSeconds(5)).succeeded()).isTrue();
        server.getActiveSessions().forEach(session -> session.close(true));
        Thread.sleep(200);
        assertThat(runner.run(RemoteCommand.of("echo").arg("again").build(), Duration.ofSeconds(5)).stdout())
                .contains("again");
    }

    @Test
    @DisplayName("a port that accepts TCP but never speaks SSH is unreachable within the connect timeout")
    void silentPort() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                JschCommandRunner stuck = runnerFor(silent.getLocalPort(), Duration.ofMillis(700))) {
            Thread acceptor = new Thread(() -> {
                try (Socket accepted = silent.accept()) {
                    // Hold the connection open and say nothing.
                    accepted.setKeepAlive(true);
                    Thread.sleep(10_000);
                } catch (IOException | InterruptedException e) {
                    // the test is over
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            long start = System.nanoTime();
            assertThatThrownBy(() -> stuck.run(RemoteCommand.of("echo").build(), Duration.ofSeconds(5)))
                    .isInstanceOfSatisfying(SshFailureException.class,
                            e -> assertThat(e.kind()).isEqualTo(SshFailureException.Kind.UNREACHABLE))
                    .hasMessageContaining("unreachable");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
            acceptor.interrupt();
        }
    }

    @Test
    @DisplayName("a closed port is unreachable")
    void closedPort() {
        int port = LocalPorts.freeTcpPort();
        try (JschCommandRunner nowhere = runnerFor(port, Duration.ofSeconds(2))) {
            assertThatThrownBy(() -> nowhere.run(RemoteCommand.of("echo").build(), Duration.ofSeconds(2)))
                    .isInstanceOfSatisfying(SshFailureException.class,
                            e -> assertThat(e.kind()).isEqualTo(SshFailureException.Kind.UNREACHABLE))
                    .hasMessageContaining("127.0.0.1:" + port);
        }
    }

    /** The server side: {@code hang} never ends, {@code fail} exits 3, anything else echoes its command line. */
    private static final class ScriptedCommand implements Command {
        private final String line;
        private final CountDownLatch destroyed = new CountDownLatch(1);
        private OutputStream out;
        private OutputStream err;
        private ExitCallback exit;

        ScriptedCommand(String line) {
            this.line = line;
        }

        @Override
        public void setInputStream(java.io.InputStream in) {}

        @Override
        public void setOutputStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void setErrorStream(OutputStream err) {
            this.err = err;
        }

        @Override
        public void setExitCallback(ExitCallback callback) {
            this.exit = callback;
        }

        @Override
        public void start(ChannelSession channel, Environment env) {
            Thread worker = new Thread(() -> {
                try {
                    if (line.contains("'hang'")) {
                        destroyed.await();
                        return;
                    }
                    if (line.contains("'fail'")) {
                        err.write("  WARNING: noise\nboom\n".getBytes(StandardCharsets.UTF_8));
                        err.flush();
                        exit.onExit(3);
                        return;
                    }
                    out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    exit.onExit(0);
                } catch (IOException | InterruptedException e) {
                    exit.onExit(255);
                }
            });
            worker.setDaemon(true);
            worker.start();
        }

        @Override
        public void destroy(ChannelSession channel) {
            destroyed.countDown();
        }
    }
}
