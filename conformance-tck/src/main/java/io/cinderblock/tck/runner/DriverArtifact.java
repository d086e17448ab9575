package io.cinderblock.tck.runner;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.ApiStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A jar (or, in an embedded run, a classes directory) the driver was loaded from, with its SHA-256,
 * as the report records it and {@code verify} checks it.
 *
 * @param name the file name, e.g. {@code acme-driver-1.0.jar}
 * @param kind {@code jar}, or {@code directory} for a classes directory
 * @param sha256 lower-case hex; for a directory, the SHA-256 of its sorted listing of
 *     {@code relative/path SP sha256-of-file LF} lines
 * @since 0.1
 */
@ApiStatus(value = ApiStatus.Status.EXPERIMENTAL, since = "0.1")
public record DriverArtifact(String name, String kind, String sha256) {
    private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");

    /**
     * Checks the components.
     *
     * @param name the file name
     * @param kind {@code jar} or {@code directory}
     * @param sha256 lower-case hex
     * @throws IllegalArgumentException if the digest is not 64 lower-case hex digits
     * @since 0.1
     */
    public DriverArtifact {
        requireNonNull(name, "name is null");
        requireNonNull(kind, "kind is null");
        requireNonNull(sha256, "sha256 is null");
        if (!HEX.matcher(sha256).matches()) {
            throw new IllegalArgumentException("sha256 of " + name + " is not 64 hex digits: '" + sha256 + "'");
        }
    }

    /**
     * Reads and digests a jar or a classes directory.
     *
     * @param path the file or directory
     * @return its record
     * @throws UncheckedIOException if it cannot be read
     * @since 0.1
     */
    public static DriverArtifact of(Path path) {
        Path name = path.getFileName();
        String fileName = name == null ? path.toString() : name.toString();
        try {
            if (Files.isDirectory(path)) {
                return new DriverArtifact(fileName, "directory", directoryDigest(path));
            }
            return new DriverArtifact(fileName, "jar", fileDigest(path));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + path + " to digest it", e);
        }
    }

    static String fileDigest(Path file) throws IOException {
        MessageDigest digest = newDigest();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[65536];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static String directoryDigest(Path directory) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(directory)) {
            files = walk.filter(Files::isRegularFile).sorted().collect(Collectors.toList());
        }
        StringBuilder listing = new StringBuilder();
        for (Path file : files) {
            listing.append(directory.relativize(file).toString().replace('\\', '/')).append(' ')
                    .append(fileDigest(file)).append('\n');
        }
        return HexFormat.of().formatHex(newDigest().digest(listing.toString().getBytes(StandardCharsets.UTF_8)));
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
