package io.cinderblock.sdk.testing;

import io.cinderblock.sdk.ApiStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.annotation.Annotation;
import java.lang.module.ModuleDescriptor;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The public API of a compiled module as reviewed text, one line per type and per member, each with
 * its {@link ApiStatus}: the file a module keeps in {@code api/<artifactId>.api}, and the check that
 * the code still matches it (the approach of Kotlin's binary-compatibility validator and AndroidX's
 * API files, with reflection over the built classes instead of a library).
 *
 * <p>What counts: the module descriptor's {@code requires} and {@code exports}; every public type
 * in an unqualified export (all packages without an {@code internal} segment when there is no
 * descriptor), its public nested types, and their public members plus the protected members of
 * classes a vendor can extend. Synthetic and bridge members are left out. Lines are sorted, so the
 * dump does not depend on reflection's order.
 *
 * <p>A module enables the check with one test:
 *
 * <pre>{@code
 * @Test
 * void publicApiMatchesTheReviewedDump() {
 *     ApiDump.verify(SomePublicClassOfTheModule.class, "artifact-id");
 * }
 * }</pre>
 *
 * and generates or updates its dump with {@code mvn -pl <module> -am verify -Dapi.update}.
 */
public final class ApiDump {
    /** The system property that makes {@link #verify} write the dump instead of comparing. */
    public static final String UPDATE_PROPERTY = "api.update";

    private ApiDump() {}

    /**
     * Compares the public API of the module that holds {@code anchor} with {@code api/<artifactId>.api}
     * (relative to the working directory, which Surefire sets to the module's directory), or
     * rewrites that file when the system property {@value #UPDATE_PROPERTY} is set (and not
     * {@code false}).
     *
     * @throws AssertionError with the difference and the command that regenerates the file
     */
    public static void verify(Class<?> anchor, String artifactId) {
        String update = System.getProperty(UPDATE_PROPERTY);
        boolean write = update != null && !update.equalsIgnoreCase("false");
        check(classesOf(anchor), Path.of("api", artifactId + ".api"),
                "mvn -pl " + artifactId + " -am verify -D" + UPDATE_PROPERTY, write);
    }

