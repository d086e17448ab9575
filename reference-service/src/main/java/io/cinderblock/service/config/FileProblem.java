package io.cinderblock.service.config;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the service's small text files (configuration, tokens) as UTF-8 lines, tolerating a UTF-8
 * byte order mark, and turns an I/O failure into a {@link ConfigException} that names the file and
 * the cause in words ({@code no such file}, {@code permission denied}, ...), because the JDK's own
 * messages are often just the path again.
 */
public final class FileProblem {
    private static final char BOM = '\uFEFF';

    private FileProblem() {}

    /**
     * The file's lines, without a leading byte order mark.
     *
     * @param what how messages name the file, e.g. {@code "configuration file"}
     * @throws ConfigException naming {@code what}, the file and the cause
     */
    public static List<String> readLines(String what, Path file) {
        List<String> lines;
        try {
            if (Files.isDirectory(file)) {
                throw new ConfigException("Cannot read " + what + " " + file + ": it is a directory");
            }
            lines = new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new ConfigException("Cannot read " + what + " " + file + ": " + cause(e), e);
        }
        if (!lines.isEmpty() && !lines.get(0).isEmpty() && lines.get(0).charAt(0) == BOM) {
            // Editors on Windows save UTF-8 with a byte order mark; it is not part of the first line.
            lines.set(0, lines.get(0).substring(1));
        }
        return lines;
    }

    /** The cause of an I/O failure in a few words. */
    static String cause(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file" + (e.getMessage() != null && !e.getMessage().equals(((NoSuchFileException) e)
                    .getFile()) ? " (" + e.getMessage() + ")" : "");
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NotDirectoryException) {
            return "a part of the path is not a directory";
        }
        if (e instanceof CharacterCodingException) {
            return "it is not UTF-8 text";
        }
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
