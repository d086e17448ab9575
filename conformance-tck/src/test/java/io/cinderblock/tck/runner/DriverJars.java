package io.cinderblock.tck.runner;

import io.cinderblock.driver.sim.SimulatedArrayDriverProvider;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/** Builds driver jars for the runner's tests from driver-sim's classes (a jar in the local repository, or a classes directory). */
final class DriverJars {
    private DriverJars() {}

    /** driver-sim's jar, as a vendor would ship it. */
    static Path simJar(Path dir) throws IOException {
        return jar(dir.resolve("driver-sim.jar"), Map.of(), List.of());
    }

    /** driver-sim's classes with {@code services} replacing its service file, plus {@code extraClasses}. */
    static Path jar(Path target, Map<String, String> services, List<Class<?>> extraClasses) throws IOException {
        Path source = location(SimulatedArrayDriverProvider.class);
        try (OutputStream file = Files.newOutputStream(target); JarOutputStream jar = new JarOutputStream(file)) {
            if (Files.isDirectory(source)) {
                List<Path> files;
                try (Stream<Path> walk = Files.walk(source)) {
                    files = walk.filter(Files::isRegularFile).sorted().collect(Collectors.toList());
                }
                for (Path path : files) {
                    String name = source.relativize(path).toString().replace('\\', '/');
                    if (!services.containsKey(name)) {
                        put(jar, name, Files.readAllBytes(path));
                    }
                }
            } else {
                try (ZipFile zip = new ZipFile(source.toFile())) {
                    for (ZipEntry entry : zip.stream().filter(e -> !e.isDirectory()).collect(Collectors.toList())) {
                        if (!services.containsKey(entry.getName()) && !entry.getName().equals("META-INF/MANIFEST.MF")) {
                            put(jar, entry.getName(), zip.getInputStream(entry).readAllBytes());
                        }
                    }
                }
            }
            for (Map.Entry<String, String> service : services.entrySet()) {
                put(jar, service.getKey(), service.getValue().getBytes(StandardCharsets.UTF_8));
            }
            for (Class<?> type : extraClasses) {
                String name = type.getName().replace('.', '/') + ".class";
                put(jar, name, Files.readAllBytes(location(type).resolve(name)));
            }
        }
        return target;
    }

    /** A jar of just these classes (a library beside the driver jar). */
    static Path classesJar(Path target, List<Class<?>> classes) throws IOException {
        try (OutputStream file = Files.newOutputStream(target); JarOutputStream jar = new JarOutputStream(file)) {
            for (Class<?> type : classes) {
                String name = type.getName().replace('.', '/') + ".class";
                put(jar, name, Files.readAllBytes(location(type).resolve(name)));
            }
        }
        return target;
    }

    private static void put(JarOutputStream jar, String name, byte[] bytes) throws IOException {
        jar.putNextEntry(new JarEntry(name));
        jar.write(bytes);
        jar.closeEntry();
    }

    private static Path location(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
