package io.cinderblock.sdk.host.discovery;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.ApiStatus;
import io.cinderblock.sdk.error.CinderblockException;
import io.cinderblock.sdk.error.ErrorCode;
import io.cinderblock.sdk.spi.DriverDescriptor;
import io.cinderblock.sdk.spi.SpiVersion;
import io.cinderblock.sdk.spi.VolumeDriverProvider;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The drivers a host can use, found with {@link ServiceLoader} on a class loader and in a
 * directory of driver jars.
 *
 * <p>Discovery is loud and deterministic: providers load one by one; a broken one (missing class,
 * failing constructor, throwing {@code descriptor()}, built for a newer SPI, id already taken) is
 * recorded in {@link #problems()} with its source, and the others still load. Sources are read in
 * order (class loaders as added, then each directory's entries sorted by name); for a duplicate id
 * the first provider wins and the later one is a problem.
 *
 * <p>In a drivers directory, each {@code *.jar} file is one driver, and each subdirectory is one
 * driver whose jars (the driver and its libraries) share a class loader. Every driver gets its
 * own class loader that shares only the {@code io.cinderblock.sdk} packages with the host.
 */
@ApiStatus(value = ApiStatus.Status.STABLE, since = "0.1")
public final class DriverRegistry {
    private static final System.Logger LOG = System.getLogger(DriverRegistry.class.getName());
    private static final int MAX_ERRORS_PER_SOURCE = 100;

    private final Map<String, LoadedDriver> drivers;
    private final List<DriverLoadProblem> problems;

    private DriverRegistry(Map<String, LoadedDriver> drivers, List<DriverLoadProblem> problems) {
        this.drivers = Collections.unmodifiableMap(drivers);
        this.problems = List.copyOf(problems);
    }

    /**
     * The drivers visible to the SDK's own class loader (the application class path). Runs every
     * provider's constructor and {@code descriptor()} on the calling thread, once; call it at start.
     *
     * @return the registry; drivers that failed to load are in {@link #problems()}, never thrown
     */
    public static DriverRegistry fromClassPath() {
        return builder().classLoader(DriverRegistry.class.getClassLoader()).build();
    }

    /**
     * The drivers in {@code directory} (jars, or subdirectories of jars), each isolated in its own
     * class loader; loaded on the calling thread, once.
     *
     * @param directory the drivers directory; a missing one is a {@linkplain #problems() problem}
     * @return the registry; drivers that failed to load are in {@link #problems()}, never thrown
     */
    public static DriverRegistry fromDirectory(Path directory) {
        return builder().directory(directory).build();
    }

    /**
     * Starts an empty registry builder, to combine sources.
     *
     * @return a builder with no source
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The loaded drivers, in discovery order. Fixed once built; any thread.
     *
     * @return an unmodifiable list, possibly empty
     */
    public List<LoadedDriver> drivers() {
        return List.copyOf(drivers.values());
    }

    /**
     * The driver with this id, if it loaded.
     *
     * @param id a driver id, as in {@code volume_driver}
     * @return the driver, or empty if none with that id loaded
     */
    public Optional<LoadedDriver> driver(String id) {
        return Optional.ofNullable(drivers.get(id));
    }

    /**
     * The driver with this id.
     *
     * @param id a driver id, as in {@code volume_driver}
     * @return the driver
     * @throws CinderblockException {@link ErrorCode#DRIVER_LOAD_FAILED}, listing the available ids
     *     and any problem recorded for a provider of that id
     */
    public LoadedDriver require(String id) {
        LoadedDriver driver = drivers.get(id);
        if (driver != null) {
            return driver;
        }
        String related = problems.stream()
                .filter(p -> p.message().contains("'" + id + "'"))
                .map(DriverLoadProblem::toString)
                .collect(Collectors.joining("; "));
        throw new CinderblockException(ErrorCode.DRIVER_LOAD_FAILED, "Unknown driver '" + id + "'; available: "
                + drivers.keySet() + (related.isEmpty() ? "" : "; problems: " + related));
    }

    /**
     * Providers that did not load, with why: a host shows them (the reference service logs them
     * at start) instead of hiding a broken jar.
     *
     * @return an unmodifiable list, empty when everything loaded
     */
    public List<DriverLoadProblem> problems() {
        return problems;
    }

    /** Builds a {@link DriverRegistry}: add sources, then {@link #build()}. */
    public static final class Builder {
        private final List<Object> sources = new ArrayList<>();

        private Builder() {}

        /**
         * Adds the providers visible to {@code loader} (its {@code META-INF/services} entries).
         *
         * @param loader the class loader to search
         * @return this builder
         */
        public Builder classLoader(ClassLoader loader) {
            sources.add(requireNonNull(loader, "loader is null"));
            return this;
        }

        /**
         * Adds the drivers in {@code directory}; a missing directory is a problem, not an exception.
         *
         * @param directory a drivers directory
         * @return this builder
         */
        public Builder directory(Path directory) {
            sources.add(requireNonNull(directory, "directory is null"));
            return this;
        }

        /**
         * Loads every source now, in the order added, on the calling thread. A later provider with
         * an id already loaded is a problem, not a replacement.
         *
         * @return the registry
         */
        public DriverRegistry build() {
            Map<String, LoadedDriver> drivers = new LinkedHashMap<>();
            List<DriverLoadProblem> problems = new ArrayList<>();
            ClassLoader host = DriverRegistry.class.getClassLoader();
            for (Object source : sources) {
                if (source instanceof ClassLoader) {
                    load((ClassLoader) source, null, drivers, problems);
                } else {
                    loadDirectory((Path) source, host, drivers, problems);
                }
            }
            problems.forEach(p -> LOG.log(System.Logger.Level.WARNING, "Driver not loaded: {0}", p));
            return new DriverRegistry(drivers, problems);
        }

        private static void loadDirectory(Path directory, ClassLoader host, Map<String, LoadedDriver> drivers,
                List<DriverLoadProblem> problems) {
            if (!Files.isDirectory(directory)) {
                problems.add(new DriverLoadProblem(directory.toString(), "Drivers directory does not exist",
                        Optional.empty()));
                return;
            }
            List<Path> entries;
            try (Stream<Path> list = Files.list(directory)) {
                entries = list.sorted().collect(Collectors.toList());
            } catch (IOException e) {
                problems.add(new DriverLoadProblem(directory.toString(), "Cannot list drivers directory: " + e,
                        Optional.of(e)));
                return;
            }
            for (Path entry : entries) {
                List<Path> jars;
                if (Files.isDirectory(entry)) {
                    try (Stream<Path> list = Files.list(entry)) {
                        jars = list.filter(Builder::isJar).sorted().collect(Collectors.toList());
                    } catch (IOException e) {
                        problems.add(new DriverLoadProblem(entry.toString(), "Cannot list driver directory: " + e,
                                Optional.of(e)));
                        continue;
                    }
                } else if (isJar(entry)) {
                    jars = List.of(entry);
                } else {
                    continue;
                }
                if (jars.isEmpty()) {
                    problems.add(new DriverLoadProblem(entry.toString(), "Driver directory holds no jar",
                            Optional.empty()));
                    continue;
                }
                URL[] urls = new URL[jars.size()];
                try {
                    for (int i = 0; i < urls.length; i++) {
                        urls[i] = jars.get(i).toUri().toURL();
                    }
                } catch (MalformedURLException e) {
                    problems.add(new DriverLoadProblem(entry.toString(), "Bad jar path: " + e, Optional.of(e)));
                    continue;
                }
                DriverClassLoader loader = new DriverClassLoader("driver:" + entry.getFileName(), urls, host);
                int before = drivers.size();
                int problemsBefore = problems.size();
                load(loader, entry.toString(), drivers, problems);
                if (drivers.size() == before && problems.size() == problemsBefore) {
                    problems.add(new DriverLoadProblem(entry.toString(),
                            "No provider of " + VolumeDriverProvider.class.getName() + " registered in META-INF/services",
                            Optional.empty()));
                }
            }
        }

        private static boolean isJar(Path path) {
            return Files.isRegularFile(path) && path.getFileName().toString().endsWith(".jar");
        }

        private static void load(ClassLoader loader, String knownSource, Map<String, LoadedDriver> drivers,
                List<DriverLoadProblem> problems) {
            Iterator<VolumeDriverProvider> iterator = ServiceLoader.load(VolumeDriverProvider.class, loader).iterator();
            int errors = 0;
            while (errors < MAX_ERRORS_PER_SOURCE) {
                VolumeDriverProvider provider;
                try {
                    if (!iterator.hasNext()) {
                        return;
                    }
                    provider = iterator.next();
                } catch (ServiceConfigurationError | LinkageError e) {
                    // Never swallowed: a broken service entry is reported with its source, and loading goes on.
                    errors++;
                    problems.add(new DriverLoadProblem(knownSource != null ? knownSource : "class path",
                            "Provider failed to load: " + e.getMessage(), Optional.of(e)));
                    continue;
                }
                String source = knownSource != null ? knownSource : sourceOf(provider.getClass());
                DriverDescriptor descriptor;
                try {
                    descriptor = requireNonNull(provider.descriptor(), "descriptor() returned null");
                } catch (RuntimeException | LinkageError e) {
                    errors++;
                    problems.add(new DriverLoadProblem(source, "Provider " + provider.getClass().getName()
                            + " failed in descriptor(): " + e, Optional.of(e)));
                    continue;
                }
                if (!SpiVersion.CURRENT.canHost(descriptor.spiVersion())) {
                    problems.add(new DriverLoadProblem(source, "Driver '" + descriptor.id() + "' was built for SPI "
                            + descriptor.spiVersion() + "; this host runs SPI " + SpiVersion.CURRENT
                            + " and accepts " + SpiVersion.CURRENT.major() + ".0 to " + SpiVersion.CURRENT,
                            Optional.empty()));
                    continue;
                }
                LoadedDriver existing = drivers.get(descriptor.id());
                if (existing != null) {
                    problems.add(new DriverLoadProblem(source, "Duplicate driver id '" + descriptor.id()
                            + "' (" + provider.getClass().getName() + "); already provided by "
                            + existing.provider().getClass().getName() + " from " + existing.source(),
                            Optional.empty()));
                    continue;
                }
                drivers.put(descriptor.id(), new LoadedDriver(provider, descriptor, source));
            }
            problems.add(new DriverLoadProblem(knownSource != null ? knownSource : "class path",
                    "Gave up after " + MAX_ERRORS_PER_SOURCE + " provider errors", Optional.empty()));
        }

        private static String sourceOf(Class<?> type) {
            CodeSource codeSource = type.getProtectionDomain().getCodeSource();
            return codeSource != null && codeSource.getLocation() != null
                    ? codeSource.getLocation().toString()
                    : "class path";
        }
    }
}
