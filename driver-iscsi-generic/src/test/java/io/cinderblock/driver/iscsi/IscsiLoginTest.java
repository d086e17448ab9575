package io.cinderblock.driver.iscsi;

import static org.assertj.core.api.Assertions.assertThat;

import io.cinderblock.sdk.spi.ConnectionInfo;
import io.cinderblock.sdk.spi.Connector;
import io.cinderblock.sdk.spi.Volume;
import io.cinderblock.sdk.spi.VolumeDriver;
import io.cinderblock.sdk.spi.VolumeSpec;
import io.cinderblock.sdk.testing.RecordingLogger;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves the connection info usable: the simulated array describes a target that a real {@code
 * tgtd} serves on a loopback port, and libiscsi's {@code iscsi-ls} and {@code
 * iscsi-readcapacity16} log in with exactly the IQN, portal, LUN and CHAP credentials the driver
 * returned.
 */
class IscsiLoginTest {
    private static final long LUN_BYTES = 64L << 20;

    @TempDir
    Path directory;

    @Test
    @DisplayName("the returned target_iqn/target_portal/target_lun/CHAP log in to a real tgtd target")
    void loginWithReturnedConnectionInfo() throws Exception {
        String iscsiLs = TgtdTarget.Tools.require("iscsi-ls", "libiscsi-bin");
        String readCapacity = TgtdTarget.Tools.require("iscsi-readcapacity16", "libiscsi-bin");
        String suffix = random();
        String targetIqn = "iqn.2026-11.io.cinderblock:tgt-" + suffix;
        String initiatorIqn = "iqn.2026-11.org.example:compute-" + suffix;
        String chapUser = "chap" + suffix;
        String chapSecret = "s" + random() + random();

        try (SwordfishArrayFixture array = SwordfishArrayFixture.http();
                TgtdTarget target = TgtdTarget.start(directory, targetIqn, LUN_BYTES, initiatorIqn, chapUser,
                        chapSecret)) {
            array.array().setTarget(targetIqn, "127.0.0.1", target.port());
            array.array().enableChap(chapUser, chapSecret);
            ConnectionInfo info;
            try (VolumeDriver driver = array.openDriver(Map.of(), new RecordingLogger("iscsi-test").context())) {
                Volume volume = driver.createVolume(VolumeSpec.of("v-tgt", 1).inPool("GOLD"));
                info = driver.initializeConnection(volume, Connector.iscsi("compute-" + suffix, initiatorIqn));
            }
            String portal = (String) info.data().get("target_portal");
            String credentials = info.data().get("auth_username") + "%" + info.data().get("auth_password") + "@";
            assertThat(info.data()).containsEntry("target_iqn", targetIqn).containsEntry("auth_method", "CHAP");

            TgtdTarget.Tools.Result listing = TgtdTarget.Tools.run(List.of(iscsiLs, "-s", "-i", initiatorIqn,
                    "iscsi://" + credentials + portal));
            assertThat(listing.exitCode()).as(listing.output()).isZero();
            assertThat(listing.output()).contains("Target:" + info.data().get("target_iqn"))
                    .contains("Lun:" + info.data().get("target_lun"));

            String lunUrl = "iscsi://" + credentials + portal + "/" + info.data().get("target_iqn") + "/"
                    + info.data().get("target_lun");
            TgtdTarget.Tools.Result capacity = TgtdTarget.Tools.run(List.of(readCapacity, "-s", "-i", initiatorIqn,
                    lunUrl));
            assertThat(capacity.exitCode()).as(capacity.output()).isZero();
            assertThat(capacity.output().strip()).isEqualTo(String.valueOf(target.sizeBytes()));

            // Without the CHAP secret the same target refuses the login: the credentials were needed.
            TgtdTarget.Tools.Result refused = TgtdTarget.Tools.run(List.of(readCapacity, "-s", "-i", initiatorIqn,
                    "iscsi://" + portal + "/" + targetIqn + "/1"));
            assertThat(refused.exitCode()).isNotZero();
        }
    }

    private static String random() {
        byte[] bytes = new byte[4];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
