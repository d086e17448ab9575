package io.cinderblock.sdk.host;

import static org.assertj.core.api.Assertions.assertThat;

import io.cinderblock.sdk.host.discovery.DriverRegistry;
import io.cinderblock.sdk.spi.DriverConfig;
import io.cinderblock.sdk.testing.InMemoryDriverProvider;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Backend.config: only the name by default, secrets masked always")
class BackendConfigTest {
    private static final String PASSWORD = "s3cr3t-" + System.nanoTime();

    private final BackendRegistry registry = BackendRegistry.builder().drivers(DriverRegistry.fromClassPath()).build();

    @AfterEach
    void tearDown() {
        registry.close();
    }

    @Test
    @DisplayName("config() shows only volume_backend_name")
    void onlyTheName() {
        Map<String, String> config = InMemoryDriverProvider.config(PASSWORD);
        config.put("capacity_gib", "200");
        Backend backend = registry.open("cfg-1", config);

        assertThat(backend.config()).containsExactly(Map.entry("volume_backend_name", "cfg-1"));
        assertThat(backend.config(false)).isEqualTo(backend.config());
    }

    @Test
    @DisplayName("config(true) adds the driver and the given options, the secret masked")
    void allOptionsSecretsMasked() {
        Map<String, String> config = InMemoryDriverProvider.config(PASSWORD);
        config.put("capacity_gib", "200");
        Backend backend = registry.open("cfg-2", config);

        Map<String, String> shown = backend.config(true);
        assertThat(shown).containsEntry("volume_backend_name", "cfg-2")
                .containsEntry("volume_driver", InMemoryDriverProvider.ID)
                .containsEntry("capacity_gib", "200")
                .containsEntry("password", DriverConfig.MASK)
                .doesNotContainKey("pool_name");
        assertThat(shown.toString()).doesNotContain(PASSWORD);
        assertThat(backend.toString()).doesNotContain(PASSWORD);
    }
}
