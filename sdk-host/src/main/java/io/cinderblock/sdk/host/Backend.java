package io.cinderblock.sdk.host;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.ApiStatus;
import io.cinderblock.sdk.error.CinderblockException;
import io.cinderblock.sdk.error.DeviceUnavailableException;
import io.cinderblock.sdk.error.ErrorCode;
import io.cinderblock.sdk.error.NotSupportedException;
import io.cinderblock.sdk.host.metadata.RecordStatus;
import io.cinderblock.sdk.host.metadata.SnapshotRecord;
import io.cinderblock.sdk.host.metadata.VolumeMetadataStore;
import io.cinderblock.sdk.host.metadata.VolumeRecord;
import io.cinderblock.sdk.spi.BackendState;
import io.cinderblock.sdk.spi.BackendStats;
import io.cinderblock.sdk.spi.Capability;
import io.cinderblock.sdk.spi.ConnectionInfo;
import io.cinderblock.sdk.spi.Connector;
import io.cinderblock.sdk.spi.DriverConfig;
import io.cinderblock.sdk.spi.DriverDescriptor;
import io.cinderblock.sdk.spi.Snapshot;
import io.cinderblock.sdk.spi.SnapshotSpec;
import io.cinderblock.sdk.spi.Volume;
import io.cinderblock.sdk.spi.VolumeDriver;
import io.cinderblock.sdk.spi.VolumeSpec;
import io.cinderblock.sdk.support.BoundedCalls;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * One open backend: a driver instance under a unique {@code volume_backend_name}, opened by {@link
 * BackendRegistry#open}. Modelled on cinderlib's {@code Backend}.
 *
 * <p><b>Stats</b> are cached: {@link #stats(boolean) stats(false)} answers from memory, {@code
 * stats(true)} reads the device, and concurrent refreshes share one device read.
 *
 * <p><b>State</b> is the driver's own probe, bounded by its deadline: a hung or throwing driver
 * reads as {@code DOWN} with the reason, never as an exception or a hang.
 *
 * <p><b>Volumes</b> created through a backend are recorded in the registry's {@link
 * VolumeMetadataStore}, in an order that loses nothing if the process dies mid-operation: the
 * record is written in an {@code ...ING} status <em>before</em> the device call and settled after
 * it. A crash therefore leaves a record in {@link RecordStatus#CREATING}, {@link
 * RecordStatus#EXTENDING} or {@link RecordStatus#DELETING} (visible in {@link #volumes()}, safe to
 * delete, since deletes are idempotent), never a device volume that nobody knows of.
 *
 * <p>Calls into the driver for stats and state run on the backend's own {@link BoundedCalls}
 * guard: at most two daemon threads named {@code cinderblock-<backend name>-<n>}, with the driver's
 * class loader as their context class loader; a driver hung in {@code collectStats()} or {@code
 * backendState()} holds one thread per call kind, and later calls answer at once.
 *
 * <p>Thread-safe.
 */
