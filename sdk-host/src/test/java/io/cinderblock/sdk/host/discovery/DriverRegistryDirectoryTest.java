package io.cinderblock.sdk.host.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cinderblock.sdk.host.Backend;
import io.cinderblock.sdk.host.BackendRegistry;
import io.cinderblock.sdk.spi.BackendState;
import io.cinderblock.sdk.spi.VolumeDriverProvider;
import io.cinderblock.sdk.testing.DriverJarBuilder;
import io.cinderblock.sdk.testing.FaultyDriverProviders;
import io.cinderblock.sdk.testing.InMemoryDevice;
import io.cinderblock.sdk.testing.InMemoryDriverProvider;
import io.cinderblock.sdk.testing.SourceCompiler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("DriverRegistry on a drivers directory: one isolated class loader per driver")
class DriverRegistryDirectoryTest {
    private static final String MISSING = "io.cinderblock.nowhere.MissingProvider";

    /** Two builds of the same classes, {@code isolated.Greeting} and {@code isolated.IsolatedProvider}, behaving differently. */
    private static Path vendorA;
    private static Path vendorB;

    @TempDir
    static Path compiled;

    @TempDir
    Path drivers;

    @BeforeAll
    static void compileTwoVendors() {
        vendorA = compileVendor("A");
        vendorB = compileVendor("B");
    }

    private static Path compileVendor(String letter) {
        String greeting = String.join("\n",
                "package isolated;",
                "public final class Greeting {",
                "    public static String id() { return \"isolated-" + letter.toLowerCase(java.util.Locale.ROOT) + "\"; }",
                "    public static String vendor() { return \"Vendor " + letter + "\"; }",
                "}");
        String provider = String.join("\n",
                "package isolated;",
                "import io.cinderblock.sdk.spi.*;",
                "public final class IsolatedProvider implements VolumeDriverProvider {",
                "    private static final DriverDescriptor DESCRIPTOR = DriverDescriptor.builder(Greeting.id())",
                "            .vendorName(Greeting.vendor()).driverVersion(\"1.0\")",
                "            .storageProtocol(StorageProtocol.ISCSI).build();",
                "    public DriverDescriptor descriptor() { return DESCRIPTOR; }",
                "    public VolumeDriver open(DriverConfig config, DriverContext context) {",
                "        return new VolumeDriver() {",
                "            public BackendStats collectStats() {",
                "                return BackendStats.builder().backendName(config.backendName()).describedBy(DESCRIPTOR)",
                "                        .pool(PoolStats.builder(\"p\").build()).build();",
                "            }",
                "            public BackendState backendState() {",
                "                return BackendState.up(\"greeted by \" + Greeting.vendor(), context.clock());",
                "            }",
                "            public DriverDescriptor descriptor() { return DESCRIPTOR; }",
                "            public void close() {}",
                "        };",
                "    }",
                "}");
        Path out = compiled.resolve("vendor-" + letter);
        SourceCompiler.Result result = SourceCompiler.compile(
                Map.of("isolated.Greeting", greeting, "isolated.IsolatedProvider", provider), out);
        assertThat(result.errors()).isEmpty();
        return out;
    }

    private Path inMemoryJar(String fileName) {
        return new DriverJarBuilder().addPackageOf(InMemoryDriverProvider.class)
                .provider(InMemoryDriverProvider.class).writeTo(drivers.resolve(fileName));
    }

    @Test
    @DisplayName("loads a driver jar in its own class loader; SDK classes are shared, the driver's are not")
    void loadsIsolatedJar() throws Exception {
        Path jar = inMemoryJar("in-memory.jar");
        DriverRegistry registry = DriverRegistry.fromDirectory(drivers);

        assertThat(registry.problems()).isEmpty();
        LoadedDriver driver = registry.require(InMemoryDriverProvider.ID);
        assertThat(driver.source()).isEqualTo(jar.toString());
        VolumeDriverProvider provider = driver.provider();
        ClassLoader loader = provider.getClass().getClassLoader();

        assertThat(provider).isInstanceOf(VolumeDriverProvider.class);
        assertThat(provider.getClass().getName()).isEqualTo(InMemoryDriverProvider.class.getName());
        assertThat(provider.getClass()).as("the jar's own copy, not the test's class").isNotSameAs(InMemoryDriverProvider.class);
        assertThat(loader).isNotSameAs(getClass().getClassLoader()).isInstanceOf(DriverClassLoader.class);
        assertThat(loader.loadClass(VolumeDriverProvider.class.getName())).isSameAs(VolumeDriverProvider.class);
        assertThat(loader.loadClass(BackendState.class.getName())).isSameAs(BackendState.class);
        assertThat(loader.loadClass(InMemoryDevice.class.getName())).as("a package below io.cinderblock.sdk is not shared")
                .isNotSameAs(InMemoryDevice.class);

        try (BackendRegistry backends = BackendRegistry.builder().drivers(registry).build()) {
            Backend backend = backends.open("from-jar", InMemoryDriverProvider.config());
            assertThat(backend.state().isUp()).isTrue();
            assertThat(backend.stats(true).totalCapacity().gib()).isEqualTo(100);
        }
    }

