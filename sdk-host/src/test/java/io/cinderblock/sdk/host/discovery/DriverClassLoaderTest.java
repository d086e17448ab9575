package io.cinderblock.sdk.host.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.cinderblock.sdk.testing.SourceCompiler;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("DriverClassLoader shares exactly the SDK's packages with the host")
class DriverClassLoaderTest {
    @Test
    @DisplayName("SPI classes are shared; the host's and other packages, even below io.cinderblock.sdk, are not")
    void sharedClasses() {
        assertThat(DriverClassLoader.isShared("io.cinderblock.sdk.spi.VolumeDriver")).isTrue();
        assertThat(DriverClassLoader.isShared("io.cinderblock.sdk.spi.BackendState$Status")).isTrue();
        assertThat(DriverClassLoader.isShared("io.cinderblock.sdk.ApiStatus")).isTrue();
        // A driver compiles against sdk-api only: the facade and discovery stay the host's own.
        assertThat(DriverClassLoader.isShared("io.cinderblock.sdk.host.Backend")).isFalse();
        assertThat(DriverClassLoader.isShared("io.cinderblock.sdk.host.discovery.DriverRegistry")).isFalse();
        assertThat(DriverClassLoader.isShared("io.cinderblock.sdk.host.testing.InMemoryDriverProvider")).isFalse();
        assertThat(DriverClassLoader.isShared("io.cinderblock.sdkx.Foo")).isFalse();
        assertThat(DriverClassLoader.isShared("com.acme.Driver")).isFalse();
    }

    @Test
    @DisplayName("the shared list is every package the sdk-api jar holds")
    void sharedListMatchesTheJar() throws IOException {
        Path sdk = SourceCompiler.sdkClassPath();
        Set<String> packages = new TreeSet<>();
        if (Files.isDirectory(sdk)) {
            collectPackages(sdk, packages);
        } else {
            try (FileSystem jar = FileSystems.newFileSystem(sdk)) {
                collectPackages(jar.getPath("/"), packages);
            }
        }
        assertThat(packages).containsExactlyInAnyOrderElementsOf(DriverClassLoader.SHARED_PACKAGES);
    }

    private static void collectPackages(Path root, Set<String> packages) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            files.filter(f -> f.toString().endsWith(".class") && !f.getFileName().toString().equals("module-info.class"))
                    .forEach(f -> packages.add(root.relativize(f.getParent()).toString().replace('/', '.')));
        }
    }
}
