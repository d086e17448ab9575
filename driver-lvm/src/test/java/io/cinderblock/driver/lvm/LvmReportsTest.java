package io.cinderblock.driver.lvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cinderblock.driver.lvm.LvmReports.LogicalVolume;
import io.cinderblock.driver.lvm.LvmReports.VolumeGroup;
import io.cinderblock.sdk.error.CinderblockException;
import io.cinderblock.sdk.error.ErrorCode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Parsing LVM's JSON reports. {@code recorded/} holds output captured from lvm2 2.03.16 on this
 * project's CI machine kind (activation off); {@code simulated/} holds hand-written thin-pool output
 * in the same layout, because a thin pool cannot be created without device-mapper.
 */
@DisplayName("LVM JSON reports")
class LvmReportsTest {

    static String resource(String name) {
        try (InputStream in = LvmReportsTest.class.getResourceAsStream("/" + name)) {
            if (in == null) {
                throw new IllegalStateException("No test resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    @DisplayName("read a whole VG from recorded lvm2 2.03.16 output, numbers sent as strings")
    void recordedVolumeGroup() {
        List<VolumeGroup> vgs = LvmReports.volumeGroups(resource("recorded/vgs-thick.json"));
        assertThat(vgs).containsExactly(new VolumeGroup("cinder-volumes", "wz--n-", 8581545984L, 4286578688L, 2, 2, 0));
        assertThat(vgs.get(0).partial()).isFalse();
    }

    @Test
    @DisplayName("see a partial VG in recorded output: 'p' in vg_attr and a missing PV count")
    void recordedPartial() {
        VolumeGroup vg = LvmReports.volumeGroups(resource("recorded/vgs-partial.json")).get(0);
        assertThat(vg.attr()).isEqualTo("wz-pn-");
        assertThat(vg.missingPvCount()).isEqualTo(1);
        assertThat(vg.partial()).isTrue();
    }

    @Test
    @DisplayName("read thick LVs from recorded output")
    void recordedVolumes() {
        List<LogicalVolume> lvs = LvmReports.logicalVolumes(resource("recorded/lvs-thick.json"));
        assertThat(lvs).extracting(LogicalVolume::name).containsExactly("volume-0001", "volume-0002");
        assertThat(lvs).extracting(LogicalVolume::sizeBytes).containsExactly(1073741824L, 3221225472L);
        assertThat(lvs).allSatisfy(lv -> {
            assertThat(lv.isThinPool()).isFalse();
            assertThat(lv.dataPercent()).isEmpty();
        });
    }

    @Test
    @DisplayName("read a thin pool and its data percentage from simulated output")
    void simulatedThin() {
        List<LogicalVolume> lvs = LvmReports.logicalVolumes(resource("simulated/lvs-thin.json"));
        LogicalVolume pool = lvs.stream().filter(LogicalVolume::isThinPool).findFirst().orElseThrow();
        assertThat(pool.name()).isEqualTo("cinder-volumes-pool");
        assertThat(pool.dataPercent()).hasValue(12.5);
        assertThat(lvs).filteredOn(lv -> lv.poolLv().equals("cinder-volumes-pool")).hasSize(2);
    }

    @Test
    @DisplayName("accept numbers sent as JSON numbers, as json_std does in newer lvm2")
    void numbers() {
        String json = "{\"report\":[{\"vg\":[{\"vg_name\":\"vg\",\"vg_attr\":\"wz--n-\",\"vg_size\":8581545984,"
                + "\"vg_free\":0,\"lv_count\":1,\"pv_count\":1,\"vg_missing_pv_count\":0}]}]}";
        assertThat(LvmReports.volumeGroups(json).get(0).sizeBytes()).isEqualTo(8581545984L);
    }

    @Test
    @DisplayName("an empty report is an empty list")
    void empty() {
        assertThat(LvmReports.volumeGroups("{\"report\":[{\"vg\":[]}]}")).isEmpty();
    }

    @Test
    @DisplayName("refuse output that is not the report asked for, with a clear error")
    void malformed() {
        for (String bad : List.of("", "not json", "{\"report\": 3}", "{\"report\":[{\"vg\":[{\"vg_name\":\"x\"}]}]}",
                "{\"report\":[{\"vg\":[{\"vg_name\":\"x\",\"vg_attr\":\"wz--n-\",\"vg_size\":\"1.5g\",\"vg_free\":\"0\","
                        + "\"lv_count\":\"0\",\"pv_count\":\"1\",\"vg_missing_pv_count\":\"0\"}]}]}")) {
            assertThatThrownBy(() -> LvmReports.volumeGroups(bad))
                    .isInstanceOfSatisfying(CinderblockException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.OPERATION_FAILED))
                    .hasMessageStartingWith("Unexpected LVM report from the host");
        }
    }
}
