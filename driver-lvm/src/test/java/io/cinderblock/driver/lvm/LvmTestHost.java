package io.cinderblock.driver.lvm;

import static io.cinderblock.driver.lvm.HostCommands.check;
import static io.cinderblock.driver.lvm.HostCommands.run;
import static io.cinderblock.driver.lvm.HostCommands.tool;

import io.cinderblock.sdk.testing.LocalPorts;
import static io.cinderblock.driver.lvm.TestProcesses.deleteQuietly;
import static io.cinderblock.driver.lvm.TestProcesses.deleteTree;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * A real LVM host on this machine, for the driver's tests and for the conformance kit: an OpenSSH
 * {@code sshd} on a free loopback port (generated host and user keys, a known-hosts file), a
 * volume group of its own on loop devices backed by sparse files, and optionally a {@code tgtd}.
 *
 * <p>{@link #start()} builds it and {@link #driverConfig()} says how the driver reaches it; the
 * {@code fault} methods break one part for real (stop sshd, swap its host key, detach a PV, rename
 * the VG, hold the VG's lock) and their counterparts heal it. {@link #close()} removes everything
 * it made: processes (by PID), the VG and its LVM archive and backup files, loop devices, files.
 *
 * <p>The kernel here has no device-mapper, so every LVM command runs with activation off ({@link
 * #LVM_CONFIG}); LVs exist in metadata only and have no device node. Needs root and the Debian
 * packages {@code openssh-server}, {@code lvm2}, {@code tgt}, {@code libiscsi-bin}: a missing tool
 * fails the tests with its package name, it never skips them.
 */
final class LvmTestHost implements AutoCloseable {
    /** LVM without device-mapper: metadata only. */
    static final String LVM_CONFIG = "global {activation=0}";
    /** Each PV's sparse file. */
    static final long PV_BYTES = 4L * 1024 * 1024 * 1024;
    private static final Path LVM_LOCK_DIR = Path.of("/run/lock/lvm");

    private final Path dir;
    private final String vgName;
    private final List<Path> images = new ArrayList<>();
    private final List<String> loops = new ArrayList<>();
    private final int sshPort;
    private final String user = System.getProperty("user.name");
    private TestSshd ssh;
    private TestTgtd tgtd;
    private String currentVgName;
    private final List<Process> lockHolders = new ArrayList<>();

    private LvmTestHost(Path dir, String vgName, int sshPort) {
        this.dir = dir;
        this.vgName = vgName;
        this.currentVgName = vgName;
        this.sshPort = sshPort;
    }

    /** Starts sshd and builds a two-PV volume group; everything is undone if a step fails. */
    static LvmTestHost start() {
        for (String[] t : new String[][] {{"sshd", "openssh-server"}, {"ssh-keygen", "openssh-client"},
                {"vgcreate", "lvm2"}, {"losetup", "mount"}, {"flock", "util-linux"}}) {
            tool(t[0], t[1]);
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new IllegalStateException("The real-LVM tests need root (loop devices, LVM, sshd); run them as root");
        }
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        LvmTestHost host;
        try {
            host = new LvmTestHost(Files.createTempDirectory("cinderblock-lvm-"), "cbtest-" + suffix, LocalPorts.freeTcpPort());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            host.ssh = TestSshd.start(host.dir, host.sshPort);
            host.setUpVolumeGroup();
            return host;
        } catch (RuntimeException e) {
            host.close();
            throw e;
        }
    }

    // ------------------------------------------------------------------ what the driver needs

    /** A driver configuration for this host: strict host keys, activation off, no export. */
    Map<String, String> driverConfig() {
        Map<String, String> config = new LinkedHashMap<>();
        config.put(LvmOptions.SAN_IP, "127.0.0.1");
        config.put(LvmOptions.SAN_SSH_PORT, String.valueOf(sshPort));
        config.put(LvmOptions.SAN_LOGIN, user);
        config.put(LvmOptions.SAN_PRIVATE_KEY, ssh.userKey().toString());
        config.put(LvmOptions.SSH_HOSTS_KEY_FILE, ssh.knownHosts().toString());
        config.put(LvmOptions.SSH_CONN_TIMEOUT, "5s");
        config.put(LvmOptions.SSH_READ_TIMEOUT, "5s");
        config.put(LvmOptions.SSH_COMMAND_TIMEOUT, "10s");
        config.put(LvmOptions.VOLUME_GROUP, vgName);
        config.put(LvmOptions.LVM_CONFIG_OVERRIDE, LVM_CONFIG);
        if (tgtd != null) {
            config.put(LvmOptions.TARGET_HELPER, "tgtadm");
            config.put(LvmOptions.TARGET_IP_ADDRESS, "127.0.0.1");
            config.put(LvmOptions.TARGET_PORT, String.valueOf(tgtd.portalPort()));
            config.put(LvmOptions.TGTADM_CONTROL_PORT, String.valueOf(tgtd.controlPort()));
            config.put(LvmOptions.LVM_DEVICE_DIR, deviceDir().toString());
        } else {
            config.put(LvmOptions.TARGET_HELPER, "none");
        }
        return config;
    }

    /** The volume group's name. */
    String volumeGroup() {
        return vgName;
    }

    /** The temporary directory everything lives in. */
    Path directory() {
        return dir;
    }

    /** A private key the host does not accept. */
    Path unauthorizedKey() {
        return ssh.unauthorizedKey();
    }

    /** A known-hosts file that knows another host, not this one. */
    Path strangerKnownHosts() {
        return ssh.strangerKnownHosts();
    }

    /** The total size of the VG's PVs, before LVM metadata. */
    long physicalBytes() {
        return PV_BYTES * images.size();
    }

    // ------------------------------------------------------------------ faults and heals

    /** Stops sshd and every connection it serves: the host is unreachable. */
    void stopSsh() {
        if (ssh != null) {
            ssh.stop();
        }
    }

    /** Starts sshd again with its original host key; idempotent. */
    void startSsh() {
        ssh.start();
    }

    /** Puts sshd back on its original host key; idempotent. */
    void restoreHostKey() {
        ssh.stop();
        ssh.start();
    }

    /** Restarts sshd with a different host key: the one in the known-hosts file no longer matches. */
    void changeHostKey() {
        ssh.changeHostKey();
    }

    /** Detaches the second PV's loop device: the VG becomes partial. */
    void detachPv() {
        if (loops.size() == images.size()) {
            check("losetup", "-d", loops.remove(1));
        }
    }

    /** Attaches the second PV's file again; idempotent. */
    void reattachPv() {
        if (loops.size() < images.size()) {
            loops.add(1, check("losetup", "-f", "--show", images.get(1).toString()).strip());
        }
    }

    /** Renames the VG away: the driver's VG is missing. */
    void hideVolumeGroup() {
        lvm("vgrename", vgName, vgName + "-away");
        currentVgName = vgName + "-away";
    }

    /** Renames the VG back; idempotent. */
    void restoreVolumeGroup() {
        if (!currentVgName.equals(vgName)) {
            lvm("vgrename", currentVgName, vgName);
            currentVgName = vgName;
        }
    }

    /**
     * A real fault and its heal, for the conformance kit's device faults ({@code
     * DeviceFault.of(f.name(), f.fail()::run, f.heal()::run)}). Heals are idempotent.
     */
    record Fault(String name, Runnable fail, Runnable heal) {}

    /** Every fault this host can make, each with the DOWN reason it should produce in its name. */
    List<Fault> faults() {
        return List.of(
                new Fault("sshd stopped (host unreachable)", this::stopSsh, this::startSsh),
                new Fault("sshd host key changed", this::changeHostKey, this::restoreHostKey),
                new Fault("volume group missing", this::hideVolumeGroup, this::restoreVolumeGroup),
                new Fault("volume group partial (PV detached)", this::detachPv, this::reattachPv),
                new Fault("LVM command stuck on the VG lock (timed out)", this::holdVolumeGroupLock,
                        this::releaseVolumeGroupLock));
    }

    /**
     * Holds the VG's LVM lock from another process, as a stuck LVM command would: every LVM
     * command on the VG waits. Released by {@link #releaseVolumeGroupLock()}.
     */
    void holdVolumeGroupLock() {
        try {
            Process holder = new ProcessBuilder(tool("flock", "util-linux"), "--exclusive",
                    LVM_LOCK_DIR.resolve("V_" + vgName).toString(), "sleep", "300")
                    .redirectErrorStream(true).redirectOutput(dir.resolve("flock.log").toFile()).start();
            lockHolders.add(holder);
            // flock creates the file and takes the lock at once; give it a moment to get there.
            for (int i = 0; i < 50 && !Files.exists(LVM_LOCK_DIR.resolve("V_" + vgName)); i++) {
                Thread.sleep(20);
            }
            Thread.sleep(200);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Ends the lock holder. */
    void releaseVolumeGroupLock() {
        lockHolders.forEach(TestProcesses::destroyTree);
        lockHolders.clear();
    }

    // ------------------------------------------------------------------ tgtd

    /** Starts a private tgtd on free loopback ports; {@link #driverConfig()} then exports with it. */
    void startTgtd() {
        tgtd = TestTgtd.start(dir.resolve("tgtd.log"));
    }

    /** The portal tgtd listens on. */
    String tgtPortal() {
        return "127.0.0.1:" + tgtd.portalPort();
    }

    /** {@code tgtadm --op show --mode target} of the private tgtd. */
    String tgtTargets() {
        return tgtd.targets();
    }

    /** Where the driver is told LV device nodes appear ({@code lvm_device_dir}): a directory of files. */
    Path deviceDir() {
        return dir.resolve("dev");
    }

    /**
     * Creates the file that stands in for an LV's device node, {@code <deviceDir>/<vg>/<lv>},
     * sparse, of the LV's size. Needed because LVs have no device node without device-mapper.
     */
    Path backLunWithFile(String lvName, long bytes) {
        try {
            Path file = deviceDir().resolve(vgName).resolve(lvName);
            Files.createDirectories(file.getParent());
            check("truncate", "-s", String.valueOf(bytes), file.toString());
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ------------------------------------------------------------------ LVM on the host

    /** Runs an LVM command on this VG's host with activation off. */
    String lvm(String command, String... args) {
        List<String> argv = new ArrayList<>(List.of(command, "--config", LVM_CONFIG));
        argv.addAll(List.of(args));
        return check(argv.toArray(String[]::new));
    }

    /** The LV names in the VG, read directly (not through the driver). */
    List<String> logicalVolumes() {
        String out = lvm("lvs", "--noheadings", "-o", "lv_name", currentVgName);
        return out.lines().map(String::strip).filter(s -> !s.isEmpty() && !s.startsWith("WARNING")).toList();
    }

    /** An LV's size in bytes, read directly. */
    long logicalVolumeBytes(String lv) {
        String out = lvm("lvs", "--noheadings", "--units", "b", "--nosuffix", "-o", "lv_size", vgName + "/" + lv);
        return out.lines().map(String::strip).filter(s -> s.matches("\\d+")).mapToLong(Long::parseLong).findFirst()
                .orElseThrow(() -> new IllegalStateException("No size for " + lv + ": " + out));
    }

    // ------------------------------------------------------------------ set-up

    private void setUpVolumeGroup() {
        try {
            for (int i = 0; i < 2; i++) {
                Path image = dir.resolve("pv" + i + ".img");
                check("truncate", "-s", String.valueOf(PV_BYTES), image.toString());
                images.add(image);
                loops.add(check("losetup", "-f", "--show", image.toString()).strip());
            }
        } catch (RuntimeException e) {
            throw new IllegalStateException("Cannot attach loop devices (is this a container without /dev/loop*?): "
                    + e.getMessage(), e);
        }
        List<String> args = new ArrayList<>(List.of("--yes", vgName));
        args.addAll(loops);
        lvm("vgcreate", args.toArray(String[]::new));
    }

    // ------------------------------------------------------------------ clean-up

    @Override
    public void close() {
        releaseVolumeGroupLock();
        if (tgtd != null) {
            tgtd.stop();
        }
        stopSsh();
        try {
            reattachPv();
        } catch (RuntimeException e) {
            System.err.println("cleanup: cannot reattach PV: " + e.getMessage());
        }
        if (!currentVgName.equals(vgName)) {
            run("vgrename", "--config", LVM_CONFIG, currentVgName, vgName);
        }
        HostCommands.Result removed = run("vgremove", "--config", LVM_CONFIG, "--force", "--yes", vgName);
        if (removed.exitStatus() != 0 && !images.isEmpty()) {
            System.err.println("cleanup: vgremove " + vgName + ": " + removed.output());
        }
        for (String loop : loops) {
            run("pvremove", "--config", LVM_CONFIG, "--force", "--yes", loop);
            run("losetup", "-d", loop);
        }
        loops.clear();
        deleteLvmMetadataCopies();
        deleteQuietly(LVM_LOCK_DIR.resolve("V_" + vgName));
        deleteQuietly(LVM_LOCK_DIR.resolve("V_" + vgName + "-away"));
        deleteTree(dir);
    }

    /** LVM keeps archive and backup copies of every VG's metadata; remove those of our VGs only. */
    private void deleteLvmMetadataCopies() {
        for (String name : List.of(vgName, vgName + "-away")) {
            deleteQuietly(Path.of("/etc/lvm/backup", name));
            Path archive = Path.of("/etc/lvm/archive");
            if (Files.isDirectory(archive)) {
                try (DirectoryStream<Path> files = Files.newDirectoryStream(archive, name + "_*.vg")) {
                    for (Path file : files) {
                        deleteQuietly(file);
                    }
                } catch (IOException e) {
                    System.err.println("cleanup: " + e.getMessage());
                }
            }
        }
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "LvmTestHost[sshd 127.0.0.1:%d, vg %s, loops %s]", sshPort, vgName, loops);
    }
}