    /**
     * Compares (or, with {@code update}, rewrites) {@code dumpFile} against the API of the classes
     * under {@code classes} (a directory or a jar).
     *
     * @param regenerate the command a reader runs to accept the change, quoted in the failure
     * @throws AssertionError when they differ and {@code update} is false
     */
    public static void check(Path classes, Path dumpFile, String regenerate, boolean update) {
        String actual = "# Public API, with each element's ApiStatus (STABLE, EXPERIMENTAL, INTERNAL; NONE when\n"
                + "# unannotated). Reviewed: a change here changes what others compile against.\n"
                + "# Regenerate after a reviewed change: " + regenerate + "\n"
                + render(classes);
        try {
            if (update) {
                Files.createDirectories(dumpFile.toAbsolutePath().getParent());
                Files.writeString(dumpFile, actual, StandardCharsets.UTF_8);
                return;
            }
            if (!Files.exists(dumpFile)) {
                throw new AssertionError("No reviewed API dump at " + dumpFile + ". Generate it with: " + regenerate
                        + ", review it and commit it.");
            }
            String expected = Files.readString(dumpFile, StandardCharsets.UTF_8);
            if (!expected.equals(actual)) {
                throw new AssertionError("The public API differs from the reviewed dump " + dumpFile
                        + " ('-' only in the dump, '+' only in the code):\n" + diff(expected, actual)
                        + "\nIf the change is intended, regenerate the dump with: " + regenerate
                        + ", and commit it with the change for review.");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The dump of the classes under {@code classes}, without the header. */
    public static String render(Path classes) {
        if (Files.isDirectory(classes)) {
            return renderRoot(classes, classes);
        }
        try (FileSystem jar = FileSystems.newFileSystem(classes)) {
            return renderRoot(jar.getPath("/"), classes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String renderRoot(Path root, Path location) {
        try (URLClassLoader loader = new ChildFirstLoader(location.toUri().toURL(), ApiDump.class.getClassLoader())) {
            StringBuilder out = new StringBuilder();
            Optional<ModuleDescriptor> module = descriptor(root);
            module.ifPresent(m -> {
                out.append("module ").append(m.name()).append('\n');
                m.requires().stream()
                        .filter(r -> !r.modifiers().contains(ModuleDescriptor.Requires.Modifier.MANDATED))
                        .map(r -> "  requires " + r.modifiers().stream().map(x -> x.name().toLowerCase(java.util.Locale.ROOT) + " ")
                                .sorted().collect(Collectors.joining()) + r.name())
                        .sorted().forEach(line -> out.append(line).append('\n'));
                m.exports().stream()
                        .map(e -> "  exports " + e.source() + (e.isQualified() ? " to " + String.join(", ", new TreeSet<>(e.targets())) : ""))
                        .sorted().forEach(line -> out.append(line).append('\n'));
            });
            Set<String> packages = module
                    .map(m -> m.exports().stream().filter(e -> !e.isQualified()).map(ModuleDescriptor.Exports::source)
                            .collect(Collectors.toSet()))
                    .orElse(null);
            List<String> names;
            try (Stream<Path> files = Files.walk(root)) {
                names = files.map(root::relativize).map(Path::toString)
                        .filter(n -> n.endsWith(".class") && !n.equals("module-info.class") && !n.endsWith("package-info.class"))
                        .map(n -> n.substring(0, n.length() - ".class".length()).replace('/', '.'))
                        .filter(n -> !n.contains("$"))
                        .sorted().collect(Collectors.toList());
            }
            List<Class<?>> types = new ArrayList<>();
            for (String name : names) {
                String pkg = name.contains(".") ? name.substring(0, name.lastIndexOf('.')) : "";
                boolean exported = packages != null ? packages.contains(pkg)
                        : !Arrays.asList(pkg.split("\\.")).contains("internal");
                if (!exported) {
                    continue;
                }
                Class<?> type = Class.forName(name, false, loader);
                if (Modifier.isPublic(type.getModifiers())) {
                    collect(type, types);
                }
            }
            types.sort((a, b) -> a.getName().compareTo(b.getName()));
            for (Class<?> type : types) {
                out.append(typeLine(type)).append('\n');
                memberLines(type).forEach(line -> out.append("  ").append(line).append('\n'));
            }
            return out.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("Cannot load " + e.getMessage() + " from " + location, e);
        }
    }

    private static void collect(Class<?> type, List<Class<?>> into) {
        into.add(type);
        for (Class<?> nested : type.getDeclaredClasses()) {
            int m = nested.getModifiers();
            if (Modifier.isPublic(m) || (Modifier.isProtected(m) && !Modifier.isFinal(type.getModifiers()))) {
                collect(nested, into);
            }
        }
    }

    private static Optional<ModuleDescriptor> descriptor(Path root) throws IOException {
        Path file = root.resolve("module-info.class");
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try (InputStream in = Files.newInputStream(file)) {
            return Optional.of(ModuleDescriptor.read(in));
        }
    }

    private static String typeLine(Class<?> type) {
        String kind = type.isAnnotation() ? "@interface" : type.isInterface() ? "interface" : type.isEnum() ? "enum"
                : type.isRecord() ? "record" : "class";
        int mods = type.getModifiers() & Modifier.classModifiers();
        if (type.isInterface()) {
            mods &= ~(Modifier.ABSTRACT | Modifier.STATIC);
        }
        if (type.isEnum() || type.isRecord()) {
            mods &= ~Modifier.STATIC;
        }
        StringBuilder line = new StringBuilder(status(type)).append("  ").append(Modifier.toString(mods));
        if (type.isSealed()) {
            line.append(" sealed");
        }
        line.append(' ').append(kind).append(' ').append(type.getName().replace('$', '.'))
                .append(typeParameters(type.getTypeParameters(), type));
        Type superclass = type.getGenericSuperclass();
        if (superclass != null && superclass != Object.class && !type.isEnum() && !type.isRecord()) {
            line.append(" extends ").append(name(superclass, type));
        }
        List<String> interfaces = Arrays.stream(type.getGenericInterfaces())
                .filter(i -> !(type.isAnnotation() && i == java.lang.annotation.Annotation.class))
                .map(i -> name(i, type)).collect(Collectors.toList());
        if (!interfaces.isEmpty()) {
            line.append(type.isInterface() ? " extends " : " implements ").append(String.join(", ", interfaces));
        }
        if (type.isSealed()) {
            line.append(" permits ").append(Arrays.stream(type.getPermittedSubclasses()).map(c -> name(c, type))
                    .collect(Collectors.joining(", ")));
        }
        return line.toString();
    }

    private static List<String> memberLines(Class<?> type) {
        boolean extensible = !Modifier.isFinal(type.getModifiers()) && !type.isEnum() && !type.isRecord();
        String inherited = status(type);
        List<String> lines = new ArrayList<>();
        for (Field field : type.getDeclaredFields()) {
            if (visible(field.getModifiers(), extensible) && !field.isSynthetic()) {
                lines.add(status(field, inherited) + "  " + Modifier.toString(field.getModifiers()) + " "
                        + name(field.getGenericType(), type) + " " + field.getName() + constant(field));
            }
        }
        for (Constructor<?> constructor : type.getDeclaredConstructors()) {
            if (visible(constructor.getModifiers(), extensible) && !constructor.isSynthetic()) {
                lines.add(status(constructor, inherited) + "  " + Modifier.toString(constructor.getModifiers())
                        + typeParameters(constructor.getTypeParameters(), type) + " "
                        + type.getSimpleName() + parameters(constructor, type) + exceptions(constructor, type));
            }
        }
        for (Method method : type.getDeclaredMethods()) {
            if (visible(method.getModifiers(), extensible) && !method.isSynthetic() && !method.isBridge()) {
                int mods = method.getModifiers() & Modifier.methodModifiers();
                String prefix = Modifier.toString(mods) + (method.isDefault() ? " default" : "");
                String typeParams = typeParameters(method.getTypeParameters(), type);
                lines.add(status(method, inherited) + "  " + prefix + (typeParams.isEmpty() ? "" : " " + typeParams) + " "
                        + name(method.getGenericReturnType(), type) + " " + method.getName() + parameters(method, type)
                        + exceptions(method, type)
                        + (method.getDefaultValue() != null ? " default " + method.getDefaultValue() : ""));
            }
        }
        // By signature, not by status, so that a status change shows as one line changed in place.
        lines.sort(java.util.Comparator.comparing((String line) -> line.substring(line.indexOf("  ") + 2))
                .thenComparing(java.util.Comparator.naturalOrder()));
        return lines;
    }

    private static boolean visible(int modifiers, boolean extensible) {
        return Modifier.isPublic(modifiers) || (extensible && Modifier.isProtected(modifiers));
    }

    private static String constant(Field field) {
        int m = field.getModifiers();
        // Compile-time constants are inlined into callers: their value is part of the API.
        if (Modifier.isStatic(m) && Modifier.isFinal(m)
                && (field.getType().isPrimitive() || field.getType() == String.class)) {
            try {
                Object value = field.get(null);
                return " = " + (value instanceof String ? "\"" + value + "\"" : value);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }
        return "";
    }

    private static String status(Class<?> type) {
        return own(type).orElseGet(() -> type.getEnclosingClass() != null ? status(type.getEnclosingClass()) : "NONE");
    }

    private static String status(AnnotatedElement member, String inherited) {
        return own(member).orElse(inherited);
    }

    /**
     * The element's own {@link ApiStatus}, matched by name: the dumped classes may come from their
     * own class loader, with their own copy of the annotation type.
     */
    private static Optional<String> own(AnnotatedElement element) {
        for (Annotation annotation : element.getAnnotations()) {
            Class<? extends Annotation> type = annotation.annotationType();
            if (type.getName().equals(ApiStatus.class.getName())) {
                try {
                    return Optional.of(type.getMethod("value").invoke(annotation) + " " + type.getMethod("since").invoke(annotation));
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException("Unreadable " + annotation, e);
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Loads the dumped location's own classes itself, so that the dump shows those classes even
     * when another version of them is on the test class path; everything else from the parent.
     */
    private static final class ChildFirstLoader extends URLClassLoader {
        static {
            registerAsParallelCapable();
        }

        ChildFirstLoader(URL location, ClassLoader parent) {
            super(new URL[] {location}, parent);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            synchronized (getClassLoadingLock(name)) {
                Class<?> type = findLoadedClass(name);
                if (type == null && !name.startsWith("java.")) {
                    try {
                        type = findClass(name);
                    } catch (ClassNotFoundException e) {
                        // not in the dumped location: the parent's
                    }
                }
                if (type == null) {
                    return super.loadClass(name, resolve);
                }
                if (resolve) {
                    resolveClass(type);
                }
                return type;
            }
        }
    }

    private static String parameters(Executable executable, Class<?> context) {
        Type[] types = executable.getGenericParameterTypes();
        // Inner-class constructors and enum constructors may report fewer generic types than
        // parameters; fall back to the erased ones then.
        if (types.length != executable.getParameterCount()) {
            types = executable.getParameterTypes();
        }
        List<String> names = new ArrayList<>();
        for (int i = 0; i < types.length; i++) {
            String name = name(types[i], context);
            if (executable.isVarArgs() && i == types.length - 1 && name.endsWith("[]")) {
                name = name.substring(0, name.length() - 2) + "...";
            }
            names.add(name);
        }
        return "(" + String.join(", ", names) + ")";
    }

    private static String exceptions(Executable executable, Class<?> context) {
        Type[] thrown = executable.getGenericExceptionTypes();
        return thrown.length == 0 ? "" : " throws " + Arrays.stream(thrown).map(t -> name(t, context))
                .collect(Collectors.joining(", "));
    }

    private static String typeParameters(TypeVariable<?>[] variables, Class<?> context) {
        if (variables.length == 0) {
            return "";
        }
        return Arrays.stream(variables).map(v -> {
            List<String> bounds = Arrays.stream(v.getBounds()).filter(b -> b != Object.class)
                    .map(b -> name(b, context)).collect(Collectors.toList());
            return v.getName() + (bounds.isEmpty() ? "" : " extends " + String.join(" & ", bounds));
        }).collect(Collectors.joining(", ", "<", ">"));
    }

    /** A type's name, without {@code java.lang.} and without the context's own package. */
    private static String name(Type type, Class<?> context) {
        String name = type.getTypeName().replace('$', '.');
        name = name.replaceAll("\\bjava\\.lang\\.(?=[A-Z])", "");
        String pkg = context.getPackageName();
        return pkg.isEmpty() ? name : name.replaceAll("\\b" + pkg.replace(".", "\\.") + "\\.(?=[A-Z])", "");
    }

    /** A line diff (longest common subsequence), each change under the type line it belongs to. */
    static String diff(String expected, String actual) {
        String[] a = expected.split("\n", -1);
        String[] b = actual.split("\n", -1);
        int[][] lcs = new int[a.length + 1][b.length + 1];
        for (int i = a.length - 1; i >= 0; i--) {
            for (int j = b.length - 1; j >= 0; j--) {
                lcs[i][j] = a[i].equals(b[j]) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
            }
        }
        StringBuilder out = new StringBuilder();
        String header = null;
        String printedHeader = null;
        int i = 0;
        int j = 0;
        while (i < a.length || j < b.length) {
            if (i < a.length && j < b.length && a[i].equals(b[j])) {
                if (!a[i].startsWith(" ")) {
                    header = a[i];
                }
                i++;
                j++;
                continue;
            }
            boolean removal = j >= b.length || (i < a.length && lcs[i + 1][j] >= lcs[i][j + 1]);
            String line = removal ? a[i++] : b[j++];
            if (line.startsWith(" ") && header != null && !header.equals(printedHeader)) {
                out.append("  in ").append(header).append('\n');
                printedHeader = header;
            }
            out.append(removal ? "- " : "+ ").append(line).append('\n');
        }
        return out.toString();
    }

    /** Where {@code anchor}'s classes are: the module's classes directory or jar. */
    public static Path classesOf(Class<?> anchor) {
        try {
            return Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