    @Test
    @DisplayName("two jars with the same class names and different behaviour both load, invisible to the host")
    void sameClassNamesIsolated() throws Exception {
        new DriverJarBuilder().addTree(vendorA).provider("isolated.IsolatedProvider").writeTo(drivers.resolve("a.jar"));
        new DriverJarBuilder().addTree(vendorB).provider("isolated.IsolatedProvider").writeTo(drivers.resolve("b.jar"));

        DriverRegistry registry = DriverRegistry.fromDirectory(drivers);

        assertThat(registry.problems()).isEmpty();
        LoadedDriver a = registry.require("isolated-a");
        LoadedDriver b = registry.require("isolated-b");
        assertThat(a.descriptor().vendorName()).isEqualTo("Vendor A");
        assertThat(b.descriptor().vendorName()).isEqualTo("Vendor B");
        assertThat(a.provider().getClass().getName()).isEqualTo(b.provider().getClass().getName());
        assertThat(a.provider().getClass()).isNotSameAs(b.provider().getClass());
        assertThat(a.provider().getClass().getClassLoader()).isNotSameAs(b.provider().getClass().getClassLoader());
        assertThatThrownBy(() -> Class.forName("isolated.Greeting", false, getClass().getClassLoader()))
                .isInstanceOf(ClassNotFoundException.class);

        try (BackendRegistry backends = BackendRegistry.builder().drivers(registry).build()) {
            assertThat(backends.open("a", Map.of("volume_driver", "isolated-a")).state().reason())
                    .isEqualTo("greeted by Vendor A");
            assertThat(backends.open("b", Map.of("volume_driver", "isolated-b")).state().reason())
                    .isEqualTo("greeted by Vendor B");
        }
    }

