package io.cinderblock.driver.lvm;

import static java.util.Objects.requireNonNull;

import io.cinderblock.driver.lvm.LvmReports.LogicalVolume;
import io.cinderblock.driver.lvm.LvmReports.VolumeGroup;
import io.cinderblock.sdk.error.CinderblockException;
import io.cinderblock.sdk.error.ErrorCode;
import io.cinderblock.sdk.error.NotSupportedException;
import io.cinderblock.sdk.spi.BackendState;
import io.cinderblock.sdk.spi.BackendStats;
import io.cinderblock.sdk.spi.Capability;
import io.cinderblock.sdk.spi.Capacity;
import io.cinderblock.sdk.spi.ConnectionInfo;
import io.cinderblock.sdk.spi.Connector;
import io.cinderblock.sdk.spi.DriverContext;
import io.cinderblock.sdk.spi.DriverDescriptor;
import io.cinderblock.sdk.spi.PoolStats;
import io.cinderblock.sdk.spi.Volume;
import io.cinderblock.sdk.spi.VolumeDriver;
import io.cinderblock.sdk.spi.VolumeSpec;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One LVM volume group on a Linux host, managed over SSH: Cinder's LVM driver, remote.
 *
 * <p>Every LVM command names the volume group explicitly and carries {@code --config} when the
 * operator set {@code lvm_config_override}. Provisioning operations are serialized within this
 * driver so that the free-space check and the {@code lvcreate} that relies on it see the same VG;
 * {@link #backendState()} never waits for them.
 */
final class LvmDriver implements VolumeDriver {
    private static final double BYTES_PER_GIB = 1024d * 1024d * 1024d;
    /** Slack for the state probe beyond its SSH deadlines: thread hand-off and parsing. */
    private static final Duration PROBE_MARGIN = Duration.ofMillis(500);

    private final DriverDescriptor descriptor;
    private final LvmSettings settings;
    private final DriverContext context;
    private final CommandRunner runner;
    private final RemoteExecutor executor;
    private final TgtExporter exporter;
    private final ReentrantLock provisioning = new ReentrantLock();
    private final ExecutorService probes = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "lvm-state-probe");
        thread.setDaemon(true);
        return thread;
    });

    LvmDriver(DriverDescriptor descriptor, LvmSettings settings, CommandRunner runner, DriverContext context) {
        this.descriptor = requireNonNull(descriptor, "descriptor is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.runner = requireNonNull(runner, "runner is null");
        this.context = requireNonNull(context, "context is null");
        this.executor = new RemoteExecutor(runner, settings.commandTimeout(), context.logger());
        this.exporter = new TgtExporter(settings, executor, context.logger());
    }

    @Override
    public DriverDescriptor descriptor() {
        return descriptor;
    }

    /** Without a target helper this backend cannot export volumes, so it does not offer connections. */
    @Override
    public Set<Capability> capabilities() {
        Set<Capability> offered = EnumSet.copyOf(descriptor.capabilities());
        if (!settings.tgtExport()) {
            offered.remove(Capability.CONNECTION);
        }
        return offered;
    }

    // ---------------------------------------------------------------- state and stats

    /** Connect, plus one {@code vgs}, plus slack: the most {@link #backendState()} takes. */
    @Override
    public Duration stateDeadline() {
        return probeBudget().plus(PROBE_MARGIN).plus(PROBE_MARGIN);
    }

    private Duration probeBudget() {
        return settings.ssh().connectTimeout().plus(settings.commandTimeout());
    }

    @Override
    public BackendState backendState() {
        // The probe runs on its own thread so that a hung SSH layer (or a lock held by a slow
        // provisioning command) can never hold the caller past the deadline.
        Future<BackendState> probe;
        try {
            probe = probes.submit(this::probe);
        } catch (RuntimeException e) {
            return BackendState.down("The LVM driver for backend '" + settings.backendName() + "' is closed",
                    context.clock());
        }
        try {
            return probe.get(probeBudget().plus(PROBE_MARGIN).toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            probe.cancel(true);
            return BackendState.down("State probe of " + settings.ssh().address() + " did not finish within "
                    + probeBudget().plus(PROBE_MARGIN).toMillis() + " ms", context.clock());
        } catch (ExecutionException e) {
            return BackendState.down("State probe of " + settings.ssh().address() + " failed: " + e.getCause(),
                    context.clock());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return BackendState.down("State probe interrupted", context.clock());
        }
    }

    private BackendState probe() {
        try {
            Optional<VolumeGroup> vg = readVolumeGroup();
            if (vg.isEmpty()) {
                return BackendState.down(vgMissingReason(), context.clock());
            }
            if (vg.get().partial()) {
                return BackendState.down(vgPartialReason(vg.get()), context.clock());
            }
            return BackendState.up("Volume group '" + settings.volumeGroup() + "' on " + settings.ssh().host()
                    + " is present and whole", context.clock());
        } catch (CinderblockException e) {
            return BackendState.down(e.getMessage(), context.clock());
        } catch (RuntimeException e) {
            return BackendState.down("State probe of " + settings.ssh().address() + " failed: " + e, context.clock());
        }
    }

    @Override
    public BackendStats collectStats() {
        Optional<VolumeGroup> found = readVolumeGroup();
        PoolStats.Builder pool = PoolStats.builder(settings.backendName())
                .reservedPercentage(settings.reservedPercentage())
                .thinProvisioningSupport(settings.thin())
                .thickProvisioningSupport(!settings.thin())
                .multiattach(false)
                .qosSupport(false)
                .locationInfo(locationInfo());
        if (settings.thin()) {
            // Thick LVs cannot over-subscribe: a thick pool reports no ratio (Cinder then uses 1).
            pool.maxOverSubscriptionRatio(settings.maxOverSubscriptionRatio());
        }
        BackendState.Status state = BackendState.Status.UP;
        if (found.isEmpty()) {
            state = BackendState.Status.DOWN;
        } else {
            VolumeGroup vg = found.get();
            List<LogicalVolume> lvs = readLogicalVolumes();
            if (vg.partial()) {
                state = BackendState.Status.DOWN;
            }
            if (settings.thin()) {
                Optional<LogicalVolume> thinPool = thinPool(lvs);
                if (thinPool.isEmpty()) {
                    state = BackendState.Status.DOWN;
                } else {
                    long poolBytes = thinPool.get().sizeBytes();
                    double used = thinPool.get().dataPercent().orElse(0) / 100d;
                    pool.totalCapacity(Capacity.ofBytes(poolBytes))
                            .freeCapacity(Capacity.ofGib(Math.max(0, poolBytes * (1 - used)) / BYTES_PER_GIB));
                }
                List<LogicalVolume> volumes = lvs.stream().filter(lv -> lv.poolLv().equals(settings.thinPool())).toList();
                pool.provisionedCapacityGib(volumes.stream().mapToLong(LogicalVolume::sizeBytes).sum() / BYTES_PER_GIB)
                        .totalVolumes(volumes.size());
            } else {
                List<LogicalVolume> volumes = lvs.stream().filter(lv -> !lv.isThinPool()).toList();
                pool.totalCapacity(Capacity.ofBytes(vg.sizeBytes()))
                        .freeCapacity(Capacity.ofBytes(vg.freeBytes()))
                        .provisionedCapacityGib(volumes.stream().mapToLong(LogicalVolume::sizeBytes).sum() / BYTES_PER_GIB)
                        .totalVolumes(volumes.size());
            }
        }
        return BackendStats.builder()
                .backendName(settings.backendName())
                .describedBy(descriptor)
                .pool(pool.build())
                .backendState(state)
                .collectedAt(context.clock().instant())
                .build();
    }

    /** Cinder's LVM form: {@code LVMVolumeDriver:host:vg:lvm_type:mirrors}. */
    String locationInfo() {
        return "LVMVolumeDriver:" + settings.ssh().host() + ":" + settings.volumeGroup() + ":" + settings.lvmType()
                + ":0";
    }

    // ---------------------------------------------------------------- provisioning

    @Override
    public Volume createVolume(VolumeSpec spec) {
        String name = LvmNames.logicalVolume(spec.name(), "volume name");
        checkPool(spec.pool());
        provisioning.lock();
        try {
            VolumeGroup vg = usableVolumeGroup("create volume '" + name + "'");
            List<LogicalVolume> lvs = readLogicalVolumes();
            if (lvs.stream().anyMatch(lv -> lv.name().equals(name))) {
                throw new CinderblockException(ErrorCode.INVALID_ARGUMENT, "Volume '" + name
                        + "' already exists in volume group '" + settings.volumeGroup() + "'");
            }
            long bytes = spec.sizeGib() * (long) BYTES_PER_GIB;
            RemoteCommand.Builder command = lvm("lvcreate").arg("--yes", "--name", name);
            if (settings.thin()) {
                checkThinRoom(lvs, bytes, name);
                command.arg("--thin", "--virtualsize", spec.sizeGib() + "g",
                        settings.volumeGroup() + "/" + settings.thinPool());
            } else {
                if (bytes > vg.freeBytes()) {
                    throw new CinderblockException(ErrorCode.INSUFFICIENT_CAPACITY, "Cannot create volume '" + name
                            + "' of " + spec.sizeGib() + " GiB: volume group '" + settings.volumeGroup() + "' has "
                            + gib(vg.freeBytes()) + " GiB free");
                }
                command.arg("--size", spec.sizeGib() + "g", settings.volumeGroup());
            }
            check(executor.run(command.build()), "create volume '" + name + "'");
            context.logger().log(Level.INFO, "Created {0} GiB volume {1}/{2}", spec.sizeGib(), settings.volumeGroup(),
                    name);
            return spec.toVolume(settings.backendName(), Optional.of(settings.volumeGroup() + "/" + name));
        } finally {
            provisioning.unlock();
        }
    }

    @Override
    public void deleteVolume(Volume volume) {
        String name = LvmNames.logicalVolume(volume.name(), "volume name");
        provisioning.lock();
        try {
            CommandResult result = executor.run(lvm("lvremove").arg("--force", settings.volumeGroup() + "/" + name).build());
            if (!result.succeeded() && !isLvMissing(result)) {
                if (isVgMissing(result)) {
                    throw new CinderblockException(ErrorCode.OPERATION_FAILED, vgMissingReason());
                }
                throw failed("delete volume '" + name + "'", result);
            }
            if (result.succeeded()) {
                context.logger().log(Level.INFO, "Deleted volume {0}/{1}", settings.volumeGroup(), name);
            }
        } finally {
            provisioning.unlock();
        }
    }

    @Override
    public Volume extendVolume(Volume volume, long newSizeGib) {
        String name = LvmNames.logicalVolume(volume.name(), "volume name");
        provisioning.lock();
        try {
            VolumeGroup vg = usableVolumeGroup("extend volume '" + name + "'");
            List<LogicalVolume> lvs = readLogicalVolumes();
            LogicalVolume lv = lvs.stream().filter(l -> l.name().equals(name)).findFirst()
                    .orElseThrow(() -> new CinderblockException(ErrorCode.NOT_FOUND, "Volume '" + name
                            + "' does not exist in volume group '" + settings.volumeGroup() + "'"));
            long newBytes = newSizeGib * (long) BYTES_PER_GIB;
            if (newBytes < lv.sizeBytes()) {
                throw new CinderblockException(ErrorCode.INVALID_ARGUMENT, "Cannot shrink volume '" + name + "' from "
                        + gib(lv.sizeBytes()) + " GiB to " + newSizeGib + " GiB");
            }
            if (newBytes == lv.sizeBytes()) {
                // As Cinder's API and lvextend itself: an extend must grow the volume.
                throw new CinderblockException(ErrorCode.INVALID_ARGUMENT, "Cannot extend volume '" + name + "' to "
                        + newSizeGib + " GiB: it is already that size");
            }
            long growth = newBytes - lv.sizeBytes();
            if (settings.thin()) {
                checkThinRoom(lvs, growth, name);
            } else if (growth > vg.freeBytes()) {
                throw new CinderblockException(ErrorCode.INSUFFICIENT_CAPACITY, "Cannot extend volume '" + name
                        + "' by " + gib(growth) + " GiB: volume group '" + settings.volumeGroup() + "' has "
                        + gib(vg.freeBytes()) + " GiB free");
            }
            check(executor.run(lvm("lvextend").arg("--size", newSizeGib + "g", settings.volumeGroup() + "/" + name)
                    .build()), "extend volume '" + name + "'");
            context.logger().log(Level.INFO, "Extended volume {0}/{1} to {2} GiB", settings.volumeGroup(), name,
                    newSizeGib);
            return volume.withSizeGib(newSizeGib);
        } finally {
            provisioning.unlock();
        }
    }

    // ---------------------------------------------------------------- export

    @Override
    public ConnectionInfo initializeConnection(Volume volume, Connector connector) {
        requireNonNull(connector, "connector is null");
        requireExport();
        String name = LvmNames.logicalVolume(volume.name(), "volume name");
        connector.initiator().ifPresent(i -> LvmNames.iqn(i, "initiator name"));
        usableVolumeGroup("export volume '" + name + "'");
        if (readLogicalVolumes().stream().noneMatch(lv -> lv.name().equals(name))) {
            throw new CinderblockException(ErrorCode.NOT_FOUND, "Volume '" + name + "' does not exist in volume group '"
                    + settings.volumeGroup() + "'");
        }
        return exporter.export(volume, connector);
    }

    @Override
    public void terminateConnection(Volume volume, Connector connector) {
        requireNonNull(connector, "connector is null");
        requireExport();
        exporter.unexport(volume);
    }

    private void requireExport() {
        if (!settings.tgtExport()) {
            // Hosts never get here (capabilities() leaves CONNECTION out); a direct caller gets
            // "Driver 'lvm' with target_helper 'none' does not support 'connection'".
            throw new NotSupportedException(Capability.CONNECTION, descriptor.id() + "' with target_helper 'none");
        }
    }

    // ---------------------------------------------------------------- helpers

    /** The VG, or empty when the host says it does not exist. */
    Optional<VolumeGroup> readVolumeGroup() {
        CommandResult result = executor.run(lvm("vgs").arg("--reportformat", "json", "--units", "b", "--nosuffix",
                "--options", LvmReports.VG_FIELDS, settings.volumeGroup()).build());
        if (!result.succeeded()) {
            if (isVgMissing(result)) {
                return Optional.empty();
            }
            throw failed("read volume group '" + settings.volumeGroup() + "'", result);
        }
        return LvmReports.volumeGroups(result.stdout()).stream()
                .filter(vg -> vg.name().equals(settings.volumeGroup()))
                .findFirst();
    }

    private List<LogicalVolume> readLogicalVolumes() {
        CommandResult result = executor.run(lvm("lvs").arg("--reportformat", "json", "--units", "b", "--nosuffix",
                "--options", LvmReports.LV_FIELDS, settings.volumeGroup()).build());
        if (!result.succeeded()) {
            if (isVgMissing(result)) {
                throw new CinderblockException(ErrorCode.OPERATION_FAILED, vgMissingReason());
            }
            throw failed("list the volumes of '" + settings.volumeGroup() + "'", result);
        }
        return LvmReports.logicalVolumes(result.stdout());
    }

    /** The VG when it can take a change: present and whole. */
    private VolumeGroup usableVolumeGroup(String what) {
        VolumeGroup vg = readVolumeGroup().orElseThrow(() -> new CinderblockException(ErrorCode.OPERATION_FAILED,
                "Cannot " + what + ": " + vgMissingReason()));
        if (vg.partial()) {
            throw new CinderblockException(ErrorCode.OPERATION_FAILED, "Cannot " + what + ": " + vgPartialReason(vg));
        }
        return vg;
    }

    private Optional<LogicalVolume> thinPool(List<LogicalVolume> lvs) {
        return lvs.stream().filter(lv -> lv.name().equals(settings.thinPool()) && lv.isThinPool()).findFirst();
    }

    /** Thin volumes may over-subscribe the pool up to {@code max_over_subscription_ratio}, no further. */
    private void checkThinRoom(List<LogicalVolume> lvs, long bytes, String name) {
        LogicalVolume pool = thinPool(lvs).orElseThrow(() -> new CinderblockException(ErrorCode.OPERATION_FAILED,
                "Thin pool '" + settings.thinPool() + "' does not exist in volume group '" + settings.volumeGroup()
                        + "'; create it (lvcreate --type thin-pool) or set lvm_type=default"));
        long provisioned = lvs.stream().filter(lv -> lv.poolLv().equals(settings.thinPool()))
                .mapToLong(LogicalVolume::sizeBytes).sum();
        double limit = pool.sizeBytes() * settings.maxOverSubscriptionRatio();
        if (provisioned + bytes > limit) {
            throw new CinderblockException(ErrorCode.INSUFFICIENT_CAPACITY, "Cannot provision " + gib(bytes)
                    + " GiB for volume '" + name + "': thin pool '" + settings.thinPool() + "' has " + gib(provisioned)
                    + " GiB provisioned of " + gib((long) limit) + " GiB allowed (pool size x "
                    + settings.maxOverSubscriptionRatio() + ")");
        }
    }

    private void checkPool(Optional<String> pool) {
        if (pool.isPresent() && !pool.get().equals(settings.backendName())) {
            throw new CinderblockException(ErrorCode.INVALID_ARGUMENT, "Unknown pool '" + pool.get()
                    + "': backend '" + settings.backendName() + "' has one pool, named after it");
        }
    }

    private RemoteCommand.Builder lvm(String program) {
        RemoteCommand.Builder builder = RemoteCommand.of(program);
        settings.lvmConfig().ifPresent(config -> builder.arg("--config", config));
        return builder;
    }

    private String vgMissingReason() {
        return "Volume group '" + settings.volumeGroup() + "' is missing on " + settings.ssh().host();
    }

    private String vgPartialReason(VolumeGroup vg) {
        return "Volume group '" + settings.volumeGroup() + "' on " + settings.ssh().host() + " is partial: "
                + Math.max(1, vg.missingPvCount()) + " physical volume(s) missing";
    }

    private static boolean isVgMissing(CommandResult result) {
        return result.stderr().contains("Volume group") && result.stderr().contains("not found");
    }

    private static boolean isLvMissing(CommandResult result) {
        return result.stderr().contains("Failed to find logical volume");
    }

    private static void check(CommandResult result, String what) {
        if (!result.succeeded()) {
            throw failed(what, result);
        }
    }

    private static CinderblockException failed(String what, CommandResult result) {
        return new CinderblockException(ErrorCode.OPERATION_FAILED, "LVM could not " + what + ": "
                + result.lastErrorLine() + " (exit status " + result.exitStatus() + ")");
    }

    private static String gib(long bytes) {
        return String.format(Locale.ROOT, "%.2f", bytes / BYTES_PER_GIB);
    }

    @Override
    public void close() {
        probes.shutdownNow();
        try {
            runner.close();
        } catch (RuntimeException e) {
            context.logger().log(Level.WARNING, "Closing the SSH connection failed", e);
        }
    }
}
