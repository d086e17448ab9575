package io.cinderblock.sdk.host.discovery;

import java.net.URL;
import java.net.URLClassLoader;
import java.util.Enumeration;
import java.util.Set;

/**
 * Loads one driver (a jar, or a directory of jars) in isolation: SDK classes come from the host,
 * everything else from the driver's own jars first, then the platform. Two drivers can thus bring
 * different versions of the same library. Modelled on Trino's plugin class loader.
 */
final class DriverClassLoader extends URLClassLoader {
    /**
     * Packages shared with the host: exactly the packages sdk-api exports to drivers. Not a prefix match, so that a
     * driver's (or a test kit's) classes in a package below {@code io.cinderblock.sdk} stay in the
     * driver's jar instead of being looked up, and not found, in the host. Keep in step with
     * {@code module-info.java}.
     */
    static final Set<String> SHARED_PACKAGES = Set.of("io.cinderblock.sdk", "io.cinderblock.sdk.spi",
            "io.cinderblock.sdk.error", "io.cinderblock.sdk.support", "io.cinderblock.sdk.internal");

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
        if (isSharedResource(name)) {
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

    static boolean isShared(String className) {
        int dot = className.lastIndexOf('.');
        return dot > 0 && SHARED_PACKAGES.contains(className.substring(0, dot));
    }

    private static boolean isSharedResource(String resourceName) {
        int slash = resourceName.lastIndexOf('/');
        return slash > 0 && SHARED_PACKAGES.contains(resourceName.substring(0, slash).replace('/', '.'));
    }
}
