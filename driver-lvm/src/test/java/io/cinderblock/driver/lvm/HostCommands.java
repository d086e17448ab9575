package io.cinderblock.driver.lvm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs commands on this machine for the test fixtures, with a deadline; never through a shell. */
final class HostCommands {
    private HostCommands() {}

    /** What a local command produced. */
    record Result(int exitStatus, String output) {}

    /** Runs {@code argv}, waits at most 60 s, and returns whatever it exited with. */
    static Result run(String... argv) {
        try {
            Path output = Files.createTempFile("cinderblock-cmd", ".out");
            try {
                Process process = new ProcessBuilder(argv).redirectErrorStream(true)
                        .redirectOutput(output.toFile()).start();
                // No input: a tool that asks a question reads end-of-file instead of hanging.
                process.getOutputStream().close();
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new IllegalStateException("Timed out: " + String.join(" ", argv));
                }
                return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(output);
            }
        } catch (IOException e) {
            throw new IllegalStateException("Cannot run " + String.join(" ", argv) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted running " + String.join(" ", argv), e);
        }
    }

    /** Runs {@code argv} and fails unless it exits 0; returns its output. */
    static String check(String... argv) {
        Result result = run(argv);
        if (result.exitStatus() != 0) {
            throw new IllegalStateException("'" + String.join(" ", argv) + "' exited " + result.exitStatus() + ": "
                    + result.output().strip());
        }
        return result.output();
    }

    /** The absolute path of a tool, searched in PATH and the sbin directories; fails loudly when missing. */
    static String tool(String name, String debianPackage) {
        for (String dir : List.of(System.getenv().getOrDefault("PATH", "").split(":"))) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
                return Path.of(dir, name).toString();
            }
        }
        for (String dir : List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin")) {
            if (Files.isExecutable(Path.of(dir, name))) {
                return Path.of(dir, name).toString();
            }
        }
        throw new IllegalStateException("'" + name + "' is not installed: these tests need the Debian package '"
                + debianPackage + "' (apt-get install " + debianPackage + ")");
    }
}
