package io.cinderblock.sdk.host.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.cinderblock.sdk.error.CinderblockException;
import io.cinderblock.sdk.error.ErrorCode;
import io.cinderblock.sdk.host.testing.HostFixtures;
import io.cinderblock.sdk.testing.FaultyDriverProviders;
import io.cinderblock.sdk.testing.InMemoryDriverProvider;
import io.cinderblock.sdk.testing.ServiceEntriesClassLoader;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("DriverRegistry on class loaders: loud, deterministic discovery")
class DriverRegistryClassPathTest {
    private static final String MISSING = "io.cinderblock.nowhere.MissingProvider";

    @Test
    @DisplayName("finds the providers registered on the class path, with where they came from")
    void classPath() {
        DriverRegistry registry = DriverRegistry.fromClassPath();
        assertThat(registry.problems()).isEmpty();
        LoadedDriver driver = registry.require(InMemoryDriverProvider.ID);
        assertThat(driver.provider()).isInstanceOf(InMemoryDriverProvider.class);
        assertThat(driver.descriptor()).isEqualTo(InMemoryDriverProvider.DESCRIPTOR);
        assertThat(driver.id()).isEqualTo(InMemoryDriverProvider.ID);
        assertThat(driver.source()).as("where the provider class was loaded from").contains("sdk-testing");
        assertThat(registry.drivers()).extracting(LoadedDriver::id).containsExactly(InMemoryDriverProvider.ID);
    }

    @Test
    @DisplayName("each registry gets its own provider instances")
    void freshInstances() {
        assertThat(DriverRegistry.fromClassPath().require(InMemoryDriverProvider.ID).provider())
                .isNotSameAs(DriverRegistry.fromClassPath().require(InMemoryDriverProvider.ID).provider());
    }

    @Test
    @DisplayName("require() of an unknown id lists the available ids")
    void requireListsAvailable() {
        CinderblockException e = catchThrowableOfType(CinderblockException.class,
                () -> DriverRegistry.fromClassPath().require("lvm"));
        assertThat(e.code()).isEqualTo(ErrorCode.DRIVER_LOAD_FAILED);
        assertThat(e).hasMessage("Unknown driver 'lvm'; available: [in-memory]");
        assertThat(DriverRegistry.fromClassPath().driver("lvm")).isEmpty();
    }

    @Test
    @DisplayName("a service entry naming a missing class is reported, and the providers after it still load")
    void brokenServiceEntry() {
        DriverRegistry registry = HostFixtures.registryOfNames(MISSING,
                InMemoryDriverProvider.class.getName());
        assertThat(registry.driver(InMemoryDriverProvider.ID)).isPresent();
        assertThat(registry.problems()).singleElement().satisfies(problem -> {
            assertThat(problem.message()).contains("Provider failed to load").contains(MISSING);
            assertThat(problem.cause()).isPresent();
        });
    }

    @Test
    @DisplayName("a provider whose constructor or descriptor() throws is reported, the others load")
    void throwingProviders() {
        DriverRegistry registry = HostFixtures.registryOf(FaultyDriverProviders.ThrowingConstructor.class,
                FaultyDriverProviders.ThrowingDescriptor.class, InMemoryDriverProvider.class);
        assertThat(registry.drivers()).extracting(LoadedDriver::id).containsExactly(InMemoryDriverProvider.ID);
        assertThat(registry.problems()).hasSize(2);
        assertThat(registry.problems().get(0).message()).contains(FaultyDriverProviders.ThrowingConstructor.class.getName());
        assertThat(registry.problems().get(1).message())
                .contains(FaultyDriverProviders.ThrowingDescriptor.class.getName())
                .contains("failed in descriptor()")
                .contains("descriptor resources missing");
        assertThat(registry.problems().get(1).source()).contains("sdk-testing");
    }

    @Test
    @DisplayName("a duplicate id is refused: the first provider wins, the second is reported naming both")
    void duplicateId() {
        DriverRegistry registry = HostFixtures.registryOf(FaultyDriverProviders.DuplicateIdFirst.class,
                FaultyDriverProviders.DuplicateIdSecond.class);
        assertThat(registry.require("duplicate").descriptor().vendorName()).isEqualTo("first vendor");
        assertThat(registry.problems()).singleElement().satisfies(problem -> assertThat(problem.message())
                .contains("Duplicate driver id 'duplicate'")
                .contains(FaultyDriverProviders.DuplicateIdSecond.class.getName())
                .contains("already provided by " + FaultyDriverProviders.DuplicateIdFirst.class.getName()));
    }

    @Test
    @DisplayName("sources are read in the order they were added: the first class loader's provider wins")
    void sourceOrder() {
        DriverRegistry registry = DriverRegistry.builder()
                .classLoader(new ServiceEntriesClassLoader(List.of(FaultyDriverProviders.DuplicateIdSecond.class.getName())))
                .classLoader(new ServiceEntriesClassLoader(List.of(FaultyDriverProviders.DuplicateIdFirst.class.getName())))
                .build();
        assertThat(registry.require("duplicate").descriptor().vendorName()).isEqualTo("second vendor");
        assertThat(registry.problems()).hasSize(1);
    }

    @Test
    @DisplayName("a driver built for a newer SPI (1.99 or 2.0) is refused with a clear message")
    void newerSpi() {
        DriverRegistry registry = HostFixtures.registryOf(FaultyDriverProviders.NewerMinorSpi.class,
                FaultyDriverProviders.NewerMajorSpi.class, InMemoryDriverProvider.class);
        assertThat(registry.drivers()).extracting(LoadedDriver::id).containsExactly(InMemoryDriverProvider.ID);
        assertThat(registry.problems()).extracting(DriverLoadProblem::message).containsExactly(
                "Driver 'newer-minor' was built for SPI 1.99; this host runs SPI 1.0 and accepts 1.0 to 1.0",
                "Driver 'newer-major' was built for SPI 2.0; this host runs SPI 1.0 and accepts 1.0 to 1.0");

        CinderblockException e = catchThrowableOfType(CinderblockException.class, () -> registry.require("newer-minor"));
        assertThat(e).hasMessageContaining("available: [in-memory]").hasMessageContaining("built for SPI 1.99");
    }
}
