package io.cinderblock.driver.iscsi;

import io.cinderblock.sdk.testing.LocalPorts;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Test support: a real userspace iSCSI target, Debian's {@code tgtd}, on a free loopback port with
 * a private control port, exporting one file-backed LUN (LUN 1) under a given IQN, with CHAP.
 * {@link #close()} kills tgtd by PID (it ignores SIGTERM while targets exist) and removes its
 * control socket and the backing file.
 */
final class TgtdTarget implements AutoCloseable {
    private final Path directory;
    private final int port;
    private final int controlPort;
    private final Process process;
    private final Path backingFile;

    private TgtdTarget(Path directory, int port, int controlPort, Process process, Path backingFile) {
        this.directory = directory;
        this.port = port;
        this.controlPort = controlPort;
        this.process = process;
        this.backingFile = backingFile;
    }

    /**
     * Starts tgtd and creates the target. Fails (never skips) when tgtd is missing or cannot run.
     *
     * @param initiator the only initiator allowed to log in
     */
    static TgtdTarget start(Path directory, String iqn, long sizeBytes, String initiator, String chapUser,
            String chapSecret) throws IOException, InterruptedException {
        String tgtd = Tools.require("tgtd", "tgt");
        Tools.require("tgtadm", "tgt");
        int port = LocalPorts.freeTcpPort();
        int controlPort = freeControlPort();
        Path log = directory.resolve("tgtd.log");
        Process process = new ProcessBuilder(tgtd, "-f", "-C", String.valueOf(controlPort),
                "--iscsi", "portal=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Path backing = directory.resolve("lun1.img");
        try (RandomAccessFile file = new RandomAccessFile(backing.toFile(), "rw")) {
            file.setLength(sizeBytes);
        }
        TgtdTarget target = new TgtdTarget(directory, port, controlPort, process, backing);
        try {
            target.awaitControl(log);
            target.tgtadm("--lld", "iscsi", "--op", "new", "--mode", "target", "--tid", "1", "-T", iqn);
            target.tgtadm("--lld", "iscsi", "--op", "new", "--mode", "logicalunit", "--tid", "1", "--lun", "1",
                    "-b", backing.toString());
            target.tgtadm("--lld", "iscsi", "--op", "bind", "--mode", "target", "--tid", "1",
                    "--initiator-name", initiator);
            target.tgtadm("--lld", "iscsi", "--op", "new", "--mode", "account", "--user", chapUser,
                    "--password", chapSecret);
            target.tgtadm("--lld", "iscsi", "--op", "bind", "--mode", "account", "--tid", "1", "--user", chapUser);
            return target;
        } catch (IOException | InterruptedException | RuntimeException e) {
            target.close();
            throw e;
        }
    }

    int port() {
        return port;
    }

    long sizeBytes() throws IOException {
        return Files.size(backingFile);
    }

    private void awaitControl(Path log) throws IOException, InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < end) {
            if (!process.isAlive()) {
                throw new IOException("tgtd exited at start: " + Files.readString(log));
            }
            if (Tools.run(List.of("tgtadm", "-C", String.valueOf(controlPort), "--op", "show", "--mode", "sys"))
                    .exitCode() == 0) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IOException("tgtd did not open control port " + controlPort + " within 15 s: " + Files.readString(log));
    }

    private void tgtadm(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("tgtadm", "-C", String.valueOf(controlPort)));
        command.addAll(List.of(arguments));
        Tools.Result result = Tools.run(command);
        if (result.exitCode() != 0) {
            throw new IOException("tgtadm " + String.join(" ", arguments) + " failed: " + result.output());
        }
    }

    private static int freeControlPort() {
        // tgtd's control "port" (at most 32767) names a Unix socket, /var/run/tgtd/socket.N: pick an N nobody uses.
        while (true) {
            int candidate = ThreadLocalRandom.current().nextInt(20_000, 32_000);
            if (!Files.exists(Path.of("/var/run/tgtd/socket." + candidate + ".lock"))) {
                return candidate;
            }
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Path path : List.of(Path.of("/var/run/tgtd/socket." + controlPort),
                Path.of("/var/run/tgtd/socket." + controlPort + ".lock"), backingFile, directory.resolve("tgtd.log"))) {
            try {
                Files.deleteIfExists(path);
            } catch (IOException e) {
                // best effort; JUnit's temp directory cleans the rest
            }
        }
    }

    /** Runs external tools for the tests. */
    static final class Tools {
        private Tools() {}

        record Result(int exitCode, String output) {}

        /** The tool's path; fails with the Debian package to install when it is missing. */
        static String require(String tool, String debianPackage) {
            for (String dir : List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin")) {
                Path candidate = Path.of(dir, tool);
                if (Files.isExecutable(candidate)) {
                    return candidate.toString();
                }
            }
            throw new IllegalStateException("'" + tool + "' not found: install the Debian package '" + debianPackage
                    + "' (this test needs the real tool and does not skip)");
        }

        static Result run(List<String> command) throws IOException, InterruptedException {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(command.get(0) + " did not finish within 30 s");
            }
            return new Result(process.exitValue(), output);
        }
    }
}
