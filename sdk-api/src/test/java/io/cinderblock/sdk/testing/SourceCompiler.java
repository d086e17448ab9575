package io.cinderblock.sdk.testing;

import io.cinderblock.sdk.spi.VolumeDriver;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Compiles Java source text against the SDK with the JDK's own compiler, in process: how a test
 * proves what a vendor's code can and cannot compile, and builds drivers with different behaviour
 * under the same class name.
 */
public final class SourceCompiler {
    private SourceCompiler() {}

    /** The outcome of one compilation. */
    public static final class Result {
        private final boolean success;
        private final List<Diagnostic<? extends JavaFileObject>> diagnostics;

        Result(boolean success, List<Diagnostic<? extends JavaFileObject>> diagnostics) {
            this.success = success;
            this.diagnostics = List.copyOf(diagnostics);
        }

        public boolean success() {
            return success;
        }

        /** The compiler's error messages. */
        public List<String> errors() {
            return diagnostics.stream()
                    .filter(d -> d.getKind() == Diagnostic.Kind.ERROR)
                    .map(d -> d.getMessage(Locale.ROOT))
                    .collect(Collectors.toList());
        }
    }

    /**
     * Compiles {@code sources} (binary class name to source text) into {@code outputDirectory} with
     * only the SDK on the class path.
     */
    public static Result compile(Map<String, String> sources, Path outputDirectory) {
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        if (compiler == null) {
            throw new IllegalStateException("No system Java compiler: the tests need a JDK, not a JRE");
        }
        try {
            Path sourceRoot = Files.createTempDirectory("cinderblock-src-");
            List<File> files = new ArrayList<>();
            for (Map.Entry<String, String> source : sources.entrySet()) {
                Path file = sourceRoot.resolve(source.getKey().replace('.', '/') + ".java");
                Files.createDirectories(file.getParent());
                Files.writeString(file, source.getValue(), StandardCharsets.UTF_8);
                files.add(file.toFile());
            }
            Files.createDirectories(outputDirectory);
            DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
            try (StandardJavaFileManager fileManager = compiler.getStandardFileManager(diagnostics, Locale.ROOT,
                    StandardCharsets.UTF_8)) {
                List<String> options = List.of("-proc:none", "-classpath", sdkClassPath().toString(),
                        "-d", outputDirectory.toString());
                boolean success = compiler.getTask(null, fileManager, diagnostics, options, null,
                        fileManager.getJavaFileObjectsFromFiles(files)).call();
                return new Result(success, diagnostics.getDiagnostics());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Where the SDK's classes are: its jar or its classes directory. */
    public static Path sdkClassPath() {
        try {
            return Path.of(VolumeDriver.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
