package io.cinderblock.driver.lvm;

import static java.util.Objects.requireNonNull;

import com.jcraft.jsch.ChannelExec;
import com.jcraft.jsch.Identity;
import com.jcraft.jsch.JSch;
import com.jcraft.jsch.JSchChangedHostKeyException;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.JSchUnknownHostKeyException;
import com.jcraft.jsch.Session;
import io.cinderblock.driver.lvm.SshFailureException.Kind;
import io.cinderblock.sdk.error.InvalidConfigException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Runs commands over one reused JSch session, with key authentication only.
 *
 * <p><b>Deadlines.</b> The TCP connect and the SSH handshake are bounded by the connect timeout.
 * The session's socket read timeout doubles as a keep-alive interval: an idle session that stops
 * answering is declared dead after two missed keep-alives. JSch has no per-command timeout, so each
 * command runs on its own exec channel, this thread polls it, and closes it when the deadline
 * passes; the session is then dropped as well, since a hung command often means a hung
 * connection.
 *
 * <p><b>Reuse.</b> One session serves all commands (channels are multiplexed, at most {@link
 * #MAX_CHANNELS} at once, since OpenSSH refuses more than {@code MaxSessions}). A session found
 * disconnected is replaced before the next command; a channel that cannot be opened is retried once,
 * on a new session if the old one died (the command had not started, so the retry cannot run it
 * twice). A failure ends only the session it happened on.
 */
final class JschCommandRunner implements CommandRunner {
    /** Output beyond this is dropped: LVM reports for one VG are far smaller. */
    private static final int MAX_OUTPUT_BYTES = 16 * 1024 * 1024;
    private static final long POLL_MILLIS = 10;
    /** Channels open at once on the one session: below OpenSSH's default {@code MaxSessions} of 10. */
    static final int MAX_CHANNELS = 8;

    private final SshSettings settings;
    private final System.Logger log;
    private final JSch jsch = new JSch();
    private final Object sessionLock = new Object();
    private final Semaphore channelSlots = new Semaphore(MAX_CHANNELS, true);
    private Session session;
    private boolean closed;

    /**
     * Loads the key and known hosts; connects lazily.
     *
     * @throws InvalidConfigException the key or known-hosts file cannot be read
     */
    JschCommandRunner(SshSettings settings, System.Logger log) {
        this.settings = requireNonNull(settings, "settings is null");
        this.log = requireNonNull(log, "log is null");
        try {
            byte[] passphrase = settings.passphrase().map(p -> p.getBytes(StandardCharsets.UTF_8)).orElse(null);
            jsch.addIdentity(settings.privateKey().toString(), passphrase);
            // JSch keeps a key it cannot decrypt and fails only at login, as "Auth fail": check now,
            // so a wrong passphrase is a configuration error, not an authentication failure.
            for (Identity identity : jsch.getIdentityRepository().getIdentities()) {
                if (identity.isEncrypted()) {
                    // Either way the passphrase is what the operator must set or correct.
                    throw new InvalidConfigException(LvmOptions.SAN_PRIVATE_KEY_PASSPHRASE,
                            "Cannot decrypt the SSH private key '" + settings.privateKey() + "': "
                                    + (settings.passphrase().isPresent() ? "the passphrase is wrong"
                                            : "it needs a passphrase (san_private_key_passphrase)"));
                }
            }
        } catch (JSchException e) {
            if (settings.passphrase().isPresent() && String.valueOf(e.getMessage()).contains("passphrase")) {
                throw new InvalidConfigException(LvmOptions.SAN_PRIVATE_KEY_PASSPHRASE, "Cannot decrypt the SSH private key '"
                        + settings.privateKey() + "': the passphrase is wrong");
            }
            // JSch's message names the problem (format, cipher); it never contains the passphrase.
            throw new InvalidConfigException(LvmOptions.SAN_PRIVATE_KEY, "Cannot load the SSH private key '"
                    + settings.privateKey() + "': " + e.getMessage());
        }
        if (settings.strictHostKeyChecking()) {
            try {
                jsch.setKnownHosts(settings.knownHosts().orElseThrow().toString());
            } catch (JSchException e) {
                throw new InvalidConfigException(LvmOptions.SSH_HOSTS_KEY_FILE, "Cannot read the known-hosts file '"
                        + settings.knownHosts().orElseThrow() + "': " + e.getMessage());
            }
        }
    }

    @Override
    public CommandResult run(RemoteCommand command, Duration timeout) {
        long start = System.nanoTime();
        acquireChannelSlot(command, timeout);
        try {
            // A new session is bounded by the connect timeout; the command's own deadline starts once
            // the session is there, as stateDeadline() (connect + command) assumes. Charging the
            // handshake to the command made a slow but working link time out its commands. Time spent
            // waiting for a channel slot is the command's.
            long waited = System.nanoTime() - start;
            Opened opened = openChannel();
            long deadline = System.nanoTime() + timeout.toNanos() - waited;
            ByteArrayOutputStream stderr = new ByteArrayOutputStream();
            InputStream stdout;
            try {
                stdout = start(opened, command, stderr, deadline, timeout);
            } catch (JSchException refused) {
                opened.channel().disconnect();
                if (!opened.session().isConnected()) {
                    dropSession(opened.session());
                    throw classify(refused);
                }
                // The session is alive but this channel was not opened (the server refused it, or its
                // confirmation came late): the command never started, so one more try is safe.
                log.log(Level.INFO, "SSH channel to {0} was not opened ({1}); trying once more", settings.address(),
                        refused.getMessage());
                opened = openChannel();
                try {
                    stdout = start(opened, command, stderr, deadline, timeout);
                } catch (JSchException again) {
                    opened.channel().disconnect();
                    dropSession(opened.session());
                    throw classify(again);
                }
            }
            return collect(opened, command, stdout, stderr, deadline, timeout);
        } finally {
            channelSlots.release();
        }
    }

    /**
     * Waits, within the command's timeout, for one of the session's channel slots: OpenSSH refuses
     * more than {@code MaxSessions} (10 by default) open channels on one connection.
     */
    private void acquireChannelSlot(RemoteCommand command, Duration timeout) {
        try {
            if (!channelSlots.tryAcquire(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new SshFailureException(Kind.COMMAND_TIMED_OUT, "Command '" + command.display() + "' on "
                        + settings.address() + " did not start within " + timeout.toMillis() + " ms: "
                        + MAX_CHANNELS + " commands were already running on the SSH connection", null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SshFailureException(Kind.COMMAND_TIMED_OUT, "Interrupted while waiting to run '"
                    + command.display() + "' on " + settings.address(), e);
        }
    }

    /** Starts the command on the opened channel; a JSchException means it did not start. */
    private InputStream start(Opened opened, RemoteCommand command, ByteArrayOutputStream stderr, long deadline,
            Duration timeout) throws JSchException {
        ChannelExec channel = opened.channel();
        channel.setCommand(command.toShell(settings.sudo()));
        channel.setInputStream(null);
        channel.setErrStream(new CappedStream(stderr), true);
        InputStream stdout;
        try {
            stdout = channel.getInputStream();
        } catch (IOException e) {
            throw new JSchException("cannot read the channel: " + e.getMessage(), e);
        }
        channel.connect(remainingMillis(deadline, command, timeout, opened.session()));
        return stdout;
    }

    /** Reads the running command's output until it exits or the deadline passes. */
    private CommandResult collect(Opened opened, RemoteCommand command, InputStream stdoutStream,
            ByteArrayOutputStream stderr, long deadline, Duration timeout) {
        ChannelExec channel = opened.channel();
        try {
            ByteArrayOutputStream stdout = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            while (true) {
                while (stdoutStream.available() > 0) {
                    int n = stdoutStream.read(buffer);
                    if (n < 0) {
                        break;
                    }
                    if (stdout.size() < MAX_OUTPUT_BYTES) {
                        stdout.write(buffer, 0, n);
                    }
                }
                if (channel.isClosed() && stdoutStream.available() <= 0) {
                    break;
                }
                remainingMillis(deadline, command, timeout, opened.session());
                Thread.sleep(POLL_MILLIS);
            }
            int status = channel.getExitStatus();
            if (status < 0) {
                dropSession(opened.session());
                throw new SshFailureException(Kind.UNREACHABLE, "SSH connection to " + settings.address()
                        + " was lost while running '" + command.display() + "'", null);
            }
            return new CommandResult(status, stdout.toString(StandardCharsets.UTF_8),
                    stderr.toString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            dropSession(opened.session());
            throw new SshFailureException(Kind.UNREACHABLE, "SSH connection to " + settings.address()
                    + " failed while running '" + command.display() + "': " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SshFailureException(Kind.COMMAND_TIMED_OUT, "Interrupted while running '" + command.display()
                    + "' on " + settings.address(), e);
        } finally {
            channel.disconnect();
        }
    }

    /** Milliseconds left before the deadline, at least 1; throws the timeout once it has passed. */
    private int remainingMillis(long deadline, RemoteCommand command, Duration timeout, Session on) {
        long left = Duration.ofNanos(deadline - System.nanoTime()).toMillis();
        if (left <= 0) {
            // The remote process may outlive the closed channel; the session is dropped too.
            dropSession(on);
            throw new SshFailureException(Kind.COMMAND_TIMED_OUT, "Command '" + command.display() + "' on "
                    + settings.address() + " did not finish within " + timeout.toMillis() + " ms", null);
        }
        return (int) Math.min(Integer.MAX_VALUE, left);
    }

    /** An exec channel and the session it belongs to: a failure drops that session, never a newer one. */
    private record Opened(Session session, ChannelExec channel) {}

    private Opened openChannel() {
        Session current = session();
        try {
            return new Opened(current, execChannel(current));
        } catch (JSchException first) {
            // The session looked alive but is not; nothing ran yet, so one retry on a new session is safe.
            log.log(Level.INFO, "SSH session to {0} is unusable ({1}); reconnecting", settings.address(),
                    first.getMessage());
            dropSession(current);
            Session fresh = session();
            try {
                return new Opened(fresh, execChannel(fresh));
            } catch (JSchException second) {
                dropSession(fresh);
                throw classify(second);
            }
        }
    }

    /**
     * JSch's {@code openChannel} returns null instead of throwing when the session dies between its
     * connected check and the channel's set-up (seen under concurrent calls while the device hangs);
     * that is the same "session unusable" case as its exception.
     */
    private static ChannelExec execChannel(Session session) throws JSchException {
        ChannelExec channel = (ChannelExec) session.openChannel("exec");
        if (channel == null) {
            throw new JSchException("session is down (no channel could be opened)");
        }
        return channel;
    }

    private Session session() {
        synchronized (sessionLock) {
            if (closed) {
                throw new SshFailureException(Kind.PROTOCOL_ERROR, "The SSH connection to " + settings.address()
                        + " is closed", null);
            }
            if (session != null && session.isConnected()) {
                return session;
            }
            if (session != null) {
                log.log(Level.INFO, "SSH session to {0} is dead; opening a new one", settings.address());
                session.disconnect();
                session = null;
            }
            try {
                Session fresh = jsch.getSession(settings.user(), settings.host(), settings.port());
                fresh.setConfig("StrictHostKeyChecking", settings.strictHostKeyChecking() ? "yes" : "no");
                fresh.setConfig("PreferredAuthentications", "publickey");
                int readMillis = (int) Math.min(Integer.MAX_VALUE, settings.readTimeout().toMillis());
                fresh.setServerAliveInterval(readMillis);
                fresh.setServerAliveCountMax(2);
                fresh.connect((int) Math.min(Integer.MAX_VALUE, settings.connectTimeout().toMillis()));
                session = fresh;
                log.log(Level.DEBUG, "SSH session to {0} as {1} established", settings.address(), settings.user());
                return fresh;
            } catch (JSchException e) {
                throw classify(e);
            }
        }
    }

    /**
     * Ends a session that failed. Only that one: under concurrent calls another thread may already
     * have replaced it, and dropping the newer session would kill that thread's running command.
     */
    private void dropSession(Session dead) {
        synchronized (sessionLock) {
            if (session == dead) {
                session = null;
            }
        }
        dead.disconnect();
    }

    /** Turns a JSch failure into a reason an operator can act on. Never quotes a secret. */
    SshFailureException classify(JSchException e) {
        String address = settings.address();
        String message = String.valueOf(e.getMessage());
        if (e instanceof JSchUnknownHostKeyException) {
            return new SshFailureException(Kind.HOST_KEY_UNKNOWN, "SSH host key of " + address
                    + " is unknown: it is not in the known-hosts file '" + settings.knownHosts().orElseThrow()
                    + "'; verify the host's fingerprint and add it", e);
        }
        if (e instanceof JSchChangedHostKeyException) {
            return new SshFailureException(Kind.HOST_KEY_CHANGED, "SSH host key of " + address
                    + " has changed since it was recorded in '" + settings.knownHosts().orElseThrow()
                    + "': refusing to connect (the host was reinstalled, or someone is intercepting)", e);
        }
        if (message.startsWith("Auth fail") || message.startsWith("Auth cancel")) {
            return new SshFailureException(Kind.AUTHENTICATION_FAILED, "SSH authentication to " + address
                    + " as user '" + settings.user() + "' failed: the host rejected the key '"
                    + settings.privateKey() + "'", e);
        }
        Throwable cause = e.getCause();
        if (cause instanceof ConnectException || cause instanceof NoRouteToHostException
                || cause instanceof UnknownHostException || cause instanceof SocketTimeoutException
                || cause instanceof IOException || message.contains("timeout: socket is not established")
                || message.contains("closed by foreign host") || message.startsWith("session is down")) {
            String detail = cause != null && cause.getMessage() != null ? cause.getMessage() : message;
            return new SshFailureException(Kind.UNREACHABLE, "SSH host " + address + " is unreachable: " + detail, e);
        }
        return new SshFailureException(Kind.PROTOCOL_ERROR, "SSH to " + address + " failed: " + message, e);
    }

    @Override
    public void close() {
        synchronized (sessionLock) {
            closed = true;
            if (session != null) {
                session.disconnect();
                session = null;
            }
        }
    }

    /** Keeps stderr bounded, like stdout. */
    private static final class CappedStream extends OutputStream {
        private final ByteArrayOutputStream target;

        CappedStream(ByteArrayOutputStream target) {
            this.target = target;
        }

        @Override
        public void write(int b) {
            if (target.size() < MAX_OUTPUT_BYTES) {
                target.write(b);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) {
            if (target.size() < MAX_OUTPUT_BYTES) {
                target.write(b, off, len);
            }
        }
    }
}
