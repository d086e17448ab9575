package io.cinderblock.sdk.testing;

import io.cinderblock.sdk.ApiStatus;
import io.cinderblock.sdk.spi.VolumeDriverProvider;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Builds driver jars at test time, as a vendor's build would: class files copied from the test
 * class path (or from a directory of freshly compiled classes) plus a {@code META-INF/services}
 * entry naming whatever the test wants, existing class or not.
 *
 * @since 0.2
 */
@ApiStatus(value = ApiStatus.Status.EXPERIMENTAL, since = "0.2")
public final class DriverJarBuilder {
    private final Map<String, byte[]> entries = new LinkedHashMap<>();
    private final List<String> providers = new ArrayList<>();

    /** An empty jar. */
    public DriverJarBuilder() {}

    /**
     * Adds every class file of the package of {@code type} (nested classes included), read from
     * where {@code type} was loaded: a class directory (a test's own classes) or a jar (this
     * artifact's fixtures). Classes that are never loaded do no harm.
     *
     * @param type any class of the package
     * @return this builder
     * @throws IllegalStateException if {@code type} comes from neither a directory nor a jar
     * @throws UncheckedIOException if reading the classes fails
     * @since 0.2
     */
    public DriverJarBuilder addPackageOf(Class<?> type) {
        CodeSource source = type.getProtectionDomain().getCodeSource();
        URL location = source == null ? null : source.getLocation();
        if (location == null || !"file".equals(location.getProtocol())) {
            throw new IllegalStateException("Class " + type.getName() + " is not in a class directory or jar: " + location);
        }
        String prefix = type.getPackageName().replace('.', '/') + "/";
        try {
            Path root = Path.of(location.toURI());
            if (Files.isDirectory(root)) {
                try (Stream<Path> files = Files.list(root.resolve(prefix))) {
                    for (Path file : files.filter(f -> f.toString().endsWith(".class")).sorted().collect(Collectors.toList())) {
                        entries.put(prefix + file.getFileName(), Files.readAllBytes(file));
                    }
                }
            } else {
                try (JarFile jar = new JarFile(root.toFile())) {
                    for (JarEntry entry : Collections.list(jar.entries())) {
                        String name = entry.getName();
                        if (name.startsWith(prefix) && name.endsWith(".class") && name.indexOf('/', prefix.length()) < 0) {
                            try (InputStream in = jar.getInputStream(entry)) {
                                entries.put(name, in.readAllBytes());
                            }
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        return this;
    }

    /**
     * Adds the class file of {@code type} alone, without the rest of its package or its nested
     * classes: a class that must sit in one jar and not in another (a library beside a driver jar).
     *
     * @param type a class on the test class path
     * @return this builder
     * @throws IllegalStateException if there is no class file for it
     * @since 0.2
     */
    public DriverJarBuilder addClass(Class<?> type) {
        entries.put(type.getName().replace('.', '/') + ".class", classBytes(type));
        return this;
    }

    /**
     * Adds every file below {@code root} under its relative path (a compiler's output directory).
     *
     * @param root a directory of class files and resources
     * @return this builder
     * @throws java.io.UncheckedIOException the tree cannot be read
     */
    public DriverJarBuilder addTree(Path root) {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().collect(Collectors.toList())) {
                entries.put(root.relativize(file).toString().replace('\\', '/'), Files.readAllBytes(file));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /**
     * Adds a resource with the given text.
     *
     * @param name the entry's path in the jar, e.g. {@code META-INF/notes.txt}
     * @param text its content, written as UTF-8
     * @return this builder
     */
    public DriverJarBuilder addResource(String name, String text) {
        entries.put(name, text.getBytes(StandardCharsets.UTF_8));
        return this;
    }

    /**
     * Names a provider class in the jar's service entry (it need not exist).
     *
     * @param className a fully qualified class name
     * @return this builder
     */
    public DriverJarBuilder provider(String className) {
        providers.add(className);
        return this;
    }

    /**
     * Names a provider class in the jar's service entry.
     *
     * @param type the provider class; add its class file too
     * @return this builder
     */
    public DriverJarBuilder provider(Class<? extends VolumeDriverProvider> type) {
        return provider(type.getName());
    }

    /**
     * Writes the jar to {@code jar} and returns it.
     *
     * @param jar where to write; parent directories are created
     * @return {@code jar}
     * @throws java.io.UncheckedIOException the jar cannot be written
     */
    public Path writeTo(Path jar) {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        try {
            Files.createDirectories(jar.toAbsolutePath().getParent());
            try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file, manifest)) {
                for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
                    out.putNextEntry(new JarEntry(entry.getKey()));
                    out.write(entry.getValue());
                    out.closeEntry();
                }
                if (!providers.isEmpty()) {
                    out.putNextEntry(new JarEntry("META-INF/services/" + VolumeDriverProvider.class.getName()));
                    out.write((String.join("\n", providers) + "\n").getBytes(StandardCharsets.UTF_8));
                    out.closeEntry();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return jar;
    }

    /**
     * The bytes of a class file on the test class path.
     *
     * @param type a class loaded from a directory or jar on the class path
     * @return the class file's bytes
     * @throws IllegalStateException the class file cannot be found
     * @throws java.io.UncheckedIOException the class file cannot be read
     */
    public static byte[] classBytes(Class<?> type) {
        String resource = type.getName().replace('.', '/') + ".class";
        try (InputStream in = type.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("No class file for " + type.getName());
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