    @Test
    @DisplayName("a subdirectory is one driver whose jars (driver plus library) share one class loader")
    void subdirectoryOfJars() throws Exception {
        Path driverDirectory = Files.createDirectories(drivers.resolve("vendor-a"));
        Path classes = vendorA.resolve("isolated");
        Path library = Files.createDirectories(compiled.resolve("library-only/isolated"));
        Files.copy(classes.resolve("Greeting.class"), library.resolve("Greeting.class"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Path driverOnly = Files.createDirectories(compiled.resolve("driver-only/isolated"));
        try (var files = Files.list(classes)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                if (file.getFileName().toString().startsWith("IsolatedProvider")) {
                    Files.copy(file, driverOnly.resolve(file.getFileName()),
                            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        new DriverJarBuilder().addTree(compiled.resolve("library-only")).writeTo(driverDirectory.resolve("greeting-lib.jar"));
        new DriverJarBuilder().addTree(compiled.resolve("driver-only")).provider("isolated.IsolatedProvider")
                .writeTo(driverDirectory.resolve("vendor-a-driver.jar"));
        Files.createDirectories(drivers.resolve("empty-driver"));
        Files.writeString(drivers.resolve("README.txt"), "not a jar");

        DriverRegistry registry = DriverRegistry.fromDirectory(drivers);

        LoadedDriver driver = registry.require("isolated-a");
        assertThat(driver.source()).isEqualTo(driverDirectory.toString());
        assertThat(driver.descriptor().vendorName()).as("the library jar's class was found").isEqualTo("Vendor A");
        assertThat(registry.problems()).singleElement().satisfies(problem -> {
            assertThat(problem.source()).isEqualTo(drivers.resolve("empty-driver").toString());
            assertThat(problem.message()).contains("holds no jar");
        });
    }

    @Test
    @DisplayName("a broken provider is reported with its jar path while the other jars load")
    void brokenJarReported() {
        inMemoryJar("a-good.jar");
        Path broken = new DriverJarBuilder().addResource("README.txt", "only a dangling service entry")
                .provider(MISSING).writeTo(drivers.resolve("b-broken.jar"));
        Path mixed = new DriverJarBuilder().addPackageOf(FaultyDriverProviders.class)
                .provider(MISSING).provider(FaultyDriverProviders.NullState.class).writeTo(drivers.resolve("c-mixed.jar"));
        Path empty = new DriverJarBuilder().addResource("README.txt", "no service entry").writeTo(drivers.resolve("d-empty.jar"));

        DriverRegistry registry = DriverRegistry.fromDirectory(drivers);

        assertThat(registry.drivers()).extracting(LoadedDriver::id).containsExactly(InMemoryDriverProvider.ID, "null-state");
        assertThat(registry.require("null-state").source()).isEqualTo(mixed.toString());
        assertThat(registry.problems()).hasSize(3);
        assertThat(registry.problems().get(0).source()).isEqualTo(broken.toString());
        assertThat(registry.problems().get(0).message()).contains(MISSING);
        assertThat(registry.problems().get(1).source()).isEqualTo(mixed.toString());
        assertThat(registry.problems().get(1).toString()).startsWith(mixed + ": ").contains(MISSING);
        assertThat(registry.problems().get(2).source()).isEqualTo(empty.toString());
        assertThat(registry.problems().get(2).message()).contains("No provider of " + VolumeDriverProvider.class.getName());
    }

    @Test
    @DisplayName("a duplicate id across jars: the first jar by name wins, the second is reported")
    void duplicateAcrossJars() {
        Path first = new DriverJarBuilder().addPackageOf(FaultyDriverProviders.class)
                .provider(FaultyDriverProviders.DuplicateIdSecond.class).writeTo(drivers.resolve("1-first.jar"));
        Path second = new DriverJarBuilder().addPackageOf(FaultyDriverProviders.class)
                .provider(FaultyDriverProviders.DuplicateIdFirst.class).writeTo(drivers.resolve("2-second.jar"));

        DriverRegistry registry = DriverRegistry.fromDirectory(drivers);

        LoadedDriver winner = registry.require("duplicate");
        assertThat(winner.source()).isEqualTo(first.toString());
        assertThat(winner.descriptor().vendorName()).isEqualTo("second vendor");
        assertThat(registry.problems()).singleElement().satisfies(problem -> {
            assertThat(problem.source()).isEqualTo(second.toString());
            assertThat(problem.message()).contains("Duplicate driver id 'duplicate'").contains(first.toString());
        });
    }

    @Test
    @DisplayName("a jar built for a newer SPI is refused with a clear message naming the versions")
    void newerSpiJar() {
        Path jar = new DriverJarBuilder().addPackageOf(FaultyDriverProviders.class)
                .provider(FaultyDriverProviders.NewerMajorSpi.class).provider(FaultyDriverProviders.NewerMinorSpi.class)
                .writeTo(drivers.resolve("future.jar"));

        DriverRegistry registry = DriverRegistry.fromDirectory(drivers);

        assertThat(registry.drivers()).isEmpty();
        assertThat(registry.problems()).hasSize(2).allSatisfy(p -> assertThat(p.source()).isEqualTo(jar.toString()));
        assertThat(registry.problems().get(0).message()).contains("'newer-major' was built for SPI 2.0")
                .contains("this host runs SPI 1.0");
        assertThat(registry.problems().get(1).message()).contains("'newer-minor' was built for SPI 1.99");
    }

    @Test
    @DisplayName("a missing directory is a problem, not an exception")
    void missingDirectory() {
        Path missing = drivers.resolve("does-not-exist");
        DriverRegistry registry = DriverRegistry.fromDirectory(missing);
        assertThat(registry.drivers()).isEmpty();
        assertThat(registry.problems()).singleElement().satisfies(problem -> {
            assertThat(problem.source()).isEqualTo(missing.toString());
            assertThat(problem.message()).contains("does not exist");
        });
        assertThatThrownBy(() -> registry.require("in-memory")).hasMessageContaining("available: []");
    }

    @Test
    @DisplayName("class path and directory combine: the class path's provider wins a duplicate id")
    void classPathAndDirectory() {
        Path jar = inMemoryJar("in-memory.jar");
        DriverRegistry registry = DriverRegistry.builder().classLoader(getClass().getClassLoader()).directory(drivers)
                .build();
        assertThat(registry.require(InMemoryDriverProvider.ID).provider()).isInstanceOf(InMemoryDriverProvider.class);
        assertThat(registry.problems()).singleElement().satisfies(problem -> {
            assertThat(problem.source()).isEqualTo(jar.toString());
            assertThat(problem.message()).contains("Duplicate driver id 'in-memory'");
        });
    }
}
