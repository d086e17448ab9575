package io.cinderblock.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import io.cinderblock.sdk.testing.ApiDump;
import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("sdk-api's compiled module descriptor")
class ModuleDescriptorTest {

    private static ModuleDescriptor descriptor() throws IOException {
        Path file = ApiDump.classesOf(ApiStatus.class).resolve("module-info.class");
        try (InputStream in = Files.newInputStream(file)) {
            return ModuleDescriptor.read(in);
        }
    }

    @Test
    @DisplayName("requires nothing beyond java.base: a driver inherits no library and no host concern (no java.sql)")
    void requiresOnlyJavaBase() throws IOException {
        ModuleDescriptor module = descriptor();
        assertThat(module.name()).isEqualTo("io.cinderblock.sdk");
        assertThat(module.requires()).extracting(ModuleDescriptor.Requires::name).containsExactly("java.base");
        assertThat(module.uses()).isEmpty();
        assertThat(module.provides()).isEmpty();
    }

    @Test
    @DisplayName("exports the SPI, errors, support and ApiStatus to everyone, and its internal package to the host only")
    void exports() throws IOException {
        Set<String> open = descriptor().exports().stream().filter(e -> !e.isQualified())
                .map(ModuleDescriptor.Exports::source).collect(Collectors.toSet());
        assertThat(open).containsExactlyInAnyOrder("io.cinderblock.sdk", "io.cinderblock.sdk.spi",
                "io.cinderblock.sdk.error", "io.cinderblock.sdk.support");
        assertThat(descriptor().exports()).filteredOn(ModuleDescriptor.Exports::isQualified)
                .singleElement().satisfies(e -> {
                    assertThat(e.source()).isEqualTo("io.cinderblock.sdk.internal");
                    assertThat(e.targets()).containsExactly("io.cinderblock.sdk.host");
                });
    }
}