@ApiStatus(value = ApiStatus.Status.STABLE, since = "0.1")
public final class Backend implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Backend.class.getName());
    /** One lane for stats, one for state: the most threads a hung driver can hold. */
    private static final int GUARD_THREADS = 2;

    private final BackendRegistry registry;
    private final DriverDescriptor descriptor;
    private final DriverConfig config;
    private final VolumeDriver driver;
    private final Set<Capability> capabilities;
    private final DriverCallGuard guard;
    private final BoundedCalls calls;
    private final StateProber state;
    private final StatsCache stats;
    private final OperationJournal journal;
    private volatile boolean closed;

    Backend(BackendRegistry registry, DriverDescriptor descriptor, DriverConfig config, VolumeDriver driver) {
        this.registry = registry;
        this.descriptor = descriptor;
        this.config = config;
        this.driver = driver;
        this.capabilities = offeredCapabilities(descriptor, driver);
        this.guard = new DriverCallGuard(descriptor.id(), config);
        this.calls = BoundedCalls.builder(config.backendName()).maxThreads(GUARD_THREADS)
                .contextClassLoader(driverClassLoader(driver)).build();
        this.state = new StateProber(driver, calls, guard, registry.clock(), registry.stateGrace());
        this.stats = new StatsCache(config.backendName(), driver, calls, guard, registry.statsTimeout(), state);
        this.journal = new OperationJournal(config.backendName(), registry.metadataStore(), registry.clock(), guard);
    }

    private static ClassLoader driverClassLoader(VolumeDriver driver) {
        ClassLoader loader = driver.getClass().getClassLoader();
        return loader != null ? loader : ClassLoader.getPlatformClassLoader();
    }

    /** What the driver offers with this configuration, never more than its descriptor declares. */
    private static Set<Capability> offeredCapabilities(DriverDescriptor descriptor, VolumeDriver driver) {
        Set<Capability> offered;
        try {
            offered = driver.capabilities();
        } catch (RuntimeException e) {
            offered = null;
        }
        if (offered == null) {
            return descriptor.capabilities();
        }
        Set<Capability> result = EnumSet.noneOf(Capability.class);
        offered.stream().filter(descriptor::supports).forEach(result::add);
        return Collections.unmodifiableSet(result);
    }

    /** The {@code volume_backend_name}. */
    public String name() {
        return config.backendName();
    }

    /** The driver's descriptor. */
    public DriverDescriptor descriptor() {
        return descriptor;
    }

    /**
     * The operations this backend offers: the driver's {@link VolumeDriver#capabilities()} for its
     * configuration, within what the descriptor declares. Others throw {@link NotSupportedException}.
     */
    public Set<Capability> capabilities() {
        return capabilities;
    }

    // ---------------------------------------------------------------- stats and state

    /**
     * The backend's stats.
     *
     * <p>With {@code refresh} false, the cached stats (read from the device only if none are cached
     * yet); their {@code backend_state} is the newest thing known, so a later {@link #state()} that
     * said {@code down} shows here. With {@code refresh} true, a fresh device read; callers that
     * ask while a refresh runs share its result.
     *
     * <p>If the device cannot be reached (or the read overruns the registry's stats timeout, or an
     * earlier read is still stuck in the driver) and earlier stats exist, those are returned marked
     * {@code down} (their {@link BackendStats#collectedAt()} tells how old they are); with no earlier
     * stats, the {@link DeviceUnavailableException} is thrown.
     *
     * @throws CinderblockException {@link ErrorCode#DEVICE_UNAVAILABLE} as above, {@link
     *     ErrorCode#DRIVER_CONTRACT_VIOLATION} if the driver returned invalid stats or failed untyped
     */
    public BackendStats stats(boolean refresh) {
        ensureOpen();
        return stats.get(refresh);
    }

    /**
     * Probes the device now, through the driver's {@link VolumeDriver#backendState()}, and returns
     * within the driver's {@link VolumeDriver#stateDeadline()} plus the registry's grace. Never
     * throws: a probe that throws, returns null, or overruns is a {@code DOWN} with the reason; while
     * an overrun probe is still stuck, later calls answer {@code DOWN} at once instead of piling up
     * threads.
     */
    public BackendState state() {
        if (closed) {
            return state.recordDown("Backend '" + name() + "' is closed");
        }
        return state.probe();
    }

    /** The result of the last {@link #state()} (or of a failed stats refresh), without probing. */
    public Optional<BackendState> lastState() {
        return state.last();
    }

    /** The driver's declared probe deadline; 10 s if the driver fails to say. */
    public Duration stateDeadline() {
        return state.stateDeadline();
    }

    // ---------------------------------------------------------------- config

    /** The backend's configuration as it may be shown: only {@code volume_backend_name}. */
    public Map<String, String> config() {
        return config(false);
    }

    /**
     * The backend's configuration as it may be shown. With {@code includeOptions}, also {@code
     * volume_driver} and every option that was given, secrets replaced by {@link DriverConfig#MASK}.
     */
    public Map<String, String> config(boolean includeOptions) {
        Map<String, String> shown = new LinkedHashMap<>();
        shown.put("volume_backend_name", name());
        if (includeOptions) {
            shown.put("volume_driver", descriptor.id());
            shown.putAll(config.masked());
        }
        return shown;
    }

    // ---------------------------------------------------------------- volumes

    /** The volumes this SDK created on this backend, from the metadata store (never a device scan). */
    public List<VolumeRecord> volumes() {
        return journal.volumes();
    }

    /** The volume record with this id. */
    public Optional<VolumeRecord> volume(String volumeId) {
        return journal.volume(volumeId);
    }

    /** The snapshots this SDK created on this backend. */
    public List<SnapshotRecord> snapshots() {
        return journal.snapshots();
    }

    /** Creates a volume of {@code sizeGib} with a new UUID, in a pool of the driver's choice. */
    public VolumeRecord createVolume(long sizeGib) {
        return createVolume(OperationJournal.newVolume(sizeGib));
    }

    /**
     * Creates a volume. Order: record {@link RecordStatus#CREATING}, call the driver, record {@link
     * RecordStatus#AVAILABLE}. If the device refused (capacity, argument), the record is removed; if
     * the call failed otherwise, the record stays in {@link RecordStatus#ERROR} for cleanup.
     */
    public VolumeRecord createVolume(VolumeSpec spec) {
        requireNonNull(spec, "spec is null");
        ensureOpen();
        requireCapability(Capability.CREATE_VOLUME);
        return journal.provision(spec, Optional.empty(), "createVolume", () -> driver.createVolume(spec));
    }

    /** Creates a volume from a snapshot this backend recorded ({@link Capability#VOLUME_FROM_SNAPSHOT}). */
    public VolumeRecord createVolumeFromSnapshot(String snapshotId, long sizeGib) {
        Snapshot snapshot = journal.requireSnapshot(snapshotId).toSnapshot();
        VolumeSpec spec = OperationJournal.newVolume(sizeGib);
        ensureOpen();
        requireCapability(Capability.VOLUME_FROM_SNAPSHOT);
        return journal.provision(spec, Optional.of(snapshotId), "createVolumeFromSnapshot",
                () -> driver.createVolumeFromSnapshot(spec, snapshot));
    }

    /** Creates a copy of a volume this backend recorded ({@link Capability#CLONE_VOLUME}). */
    public VolumeRecord cloneVolume(String sourceVolumeId, long sizeGib) {
        Volume source = journal.requireVolume(sourceVolumeId, RecordStatus.AVAILABLE).toVolume();
        VolumeSpec spec = OperationJournal.newVolume(sizeGib);
        ensureOpen();
        requireCapability(Capability.CLONE_VOLUME);
        return journal.provision(spec, Optional.of(sourceVolumeId), "cloneVolume",
                () -> driver.cloneVolume(spec, source));
    }

    /**
     * Deletes a volume. Order: record {@link RecordStatus#DELETING}, call the driver (idempotent),
     * remove the record. A failed device call leaves the record in {@link RecordStatus#ERROR}; call
     * again to retry. Refused while the volume has snapshots.
     */
    public void deleteVolume(String volumeId) {
        ensureOpen();
        requireCapability(Capability.CREATE_VOLUME);
        VolumeRecord record = journal.requireVolume(volumeId, null);
        journal.deleteVolume(record, () -> driver.deleteVolume(record.toVolume()));
    }

    /**
     * Grows a volume. Order: record {@link RecordStatus#EXTENDING} (old size), call the driver,
     * record the new size. A refusal restores {@link RecordStatus#AVAILABLE}; another failure leaves
     * {@link RecordStatus#ERROR}.
     */
    public VolumeRecord extendVolume(String volumeId, long newSizeGib) {
        ensureOpen();
        requireCapability(Capability.EXTEND_VOLUME);
        Volume volume = journal.requireVolume(volumeId, RecordStatus.AVAILABLE).toVolume();
        return journal.extendVolume(volumeId, newSizeGib, () -> driver.extendVolume(volume, newSizeGib));
    }

    /** Takes a snapshot of a volume ({@link Capability#SNAPSHOT}); same ordering as volumes. */
    public SnapshotRecord createSnapshot(String volumeId) {
        ensureOpen();
        requireCapability(Capability.SNAPSHOT);
        VolumeRecord volume = journal.requireVolume(volumeId, RecordStatus.AVAILABLE);
        SnapshotSpec spec = SnapshotSpec.of(UUID.randomUUID().toString(), volume.toVolume());
        return journal.createSnapshot(spec, volumeId, volume.sizeGib(), driver::createSnapshot);
    }

    /** Deletes a snapshot ({@link Capability#SNAPSHOT}); idempotent on the device, same ordering as volumes. */
    public void deleteSnapshot(String snapshotId) {
        ensureOpen();
        requireCapability(Capability.SNAPSHOT);
        SnapshotRecord record = journal.requireSnapshot(snapshotId);
        journal.deleteSnapshot(record, () -> driver.deleteSnapshot(record.toSnapshot()));
    }

    /** Exports a volume to a host ({@link Capability#CONNECTION}). */
    public ConnectionInfo initializeConnection(String volumeId, Connector connector) {
        ensureOpen();
        requireCapability(Capability.CONNECTION);
        requireNonNull(connector, "connector is null");
        Volume volume = journal.requireVolume(volumeId, RecordStatus.AVAILABLE).toVolume();
        ConnectionInfo info = guard.call("initializeConnection", () -> driver.initializeConnection(volume, connector));
        if (info == null) {
            throw guard.contractViolation("initializeConnection returned null");
        }
        return info;
    }

    /** Removes a volume's export to a host ({@link Capability#CONNECTION}); idempotent. */
    public void terminateConnection(String volumeId, Connector connector) {
        ensureOpen();
        requireCapability(Capability.CONNECTION);
        requireNonNull(connector, "connector is null");
        Volume volume = journal.requireVolume(volumeId, null).toVolume();
        guard.call("terminateConnection", () -> {
            driver.terminateConnection(volume, connector);
            return null;
        });
    }

    /**
     * Closes the driver and removes the backend from its registry. Records stay in the store.
     * Guard threads stuck in a hung driver stay until the driver returns (they are daemon threads).
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        registry.forget(this);
        calls.close();
        try {
            driver.close();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "Driver ''{0}'' failed to close backend ''{1}'': {2}",
                    descriptor.id(), name(), guard.redact(String.valueOf(e.getMessage())));
        }
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return closed;
    }

    @Override
    public String toString() {
        return "Backend[" + name() + ", driver=" + descriptor.id() + "]";
    }

    private void ensureOpen() {
        if (closed) {
            throw new CinderblockException(ErrorCode.OPERATION_FAILED, "Backend '" + name() + "' is closed");
        }
    }

    private void requireCapability(Capability capability) {
        if (!capabilities.contains(capability)) {
            throw new NotSupportedException(capability, descriptor.id());
        }
    }
}
