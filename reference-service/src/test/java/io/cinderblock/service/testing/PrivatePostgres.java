package io.cinderblock.service.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A throwaway PostgreSQL cluster of its own (initdb + pg_ctl in a temp directory, a free loopback
 * port, a password generated here), for tests that stop and start the database: the shared cluster
 * the other tests use is never disturbed. Uses Debian's server binaries under
 * {@code /usr/lib/postgresql/VERSION/bin}, as {@code .ci/start-postgres.sh} does; as root, runs them as
 * the {@code postgres} account (PostgreSQL refuses root). Without the binaries: fails when
 * {@code CI=true}, otherwise skips.
 */
public final class PrivatePostgres implements AutoCloseable {
    private static final String USER = "cinderblock";

    private final Path bin;
    private final Path directory;
    private final int port;
    private final String password;

    private PrivatePostgres(Path bin, Path directory, int port, String password) {
        this.bin = bin;
        this.directory = directory;
        this.port = port;
        this.password = password;
    }

    /** Creates and starts a cluster. */
    public static PrivatePostgres start() {
        Optional<Path> bin = serverBinaries();
        if (bin.isEmpty()) {
            String message = "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin: apt-get install"
                    + " postgresql";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                Assertions.fail(message);
            }
            Assumptions.abort(message);
        }
        try {
            // Under the system temp directory, not the build tree: the postgres account must reach it.
            Path directory = Files.createTempDirectory("cinderblock-private-pg-");
            Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwxr-xr-x"));
            byte[] random = new byte[18];
            new SecureRandom().nextBytes(random);
            String password = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
            Path pwfile = directory.resolve("pwfile");
            Files.writeString(pwfile, password + "\n", StandardCharsets.UTF_8);
            chownToPostgres(directory);
            chownToPostgres(pwfile);
            int port;
            try (ServerSocket socket = new ServerSocket(0)) {
                port = socket.getLocalPort();
            }
            PrivatePostgres pg = new PrivatePostgres(bin.get(), directory, port, password);
            pg.run(List.of(bin.get().resolve("initdb").toString(), "-D", directory.resolve("data").toString(), "-U", USER,
                    "--auth=scram-sha-256", "--pwfile=" + pwfile, "--no-sync"));
            Files.delete(pwfile);
            pg.startServer();
            return pg;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Optional<Path> serverBinaries() {
        Path root = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) {
            return Optional.empty();
        }
        try (Stream<Path> versions = Files.list(root)) {
            return versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("pg_ctl")))
                    .max(Comparator.comparing(b -> Integer.parseInt(b.getParent().getFileName().toString()
                            .replaceAll("\\D", "0"))));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static boolean root() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static void chownToPostgres(Path path) throws IOException {
        if (root()) {
            Files.setOwner(path, path.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres"));
        }
    }

    private void run(List<String> command) {
        List<String> full = new ArrayList<>();
        if (root()) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(command);
        try {
            Process process = new ProcessBuilder(full).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed:\n" + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Starts the server (again) and waits until it accepts connections. */
    public void startServer() {
        run(List.of(bin.resolve("pg_ctl").toString(), "-D", directory.resolve("data").toString(), "-l",
                directory.resolve("server.log").toString(), "-w", "-o",
                "-c listen_addresses=127.0.0.1 -c port=" + port + " -c unix_socket_directories=" + directory
                        + " -c fsync=off", "start"));
    }

    /** Stops the server at once (fast shutdown: clients are disconnected). */
    public void stopServer() {
        run(List.of(bin.resolve("pg_ctl").toString(), "-D", directory.resolve("data").toString(), "-m", "fast", "-w",
                "stop"));
    }

    /** The JDBC URL of the default database. */
    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    /** The user. */
    public String user() {
        return USER;
    }

    /** The generated password. */
    public String password() {
        return password;
    }

    @Override
    public void close() {
        try {
            stopServer();
        } catch (RuntimeException e) {
            // Already stopped, or never started: the directory goes either way.
        }
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // A leftover temp directory is harmless.
        }
    }
}
