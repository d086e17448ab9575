package io.cinderblock.service.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The built distribution ({@code target/dist/cinderblock-service}, set by the POM as the system
 * property {@code cinderblock.dist}) and ways to run it as an operator does: the start script as a
 * separate process, commands through {@code sh -c} with a clean environment.
 */
final class Distribution {
    private static final Pattern API = Pattern.compile("Cinder API: +(http://[^ ]+/v3)");

    private Distribution() {}

    /** The distribution's directory; fails when the build did not make it. */
    static Path home() {
        String dir = System.getProperty("cinderblock.dist");
        assertThat(dir).as("system property cinderblock.dist (set by the POM)").isNotBlank();
        Path home = Path.of(dir);
        assertThat(home.resolve("bin/cinderblock-service")).as("run 'mvn package' first").isExecutable();
        return home;
    }

    /** The start script. */
    static Path script() {
        return home().resolve("bin/cinderblock-service");
    }

    /** A command's exit code and output. */
    record Result(int code, String out, String err) {
        String all() {
            return out + err;
        }
    }

    /**
     * Runs a shell command line as an operator pastes it: {@code sh -c}, in {@code directory}, with
     * only PATH, HOME and LC_ALL in the environment (no OS_* variables).
     */
    static Result shell(Path directory, String commandLine, Duration timeout) {
        return run(directory, List.of("/bin/sh", "-c", commandLine), timeout);
    }

    /** Runs a command with a clean environment and waits for it. */
    static Result run(Path directory, List<String> command, Duration timeout) {
        try {
            Path out = Files.createTempFile(directory, "out", ".txt");
            Path err = Files.createTempFile(directory, "err", ".txt");
            ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            cleanEnvironment(builder.environment());
            Process process = builder.start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new AssertionError(command + " did not finish within " + timeout + "; output so far:\n"
                        + Files.readString(out) + Files.readString(err));
            }
            Result result = new Result(process.exitValue(), Files.readString(out), Files.readString(err));
            Files.delete(out);
            Files.delete(err);
            return result;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    static void cleanEnvironment(Map<String, String> environment) {
        String path = environment.getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        String javaHome = System.getProperty("java.home");
        environment.clear();
        environment.put("PATH", path);
        environment.put("HOME", System.getProperty("user.home"));
        environment.put("LC_ALL", "C.UTF-8");
        // The script's java: the JDK running these tests.
        environment.put("JAVA_HOME", javaHome);
    }

    /** How often {@code Await.until} reads a costly value here (a CLI run, a process's log). */
    static final Duration POLL = Duration.ofMillis(250);

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** GET with a token; returns status and body. */
    static HttpResponse<String> get(String url, String token) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                    .header("OpenStack-API-Version", "volume 3.49");
            if (token != null) {
                request.header("X-Auth-Token", token);
            }
            return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** The service started by the distribution's script, as a separate process. */
    static final class Service implements AutoCloseable {
        private final Process process;
        private final Path out;
        private final Path err;

        private Service(Process process, Path out, Path err) {
            this.process = process;
            this.out = out;
            this.err = err;
        }

        /** {@code bin/cinderblock-service ARGS} from {@code directory}; does not wait. */
        static Service start(Path directory, String... args) {
            List<String> command = new ArrayList<>();
            command.add(script().toString());
            command.addAll(List.of(args));
            try {
                Path out = Files.createTempFile(directory, "service", ".out");
                Path err = Files.createTempFile(directory, "service", ".err");
                ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile())
                        .redirectOutput(out.toFile()).redirectError(err.toFile());
                cleanEnvironment(builder.environment());
                return new Service(builder.start(), out, err);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        String stdout() {
            return read(out);
        }

        String stderr() {
            return read(err);
        }

        /** Waits for the banner; returns the API endpoint it names ({@code http://host:port/v3}). */
        String awaitEndpoint(Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                Matcher matcher = API.matcher(stdout());
                if (matcher.find() && stdout().contains("Stop:")) {
                    return matcher.group(1);
                }
                if (!process.isAlive()) {
                    throw new AssertionError("the service exited with " + process.exitValue() + ":\n" + stdout()
                            + stderr());
                }
                sleep(50);
            }
            throw new AssertionError("no banner within " + timeout + ":\n" + stdout() + stderr());
        }

        /** The banner line that starts with {@code prefix} (after indentation). */
        String bannerLine(String prefix) {
            return stdout().lines().map(String::strip).filter(l -> l.startsWith(prefix)).findFirst()
                    .orElseThrow(() -> new AssertionError("no banner line starting with '" + prefix + "':\n"
                            + stdout()));
        }

        long pid() {
            return process.pid();
        }

        /** Stops it as Ctrl-C would (SIGTERM to the JVM: the script exec'd it) and waits. */
        @Override
        public void close() {
            process.destroy();
            try {
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private static String read(Path file) {
            try {
                return Files.readString(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
