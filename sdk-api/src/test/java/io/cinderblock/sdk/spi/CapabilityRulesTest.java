package io.cinderblock.sdk.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@DisplayName("Capabilities know what they require, and a descriptor refuses a contradictory set")
class CapabilityRulesTest {

    private static DriverDescriptor.Builder descriptor() {
        return DriverDescriptor.builder("rules").vendorName("Example").driverVersion("1.0")
                .storageProtocol(StorageProtocol.ISCSI);
    }

    @Test
    @DisplayName("the rules: volume_from_snapshot needs snapshot, and every operation needs create_volume")
    void rules() {
        assertThat(Capability.CREATE_VOLUME.requires()).isEmpty();
        assertThat(Capability.VOLUME_FROM_SNAPSHOT.requires())
                .containsExactlyInAnyOrder(Capability.SNAPSHOT, Capability.CREATE_VOLUME);
        for (Capability c : EnumSet.complementOf(EnumSet.of(Capability.CREATE_VOLUME))) {
            assertThat(c.requires()).as(c.wireName()).contains(Capability.CREATE_VOLUME);
        }
    }

    @ParameterizedTest
    @EnumSource(Capability.class)
    @DisplayName("requires() is transitively closed, never holds the capability itself, and is immutable")
    void closed(Capability capability) {
        assertThat(capability.requires()).doesNotContain(capability);
        for (Capability required : capability.requires()) {
            assertThat(capability.requires()).as(capability + " through " + required).containsAll(required.requires());
        }
        assertThatThrownBy(() -> capability.requires().add(capability)).isInstanceOf(UnsupportedOperationException.class);
    }

    @ParameterizedTest
    @EnumSource(Capability.class)
    @DisplayName("a capability declared with everything it requires is accepted")
    void coherentSetAccepted(Capability capability) {
        Set<Capability> set = EnumSet.of(capability);
        set.addAll(capability.requires());
        DriverDescriptor d = descriptor().capability(set.toArray(new Capability[0])).build();
        assertThat(d.capabilities()).isEqualTo(set);
        assertThat(descriptor().capability(Capability.values()).build().capabilities())
                .containsExactlyInAnyOrder(Capability.values());
    }

    @Test
    @DisplayName("volume_from_snapshot without snapshot is refused, naming both")
    void volumeFromSnapshotWithoutSnapshot() {
        assertThatThrownBy(() -> descriptor()
                .capability(Capability.CREATE_VOLUME, Capability.VOLUME_FROM_SNAPSHOT).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Driver 'rules' declares capability 'volume_from_snapshot' without 'snapshot',"
                        + " which 'volume_from_snapshot' requires");
    }

    @ParameterizedTest
    @EnumSource(value = Capability.class, names = "CREATE_VOLUME", mode = EnumSource.Mode.EXCLUDE)
    @DisplayName("any operation without create_volume is refused, naming both")
    void withoutCreateVolume(Capability capability) {
        Set<Capability> set = EnumSet.of(capability);
        set.addAll(capability.requires());
        set.remove(Capability.CREATE_VOLUME);
        assertThatThrownBy(() -> descriptor().capability(set.toArray(new Capability[0])).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'create_volume'")
                .hasMessageContaining("declares capability '");
    }

    @Test
    @DisplayName("the canonical constructor applies the same rule as the builder")
    void constructorChecksToo() {
        assertThatThrownBy(() -> new DriverDescriptor("rules", "Example", "1.0", StorageProtocol.ISCSI,
                java.util.List.of(), Set.of(Capability.SNAPSHOT), SpiVersion.CURRENT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Driver 'rules' declares capability 'snapshot' without 'create_volume',"
                        + " which 'snapshot' requires");
    }
}
