package io.cinderblock.driver.lvm;

import io.cinderblock.tck.DeviceFault;
import io.cinderblock.tck.TckFixture;
import io.cinderblock.tck.VolumeDriverConformanceKit;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The cinderblock conformance kit ({@code conformance-tck}) run on this driver against the real
 * parts of {@link LvmTestHost}: OpenSSH's {@code sshd} on a loopback port, a volume group on two
 * loop devices (activation off: this kernel has no device-mapper), and a private {@code tgtd}.
 *
 * <p>The kit reroutes {@code san_ip}/{@code san_ssh_port} (declared {@code HOST}/{@code PORT} over
 * TCP) through its fault proxy for the refused / reset / stall / slow faults. The device-level
 * faults (FAULT-8) are the host's own: sshd stopped, the VG renamed away, a PV's loop device
 * detached, the VG's LVM lock held by another process.
 *
 * <p>Two settings differ from {@link LvmTestHost#driverConfig()}, both because of the proxy:
 * <ul>
 *   <li>{@code strict_ssh_host_key_policy=false}: the proxy listens on a port of its own, and a
 *       known-hosts entry is for one {@code [host]:port} (OpenSSH's rule, which JSch follows
 *       without wildcards), so strict checking would rightly refuse every proxied connection as
 *       "host key unknown". Host-key checking is covered by {@link LvmDriverRealHostTest}
 *       (unknown and changed keys), which is also why "sshd host key changed" is not offered to
 *       the kit as a device fault here.
 *   <li>the user key is encrypted, so the kit's secret checks (SEC-2) have a secret to look for
 *       ({@code san_private_key_passphrase}), including a wrong one.
 * </ul>
 *
 * <p>LVs have no device node without device-mapper, so before the kit exports a volume its LUN is
 * backed with a sparse file at the path the driver uses ({@code lvm_device_dir}).
 */
class LvmConformanceTest extends VolumeDriverConformanceKit {
    private static final long GIB = 1024L * 1024 * 1024;

    @Override
    protected TckFixture fixture() {
        LvmTestHost host = LvmTestHost.start();
        try {
            host.startTgtd();
            Map<String, String> config = new LinkedHashMap<>(host.driverConfig());
            // Shorter than LvmTestHost's, so that stall and stuck-lock faults, which each run into a
            // timeout, keep the run short: state deadline 3 s + 5 s + 1 s = 9 s.
            config.put(LvmOptions.SSH_CONN_TIMEOUT, "3s");
            config.put(LvmOptions.SSH_READ_TIMEOUT, "3s");
            config.put(LvmOptions.SSH_COMMAND_TIMEOUT, "5s");
            config.remove(LvmOptions.SSH_HOSTS_KEY_FILE);
            config.put(LvmOptions.STRICT_SSH_HOST_KEY_POLICY, "false");
            byte[] random = new byte[12];
            new SecureRandom().nextBytes(random);
            String passphrase = HexFormat.of().formatHex(random);
            config.put(LvmOptions.SAN_PRIVATE_KEY, encryptedUserKey(host, passphrase).toString());
            config.put(LvmOptions.SAN_PRIVATE_KEY_PASSPHRASE, passphrase);

            TckFixture.Builder fixture = TckFixture.forDriver("lvm")
                    .backendName("lvm-conformance")
                    .config(config)
                    // The kit's slow mode holds back every answer of the host by this latency. A new
                    // SSH session plus one command takes about twelve answers (banner, key exchange,
                    // three authentication steps, channel open, exec, output, exit status), so the
                    // kit's default (a fifth of the 9 s deadline, capped at 1 s) would be a link on
                    // which no SSH client connects within the deadline. 400 ms keeps that first probe
                    // near 5 s, inside the 8.5 s probe budget. (With the driver's default timeouts,
                    // 10 s + 30 s, the default 1 s latency passes: measured with 5 s + 10 s too.)
                    .slowLatency(Duration.ofMillis(400))
                    .beforeConnect(volume -> host.backLunWithFile(volume.name(), volume.sizeGib() * GIB))
                    .closeAfterRun(host);
            for (LvmTestHost.Fault fault : host.faults()) {
                if (!fault.name().contains("host key")) {
                    fixture.deviceFault(DeviceFault.of(fault.name(), fault.fail()::run, fault.heal()::run));
                }
            }
            return fixture.build();
        } catch (RuntimeException | Error e) {
            host.close();
            throw e;
        }
    }

    /** A second user key, encrypted with {@code passphrase}, that the host accepts. */
    private static Path encryptedUserKey(LvmTestHost host, String passphrase) {
        Path key = host.directory().resolve("id_user_locked");
        HostCommands.check(HostCommands.tool("ssh-keygen", "openssh-client"), "-q", "-t", "ed25519", "-N", passphrase,
                "-C", "cinderblock-conformance", "-f", key.toString());
        try {
            Files.writeString(host.directory().resolve("authorized_keys"),
                    Files.readString(key.resolveSibling("id_user_locked.pub")), StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return key;
    }
}
