package io.cinderblock.tck.runner;

import io.cinderblock.sdk.host.discovery.DriverLoadProblem;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Collectors;

/**
 * Set-up checks of the standalone runner, before any test: a driver that cannot be created or linked
 * is one set-up error (exit 2) with its cause and its fix, not thirty red tests.
 */
final class DriverSetup {
    /** The fix for a class the driver needs but did not bring. */
    static final String PACKAGING_FIX = "package the driver's libraries: use --driver-dir with drivers/<id>/ "
            + "(the driver jar and every library jar it needs, as the service's drivers directory loads it)";
    private static final String SERVICE_FILE = "META-INF/services/io.cinderblock.sdk.spi.VolumeDriverProvider";
    private static final int SHOWN = 5;

    private DriverSetup() {}

    /**
     * One message for a provider that did not load: the root cause (a missing class, or the
     * provider's own message, e.g. the descriptor's validation) and what to do about it.
     */
    static String explain(DriverLoadProblem problem) {
        Optional<Throwable> cause = problem.cause();
        if (cause.isEmpty()) {
            return problem.message();
        }
        Optional<String> missing = missingClass(cause.get());
        if (missing.isPresent()) {
            return "The driver in " + problem.source() + " cannot be linked: class " + missing.get()
                    + " is not in its jars; " + PACKAGING_FIX;
        }
        Throwable root = root(cause.get());
        return "The provider in " + problem.source() + " could not be created: " + root.getClass().getSimpleName()
                + ": " + root.getMessage() + " (fix the provider's constructor or descriptor; nothing was tested)";
    }

    /** The class a {@link NoClassDefFoundError} or {@link ClassNotFoundException} in the chain names. */
    static Optional<String> missingClass(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof NoClassDefFoundError || c instanceof ClassNotFoundException) {
                String name = String.valueOf(c.getMessage()).replace('/', '.');
                return Optional.of(name.startsWith("Could not initialize class ")
                        ? name.substring("Could not initialize class ".length()) + " (its static initializer failed)"
                        : name);
            }
        }
        return Optional.empty();
    }

    private static Throwable root(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c;
    }

    /**
     * Checks that every class of the jars holding the provider links in the driver's class loader:
     * each class it references (class constants of its bytecode) and every type in its fields' and
     * methods' signatures loads. A library the vendor forgot to package is found here, by name,
     * instead of as a {@code NoClassDefFoundError} in every test.
     *
     * @return the problem, naming the missing classes, their users and the fix; empty when all link
     */
    static Optional<String> checkLinks(List<Path> jars, ClassLoader loader, String driverId) throws IOException {
        Map<String, Set<String>> missing = new TreeMap<>(); // missing class -> classes that use it
        for (Path jar : jars) {
            try (JarFile file = new JarFile(jar.toFile())) {
                if (file.getEntry(SERVICE_FILE) == null) {
                    continue; // a library jar: its optional dependencies are its own business
                }
                Enumeration<JarEntry> entries = file.entries();
                while (entries.hasMoreElements()) {
                    JarEntry entry = entries.nextElement();
                    String name = entry.getName();
                    if (!name.endsWith(".class") || name.startsWith("META-INF/") || name.endsWith("module-info.class")) {
                        continue;
                    }
                    String className = name.substring(0, name.length() - ".class".length()).replace('/', '.');
                    Set<String> referenced;
                    try (InputStream in = file.getInputStream(entry)) {
                        referenced = referencedClasses(in);
                    }
                    for (String ref : referenced) {
                        if (!loads(ref, loader)) {
                            missing.computeIfAbsent(ref, k -> new LinkedHashSet<>()).add(className);
                        }
                    }
                    signatureProblem(className, loader)
                            .ifPresent(ref -> missing.computeIfAbsent(ref, k -> new LinkedHashSet<>()).add(className));
                }
            }
        }
        if (missing.isEmpty()) {
            return Optional.empty();
        }
        List<String> shown = new ArrayList<>();
        missing.entrySet().stream().limit(SHOWN).forEach(e -> shown.add(e.getKey() + " (used by "
                + e.getValue().stream().limit(2).collect(Collectors.joining(", ")) + ")"));
        String more = missing.size() > SHOWN ? " and " + (missing.size() - SHOWN) + " more" : "";
        Set<String> packages = new LinkedHashSet<>();
        missing.keySet().forEach(c -> packages.add(c.lastIndexOf('.') > 0 ? c.substring(0, c.lastIndexOf('.')) : c));
        return Optional.of("Driver '" + driverId + "' cannot be linked: its classes need " + missing.size()
                + " class(es) that are not in its jars: " + String.join("; ", shown) + more + " (packages "
                + packages.stream().limit(SHOWN).collect(Collectors.joining(", ")) + "); "
                + PACKAGING_FIX.replace("<id>", driverId));
    }

    private static boolean loads(String className, ClassLoader loader) {
        try {
            Class.forName(className, false, loader);
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** A type of the class's fields or methods that does not load (reflection resolves signatures). */
    private static Optional<String> signatureProblem(String className, ClassLoader loader) {
        try {
            Class<?> type = Class.forName(className, false, loader);
            type.getDeclaredFields();
            type.getDeclaredMethods();
            type.getDeclaredConstructors();
            return Optional.empty();
        } catch (ClassNotFoundException e) {
            return Optional.of(className);
        } catch (LinkageError | TypeNotPresentException e) {
            return Optional.of(missingClass(e).orElse(e.toString()));
        }
    }

    /** The classes a class file names in its constant pool (JVMS 4.4), arrays reduced to their element type. */
    static Set<String> referencedClasses(InputStream classFile) throws IOException {
        DataInputStream in = new DataInputStream(classFile);
        if (in.readInt() != 0xCAFEBABE) {
            throw new IOException("not a class file");
        }
        in.readUnsignedShort();
        in.readUnsignedShort();
        int count = in.readUnsignedShort();
        Map<Integer, String> utf8 = new LinkedHashMap<>();
        List<Integer> classIndexes = new ArrayList<>();
        for (int i = 1; i < count; i++) {
            int tag = in.readUnsignedByte();
            switch (tag) {
                case 1:
                    utf8.put(i, in.readUTF());
                    break;
                case 7:
                    classIndexes.add(in.readUnsignedShort());
                    break;
                case 8: case 16: case 19: case 20:
                    in.readUnsignedShort();
                    break;
                case 15:
                    in.readUnsignedByte();
                    in.readUnsignedShort();
                    break;
                case 3: case 4: case 9: case 10: case 11: case 12: case 17: case 18:
                    in.readInt();
                    break;
                case 5: case 6:
                    in.readLong();
                    i++; // eight-byte constants take two slots
                    break;
                default:
                    throw new IOException("unknown constant pool tag " + tag);
            }
        }
        Set<String> classes = new LinkedHashSet<>();
        for (int index : classIndexes) {
            String name = utf8.get(index);
            if (name == null) {
                continue;
            }
            if (name.startsWith("[")) {
                int l = name.indexOf('L');
                if (l < 0) {
                    continue; // an array of primitives
                }
                name = name.substring(l + 1, name.length() - 1);
            }
            classes.add(name.replace('/', '.'));
        }
        return classes;
    }
}
