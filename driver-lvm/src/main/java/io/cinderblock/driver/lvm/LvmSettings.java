package io.cinderblock.driver.lvm;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A backend's parsed and checked configuration; see {@link LvmOptions} for the option names.
 *
 * @param backendName the backend's {@code volume_backend_name}, also its one pool's name
 * @param ssh how to reach the host
 * @param volumeGroup the VG
 * @param thin thin LVs in {@link #thinPool()} instead of thick LVs
 * @param reservedPercentage {@code reserved_percentage}
 * @param maxOverSubscriptionRatio {@code max_over_subscription_ratio}
 * @param commandTimeout deadline of each remote command
 * @param lvmConfig text for LVM's {@code --config}, if any
 * @param deviceDir where LV device nodes appear
 * @param tgtExport export volumes with tgtadm
 * @param targetPortal {@code host:port} of the iSCSI portal
 * @param targetPrefix prefix of target IQNs
 * @param tgtControlPort tgtadm's {@code --control-port}, if not the default
 */
record LvmSettings(
        String backendName,
        SshSettings ssh,
        String volumeGroup,
        boolean thin,
        int reservedPercentage,
        double maxOverSubscriptionRatio,
        Duration commandTimeout,
        Optional<String> lvmConfig,
        String deviceDir,
        boolean tgtExport,
        String targetPortal,
        String targetPrefix,
        OptionalInt tgtControlPort) {

    LvmSettings {
        requireNonNull(backendName, "backendName is null");
        requireNonNull(ssh, "ssh is null");
        requireNonNull(volumeGroup, "volumeGroup is null");
        requireNonNull(commandTimeout, "commandTimeout is null");
        requireNonNull(lvmConfig, "lvmConfig is null");
        requireNonNull(deviceDir, "deviceDir is null");
        requireNonNull(targetPortal, "targetPortal is null");
        requireNonNull(targetPrefix, "targetPrefix is null");
        requireNonNull(tgtControlPort, "tgtControlPort is null");
    }

    /** The thin pool's name, Cinder's convention: {@code <volume_group>-pool}. */
    String thinPool() {
        return volumeGroup + "-pool";
    }

    /** Cinder's {@code lvm_type} value. */
    String lvmType() {
        return thin ? "thin" : "default";
    }
}
