package io.cinderblock.driver.lvm;

import static io.cinderblock.driver.lvm.HostCommands.check;
import static io.cinderblock.driver.lvm.HostCommands.run;
import static io.cinderblock.driver.lvm.HostCommands.tool;

import io.cinderblock.sdk.testing.LocalPorts;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

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
    private Process sshd;
    private Process tgtd;
    private int tgtPortalPort;
    private int tgtControlPort;
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
            host.setUpSsh();
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
        config.put(LvmOptions.SAN_PRIVATE_KEY, dir.resolve("id_user").toString());
        config.put(LvmOptions.SSH_HOSTS_KEY_FILE, dir.resolve("known_hosts").toString());
        config.put(LvmOptions.SSH_CONN_TIMEOUT, "5s");
        config.put(LvmOptions.SSH_READ_TIMEOUT, "5s");
        config.put(LvmOptions.SSH_COMMAND_TIMEOUT, "10s");
        config.put(LvmOptions.VOLUME_GROUP, vgName);
        config.put(LvmOptions.LVM_CONFIG_OVERRIDE, LVM_CONFIG);
        if (tgtd != null) {
            config.put(LvmOptions.TARGET_HELPER, "tgtadm");
            config.put(LvmOptions.TARGET_IP_ADDRESS, "127.0.0.1");
            config.put(LvmOptions.TARGET_PORT, String.valueOf(tgtPortalPort));
            config.put(LvmOptions.TGTADM_CONTROL_PORT, String.valueOf(tgtControlPort));
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
        return dir.resolve("id_stranger");
    }

    /** A known-hosts file that knows another host, not this one. */
    Path strangerKnownHosts() {
        return dir.resolve("known_hosts_stranger");
    }

    /** The total size of the VG's PVs, before LVM metadata. */
    long physicalBytes() {
        return PV_BYTES * images.size();
    }

    // ------------------------------------------------------------------ faults and heals

    /** Stops sshd and every connection it serves: the host is unreachable. */
    void stopSsh() {
        if (sshd != null) {
            destroyTree(sshd);
            sshd = null;
        }
    }

    /** Starts sshd again with its original host key; idempotent. */
    void startSsh() {
        if (sshd == null) {
            startSsh(dir.resolve("host_key"));
        }
    }

    /** Puts sshd back on its original host key; idempotent. */
    void restoreHostKey() {
        stopSsh();
        startSsh();
    }

    /** Restarts sshd with a different host key: the one in the known-hosts file no longer matches. */
    void changeHostKey() {
        stopSsh();
        startSsh(dir.resolve("host_key_other"));
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
        lockHolders.forEach(LvmTestHost::destroyTree);
        lockHolders.clear();
    }

    // ------------------------------------------------------------------ tgtd

    /** Starts a private tgtd on free loopback ports; {@link #driverConfig()} then exports with it. */
    void startTgtd() {
        tool("tgtd", "tgt");
        tool("tgtadm", "tgt");
        tgtPortalPort = LocalPorts.freeTcpPort();
        // tgtadm's control port names a Unix socket (/var/run/tgtd/socket.N), not a TCP port; tgtd
        // accepts numbers up to 32767, and the default instance uses 0.
        tgtControlPort = 10000 + (int) (Math.random() * 20000);
        try {
            tgtd = new ProcessBuilder(tool("tgtd", "tgt"), "-f", "--control-port", String.valueOf(tgtControlPort),
                    "--iscsi", "portal=127.0.0.1:" + tgtPortalPort)
                    .redirectErrorStream(true).redirectOutput(dir.resolve("tgtd.log").toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        waitForPort(tgtd, tgtPortalPort, "tgtd", dir.resolve("tgtd.log"));
        for (int i = 0; i < 50; i++) {
            if (run("tgtadm", "--control-port", String.valueOf(tgtControlPort), "--lld", "iscsi", "--mode", "target",
                    "--op", "show").exitStatus() == 0) {
                return;
            }
            sleep(100);
        }
        throw new IllegalStateException("tgtd did not answer on control port " + tgtControlPort + ": "
                + readQuietly(dir.resolve("tgtd.log")));
    }

    /** The portal tgtd listens on. */
    String tgtPortal() {
        return "127.0.0.1:" + tgtPortalPort;
    }

    /** {@code tgtadm --op show --mode target} of the private tgtd. */
    String tgtTargets() {
        return check("tgtadm", "--control-port", String.valueOf(tgtControlPort), "--lld", "iscsi", "--mode", "target",
                "--op", "show");
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

    private void stopTgtd() {
        if (tgtd == null) {
            return;
        }
        // tgtd ignores SIGTERM while targets exist; it is ours, so end it by PID.
        destroyTree(tgtd);
        tgtd = null;
        for (String name : List.of("socket." + tgtControlPort, "socket." + tgtControlPort + ".lock")) {
            deleteQuietly(Path.of("/var/run/tgtd", name));
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

    private void setUpSsh() {
        keygen("host_key");
        keygen("host_key_other");
        keygen("id_user");
        keygen("id_stranger");
        try {
            Files.copy(dir.resolve("id_user.pub"), dir.resolve("authorized_keys"));
            String hostKey = Files.readString(dir.resolve("host_key.pub")).strip();
            String otherKey = Files.readString(dir.resolve("host_key_other.pub")).strip();
            Files.writeString(dir.resolve("known_hosts"), knownHostsLine(hostKey) + "\n");
            // Knows the port, but with another key type's entry absent: the host key is simply unknown.
            Files.writeString(dir.resolve("known_hosts_stranger"), "[127.0.0.2]:" + sshPort + " "
                    + keyTypeAndBlob(otherKey) + "\n");
            Files.writeString(dir.resolve("sshd_config"), String.join("\n",
                    "Port " + sshPort,
                    "ListenAddress 127.0.0.1",
                    "AuthorizedKeysFile " + dir.resolve("authorized_keys"),
                    "PermitRootLogin prohibit-password",
                    "PubkeyAuthentication yes",
                    "PasswordAuthentication no",
                    "KbdInteractiveAuthentication no",
                    "StrictModes no",
                    "UsePAM no",
                    "PidFile none",
                    "MaxStartups 100",
                    "LogLevel ERROR",
                    // A clean HOME: the login user's own ~/.bashrc, which bash sources for every SSH
                    // command, may be slow (pyenv, ...) or print text that would pollute the output.
                    "SetEnv HOME=" + dir.resolve("home"),
                    ""));
            Files.createDirectories(dir.resolve("home"));
            // sshd refuses to start without its privilege-separation directory.
            Files.createDirectories(Path.of("/run/sshd"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        startSsh(dir.resolve("host_key"));
    }

    private String knownHostsLine(String publicKey) {
        return "[127.0.0.1]:" + sshPort + " " + keyTypeAndBlob(publicKey);
    }

    private static String keyTypeAndBlob(String publicKey) {
        String[] parts = publicKey.split("\\s+");
        return parts[0] + " " + parts[1];
    }

    private void keygen(String name) {
        check("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "cinderblock-test", "-f", dir.resolve(name).toString());
    }

    private void startSsh(Path hostKey) {
        try {
            sshd = new ProcessBuilder(tool("sshd", "openssh-server"), "-D", "-e", "-f", dir.resolve("sshd_config").toString(),
                    "-h", hostKey.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("sshd.log").toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        waitForPort(sshd, sshPort, "sshd", dir.resolve("sshd.log"));
    }

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
        stopTgtd();
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

    // ------------------------------------------------------------------ helpers

    private static void waitForPort(Process process, int port, String what, Path log) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline && process.isAlive()) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
                if (what.equals("sshd")) {
                    // Wait for the banner so the test never races sshd's start-up.
                    socket.setSoTimeout(2000);
                    InputStream in = socket.getInputStream();
                    byte[] banner = new byte[4];
                    if (in.readNBytes(banner, 0, 4) == 4 && new String(banner, StandardCharsets.US_ASCII).equals("SSH-")) {
                        return;
                    }
                } else {
                    return;
                }
            } catch (IOException e) {
                sleep(50);
            }
        }
        throw new IllegalStateException(what + " did not listen on 127.0.0.1:" + port + ": " + readQuietly(log));
    }

    private static void destroyTree(Process process) {
        List<ProcessHandle> family = new ArrayList<>(process.descendants().toList());
        family.add(process.toHandle());
        family.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle handle : family) {
            try {
                handle.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                System.err.println("cleanup: process " + handle.pid() + " did not exit: " + e);
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String readQuietly(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "(no log)";
        } catch (IOException e) {
            return "(unreadable log: " + e.getMessage() + ")";
        }
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            System.err.println("cleanup: " + e.getMessage());
        }
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(LvmTestHost::deleteQuietly);
        } catch (IOException e) {
            System.err.println("cleanup: " + e.getMessage());
        }
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "LvmTestHost[sshd 127.0.0.1:%d, vg %s, loops %s]", sshPort, vgName, loops);
    }
}
