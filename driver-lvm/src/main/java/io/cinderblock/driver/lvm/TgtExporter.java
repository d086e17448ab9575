package io.cinderblock.driver.lvm;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.error.CinderblockException;
import io.cinderblock.sdk.error.ErrorCode;
import io.cinderblock.sdk.spi.ConnectionInfo;
import io.cinderblock.sdk.spi.Connector;
import io.cinderblock.sdk.spi.Volume;
import java.lang.System.Logger.Level;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Exports LVs as iSCSI targets with tgt's {@code tgtadm}: one target per volume, the LV as LUN 1
 * (LUN 0 is tgt's controller), an initiator ACL, and a CHAP account of its own.
 *
 * <p>Targets are created directly in the running {@code tgtd}, not in its configuration files, so
 * they do not survive a {@code tgtd} restart; hosts re-export by calling {@code
 * initializeConnection} again. The CHAP password is generated on each export and is not stored
 * on the host (tgt cannot read it back), so exporting a volume again replaces the account: a new
 * password for new logins, while sessions already logged in continue.
 */
final class TgtExporter {
    /** tgt numbers the controller LUN 0; the volume is the first disk LUN. */
    static final int LUN = 1;
    private static final Pattern TARGET_LINE = Pattern.compile("^Target (\\d+): (\\S+)$", Pattern.MULTILINE);
    private static final String PASSWORD_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    private static final int PASSWORD_LENGTH = 16;

    private final LvmSettings settings;
    private final RemoteExecutor executor;
    private final System.Logger log;
    private final SecureRandom random = new SecureRandom();
    private final Object exportLock = new Object();

    TgtExporter(LvmSettings settings, RemoteExecutor executor, System.Logger log) {
        this.settings = requireNonNull(settings, "settings is null");
        this.executor = requireNonNull(executor, "executor is null");
        this.log = requireNonNull(log, "log is null");
    }

    /** The target IQN of a volume: {@code target_prefix} followed by the volume name. */
    String targetIqn(Volume volume) {
        return LvmNames.iqn(settings.targetPrefix() + volume.name(), "target name");
    }

    /** The CHAP user of a volume; tgt accounts are global, so it must be unique per volume. */
    static String chapUser(Volume volume) {
        return "chap-" + volume.id();
    }

    /** Exports {@code volume} to the connector's initiator (or to any initiator when it has none). */
    ConnectionInfo export(Volume volume, Connector connector) {
        String lv = LvmNames.logicalVolume(volume.name(), "volume name");
        String iqn = targetIqn(volume);
        String initiator = connector.initiator().map(i -> LvmNames.iqn(i, "initiator name")).orElse(null);
        String user = chapUser(volume);
        String devicePath = settings.deviceDir().replaceAll("/+$", "") + "/" + settings.volumeGroup() + "/" + lv;
        synchronized (exportLock) {
            Map<String, Integer> targets = targets();
            Integer tid = targets.get(iqn);
            if (tid == null) {
                tid = targets.values().stream().mapToInt(Integer::intValue).max().orElse(0) + 1;
                tgtadm("create the target for volume '" + lv + "'", tgt("target", "new").arg("--tid",
                        String.valueOf(tid), "--targetname", iqn));
                try {
                    tgtadm("add '" + devicePath + "' as LUN " + LUN + " (is the LV active and does the device exist?)",
                            tgt("logicalunit", "new").arg("--tid", String.valueOf(tid), "--lun", String.valueOf(LUN),
                                    "--backing-store", devicePath));
                } catch (CinderblockException e) {
                    deleteTarget(tid);
                    throw e;
                }
                log.log(Level.INFO, "Created iSCSI target {0} (tid {1}) for {2}", iqn, tid, devicePath);
            }
            bindInitiator(tid, initiator);
            String password = newPassword();
            deleteAccount(user);
            tgtadm("create the CHAP account for volume '" + lv + "'",
                    tgt("account", "new").arg("--user", user, "--password").secretArg(password));
            tgtadm("bind the CHAP account to target " + iqn,
                    tgt("account", "bind").arg("--tid", String.valueOf(tid), "--user", user));
            return ConnectionInfo.iscsi(iqn, settings.targetPortal(), LUN)
                    .chap(user, password)
                    .volumeId(volume.id())
                    .accessMode("rw")
                    .build();
        }
    }

    /** Removes the volume's target and CHAP account; succeeds when they are already gone. */
    void unexport(Volume volume) {
        LvmNames.logicalVolume(volume.name(), "volume name");
        String iqn = targetIqn(volume);
        synchronized (exportLock) {
            Integer tid = targets().get(iqn);
            if (tid != null) {
                deleteTarget(tid);
                log.log(Level.INFO, "Deleted iSCSI target {0} (tid {1})", iqn, tid);
            }
            deleteAccount(chapUser(volume));
        }
    }

    private void bindInitiator(int tid, String initiator) {
        RemoteCommand.Builder bind = tgt("target", "bind").arg("--tid", String.valueOf(tid));
        if (initiator == null) {
            bind.arg("--initiator-address", "ALL");
        } else {
            bind.arg("--initiator-name", initiator);
        }
        CommandResult result = executor.run(bind.build());
        // Exporting twice to the same initiator finds the rule in place: that is success.
        if (!result.succeeded() && !result.stderr().contains("already exists")) {
            throw failed("allow initiator " + (initiator == null ? "ALL" : initiator) + " on target " + tid, result);
        }
    }

    private void deleteTarget(int tid) {
        CommandResult result = executor.run(tgt("target", "delete").arg("--force", "--tid", String.valueOf(tid)).build());
        if (!result.succeeded() && !result.stderr().contains("can't find the target")) {
            throw failed("delete target " + tid, result);
        }
    }

    private void deleteAccount(String user) {
        CommandResult result = executor.run(tgt("account", "delete").arg("--user", user).build());
        if (!result.succeeded() && !result.stderr().contains("can't find the account")) {
            throw failed("delete CHAP account '" + user + "'", result);
        }
    }

    /** The targets tgtd has, by IQN. */
    Map<String, Integer> targets() {
        CommandResult result = executor.run(tgt("target", "show").build());
        if (!result.succeeded()) {
            throw failed("list iSCSI targets (is tgtd running?)", result);
        }
        Map<String, Integer> targets = new LinkedHashMap<>();
        Matcher m = TARGET_LINE.matcher(result.stdout());
        while (m.find()) {
            targets.put(m.group(2), Integer.parseInt(m.group(1)));
        }
        return targets;
    }

    private void tgtadm(String what, RemoteCommand.Builder command) {
        CommandResult result = executor.run(command.build());
        if (!result.succeeded()) {
            throw failed(what, result);
        }
    }

    private RemoteCommand.Builder tgt(String mode, String op) {
        RemoteCommand.Builder builder = RemoteCommand.of("tgtadm");
        OptionalInt controlPort = settings.tgtControlPort();
        if (controlPort.isPresent()) {
            builder.arg("--control-port", String.valueOf(controlPort.getAsInt()));
        }
        return builder.arg("--lld", "iscsi", "--mode", mode, "--op", op);
    }

    private String newPassword() {
        StringBuilder password = new StringBuilder(PASSWORD_LENGTH);
        for (int i = 0; i < PASSWORD_LENGTH; i++) {
            password.append(PASSWORD_ALPHABET.charAt(random.nextInt(PASSWORD_ALPHABET.length())));
        }
        return password.toString();
    }

    private static CinderblockException failed(String what, CommandResult result) {
        return new CinderblockException(ErrorCode.OPERATION_FAILED, "tgtadm could not " + what + ": "
                + result.lastErrorLine() + " (exit status " + result.exitStatus() + ")");
    }
}
