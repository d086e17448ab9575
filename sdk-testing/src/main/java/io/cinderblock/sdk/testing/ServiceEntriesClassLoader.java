package io.cinderblock.sdk.testing;

import io.cinderblock.sdk.ApiStatus;
import io.cinderblock.sdk.spi.VolumeDriverProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

/**
 * A class loader whose only {@code META-INF/services/io.cinderblock.sdk.spi.VolumeDriverProvider}
 * lists the providers a test names (existing or not); classes come from the parent, so the test
 * and the registry share the same provider classes and instances stay reachable. This keeps faulty
 * providers out of class-path discovery while still loading them through {@link
 * java.util.ServiceLoader} exactly as a host would.
 *
 * @since 0.2
 */
@ApiStatus(value = ApiStatus.Status.EXPERIMENTAL, since = "0.2")
public final class ServiceEntriesClassLoader extends ClassLoader {
    private static final String SERVICES = "META-INF/services/" + VolumeDriverProvider.class.getName();

    private final URL servicesFile;

    /**
     * A loader listing {@code providerClassNames}, in that order, over the test class path.
     *
     * @param providerClassNames the lines of the simulated {@code META-INF/services} file
     */
    public ServiceEntriesClassLoader(List<String> providerClassNames) {
        super("service-entries", ServiceEntriesClassLoader.class.getClassLoader());
        try {
            Path file = Files.createTempFile("cinderblock-services-", ".txt");
            file.toFile().deleteOnExit();
            Files.writeString(file, String.join("\n", providerClassNames) + "\n", StandardCharsets.UTF_8);
            this.servicesFile = file.toUri().toURL();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public URL getResource(String name) {
        return SERVICES.equals(name) ? servicesFile : super.getResource(name);
    }

    @Override
    public Enumeration<URL> getResources(String name) throws IOException {
        return SERVICES.equals(name) ? Collections.enumeration(List.of(servicesFile)) : super.getResources(name);
    }
}
