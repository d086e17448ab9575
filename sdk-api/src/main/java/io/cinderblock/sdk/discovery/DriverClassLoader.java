package io.cinderblock.sdk.discovery;

import java.net.URL;
import java.net.URLClassLoader;
import java.util.Enumeration;
import java.util.List;

/**
 * Loads one driver (a jar, or a directory of jars) in isolation: SDK classes come from the host,
 * everything else from the driver's own jars first, then the platform. Two drivers can thus bring
 * different versions of the same library. Modelled on Trino's plugin class loader.
 */
final class DriverClassLoader extends URLClassLoader {
    /** Packages shared with the host: the SPI and what it names. */
    private static final List<String> SHARED_PREFIXES = List.of("io.cinderblock.sdk.");
    private static final String SHARED_RESOURCE_PREFIX = "io/cinderblock/sdk/";

    static {
        registerAsParallelCapable();
    }

    private final ClassLoader hostLoader;

    DriverClassLoader(String name, URL[] urls, ClassLoader hostLoader) {
        super(name, urls, ClassLoader.getPlatformClassLoader());
        this.hostLoader = hostLoader;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (isShared(name)) {
            return hostLoader.loadClass(name);
        }
        synchronized (getClassLoadingLock(name)) {
            Class<?> loaded = findLoadedClass(name);
            if (loaded == null) {
                try {
                    loaded = findClass(name);
                } catch (ClassNotFoundException e) {
                    loaded = getParent().loadClass(name);
                }
            }
            if (resolve) {
                resolveClass(loaded);
            }
            return loaded;
        }
    }

    @Override
    public URL getResource(String name) {
        if (name.startsWith(SHARED_RESOURCE_PREFIX)) {
            return hostLoader.getResource(name);
        }
        URL own = findResource(name);
        return own != null ? own : getParent().getResource(name);
    }

    @Override
    public Enumeration<URL> getResources(String name) throws java.io.IOException {
        // Only the driver's own META-INF/services entries: never the host's providers.
        return findResources(name);
    }

    private static boolean isShared(String className) {
        return SHARED_PREFIXES.stream().anyMatch(className::startsWith);
    }
}
