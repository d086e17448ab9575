package io.cinderblock.driver.lvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cinderblock.sdk.error.CinderblockException;
import io.cinderblock.sdk.error.ErrorCode;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("Volume and target names")
class LvmNamesTest {

    @ParameterizedTest
    @ValueSource(strings = {"volume-3f1c2a9e-0b7d-4c55-9a43-8f0e2d1c6b7a", "vol_1", "a", "A.b+c-d"})
    @DisplayName("accept what Cinder and LVM use")
    void accepted(String name) {
        assertThat(LvmNames.logicalVolume(name, "volume name")).isEqualTo(name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-rf", "--help", ".", "..", ".hidden", "+x", "a b", "a;b", "a'b", "a\"b", "$(id)",
            "`id`", "a\nb", "a/b", "../etc", "a|b", "a&b", "a>b", "vol\u00e9"})
    @DisplayName("refuse anything that could be read as an option, a path or shell syntax")
    void refused(String name) {
        assertThatThrownBy(() -> LvmNames.logicalVolume(name, "volume name"))
                .isInstanceOfSatisfying(CinderblockException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
                .hasMessageStartingWith("Invalid volume name")
                .hasMessageContaining("nothing was run")
                .hasMessageNotContaining("\n");
    }

    @Test
    @DisplayName("cap the length below LVM's 127 characters, leaving room for the thin pool suffix")
    void length() {
        assertThat(LvmNames.logicalVolume("v".repeat(120), "volume name")).hasSize(120);
        assertThatThrownBy(() -> LvmNames.logicalVolume("v".repeat(121), "volume name"))
                .isInstanceOf(CinderblockException.class);
    }

    @Test
    @DisplayName("check initiator names as iSCSI qualified names")
    void initiators() {
        assertThat(LvmNames.iqn("iqn.1994-05.com.redhat:abc123", "initiator name")).isNotNull();
        assertThatThrownBy(() -> LvmNames.iqn("iqn.x'; reboot", "initiator name"))
                .hasMessageStartingWith("Invalid initiator name");
        assertThatThrownBy(() -> LvmNames.iqn("ALL", "initiator name")).isInstanceOf(CinderblockException.class);
    }
}
