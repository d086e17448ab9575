package io.cinderblock.driver.snmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cinderblock.sdk.host.Backend;
import io.cinderblock.sdk.host.BackendRegistry;
import io.cinderblock.sdk.error.CinderblockException;
import io.cinderblock.sdk.error.ErrorCode;
import io.cinderblock.sdk.host.metadata.VolumeRecord;
import io.cinderblock.sdk.spi.BackendState;
import io.cinderblock.sdk.spi.Capability;
import io.cinderblock.sdk.spi.Capacity;
import io.cinderblock.sdk.spi.PoolStats;
import io.cinderblock.sdk.spi.Volume;
import io.cinderblock.sdk.spi.VolumeSpec;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Provisioning through a RowStatus volume table, against a simulated array (an in-JVM snmp4j-agent
 * agent, {@link SimulatedArrayAgent}), not a real one.
 */
@DisplayName("snmp-array provisioning against a simulated array (snmp4j-agent, in-JVM)")
class SimulatedArrayProvisioningTest {
    private SimulatedArrayAgent array;
    private SnmpArrayDriver driver;

    @BeforeEach
    void start() {
        array = SimulatedArrayAgent.start();
        driver = SnmpTestSupport.open(array.config());
    }

    @AfterEach
    void stop() {
        if (driver != null) {
            driver.close();
        }
        if (array != null) {
            array.close();
        }
    }

    @Test
    @DisplayName("declares create and extend; UP with both pools")
    void declaresProvisioning() {
        assertThat(driver.capabilities()).contains(Capability.CREATE_VOLUME, Capability.EXTEND_VOLUME);
        BackendState state = driver.backendState();
        assertThat(state.status()).as(state.reason()).isEqualTo(BackendState.Status.UP);
        assertThat(driver.collectStats().pools()).extracting(PoolStats::poolName).containsExactly("gold", "silver");
    }

    @Test
    @DisplayName("create (createAndGo), extend (SET size), delete (destroy), delete again (idempotent)")
    void lifecycle() {
        Volume volume = driver.createVolume(VolumeSpec.of("0001", 10).inPool("silver"));
        assertThat(volume.poolName()).isEqualTo("silver");
        assertThat(volume.providerLocation()).contains("snmp-array:row=1");
        assertThat(array.volumes()).containsEntry(1L, "volume-0001:10240MiB:pool2");
        assertThat(pool("silver").freeCapacity()).isEqualTo(Capacity.ofGib(10));

        Volume bigger = driver.extendVolume(volume, 15);
        assertThat(bigger.sizeGib()).isEqualTo(15);
        assertThat(array.volumes()).containsEntry(1L, "volume-0001:15360MiB:pool2");
        assertThat(pool("silver").freeCapacity()).isEqualTo(Capacity.ofGib(5));

        driver.deleteVolume(bigger);
        assertThat(array.volumes()).isEmpty();
        assertThat(pool("silver").freeCapacity()).isEqualTo(Capacity.ofGib(20));
        driver.deleteVolume(bigger); // already gone: succeeds
    }

    @Test
    @DisplayName("without a pool, the one with most free space; row indexes do not collide")
    void choosesPoolAndIndex() {
        Volume first = driver.createVolume(VolumeSpec.of("a", 1));
        Volume second = driver.createVolume(VolumeSpec.of("b", 1));
        assertThat(first.poolName()).isEqualTo("gold");
        assertThat(second.providerLocation()).contains("snmp-array:row=2");
        assertThat(array.volumeNames()).containsExactly("volume-a", "volume-b");
    }

    @Test
    @DisplayName("typed errors: insufficient capacity, shrink, bad name, unknown pool, duplicate, agent refusal")
    void typedErrors() {
        assertThatThrownBy(() -> driver.createVolume(VolumeSpec.of("big", 21).inPool("silver")))
                .isInstanceOfSatisfying(CinderblockException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.INSUFFICIENT_CAPACITY));
        Volume volume = driver.createVolume(VolumeSpec.of("v", 2).inPool("gold"));
        assertThatThrownBy(() -> driver.extendVolume(volume, 1)).isInstanceOfSatisfying(CinderblockException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
        assertThatThrownBy(() -> driver.extendVolume(volume, 200)).isInstanceOfSatisfying(CinderblockException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.INSUFFICIENT_CAPACITY));
        assertThatThrownBy(() -> driver.createVolume(new VolumeSpec("w", "bad name", 1, Optional.empty())))
                .isInstanceOfSatisfying(CinderblockException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
        assertThatThrownBy(() -> driver.createVolume(VolumeSpec.of("x", 1).inPool("bronze")))
                .isInstanceOfSatisfying(CinderblockException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
                .hasMessageContaining("bronze");
        assertThatThrownBy(() -> driver.createVolume(VolumeSpec.of("v", 1)))
                .isInstanceOfSatisfying(CinderblockException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.OPERATION_FAILED))
                .hasMessageContaining("already exists");
        // 60 characters: within the profile's 64, beyond the simulated array's 48.
        String longName = "volume-" + "x".repeat(53);
        assertThatThrownBy(() -> driver.createVolume(new VolumeSpec("y", longName, 1, Optional.empty())))
                .isInstanceOfSatisfying(CinderblockException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.OPERATION_FAILED))
                .hasMessageContaining("refused").hasMessageContaining("createAndGo");
        assertThat(array.volumeNames()).containsExactly("volume-v");
    }

    @Test
    @DisplayName("break and heal: failed health makes it DOWN, ok again makes it UP")
    void healthBreakAndHeal() {
        array.setHealth(3);
        BackendState down = driver.backendState();
        assertThat(down.status()).isEqualTo(BackendState.Status.DOWN);
        assertThat(down.reason()).contains("3 (failed)");
        array.setHealth(2);
        assertThat(driver.backendState().isUp()).isTrue();
    }

    @Test
    @DisplayName("through the SDK's Backend facade, found by ServiceLoader: create, list, delete")
    void throughBackendFacade() {
        try (BackendRegistry registry = BackendRegistry.builder().build()) {
            Backend backend = registry.open("array-1", array.config());
            VolumeRecord record = backend.createVolume(VolumeSpec.of("facade", 3));
            assertThat(backend.volumes()).extracting(VolumeRecord::id).contains("facade");
            assertThat(array.volumeNames()).containsExactly("volume-facade");
            backend.deleteVolume(record.id());
            assertThat(array.volumeNames()).isEmpty();
        }
    }

    @Test
    @DisplayName("after close, backendState() still answers (DOWN) instead of throwing")
    void stateAfterClose() {
        driver.close();
        BackendState state = driver.backendState();
        assertThat(state.status()).isEqualTo(BackendState.Status.DOWN);
        assertThat(state.reason()).isNotBlank();
    }

    private PoolStats pool(String name) {
        return driver.collectStats().pools().stream().filter(p -> p.poolName().equals(name)).findFirst().orElseThrow();
    }
}
