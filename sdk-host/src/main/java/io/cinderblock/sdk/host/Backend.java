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
import io.cinderblock.sdk.spi.BackendStateListener;
import io.cinderblock.sdk.spi.BackendStatePublisher;
import io.cinderblock.sdk.spi.BackendStats;
import io.cinderblock.sdk.spi.Capability;
import io.cinderblock.sdk.spi.ConnectionInfo;
import io.cinderblock.sdk.spi.Connector;
import io.cinderblock.sdk.spi.DriverConfig;
import io.cinderblock.sdk.spi.DriverDescriptor;
import io.cinderblock.sdk.spi.Snapshot;
import io.cinderblock.sdk.spi.SnapshotSpec;
import io.cinderblock.sdk.spi.StorageProtocol;
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
import java.util.regex.Pattern;

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
 * <p>Calls into the driver for stats, state and the push subscription run on the backend's own
 * {@link BoundedCalls} guard over the registry's shared {@link BackendRegistry#guardThreads() guard
 * threads}: a backend holds a thread only while a call runs (named {@code cinderblock-<backend
 * name>-<kind>} meanwhile, with the driver's class loader as its context class loader), and at most
 * three at once, one per kind of call. A driver hung in {@code collectStats()} or {@code
 * backendState()} holds one thread per call kind, later calls answer at once, and other backends
 * never wait for it.
 *
 * <p>Thread-safe.
 */
@ApiStatus(value = ApiStatus.Status.STABLE, since = "0.1")
public final class Backend implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Backend.class.getName());
    /** iSCSI names (RFC 3720 3.2.6.3): iqn., eui. and naa. forms. */
    private static final Pattern ISCSI_NAME = Pattern.compile(
            "iqn\\.\\d{4}-\\d{2}\\.[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?(?::\\S+)?|eui\\.[0-9A-Fa-f]{16}"
                    + "|naa\\.(?:[0-9A-Fa-f]{16}|[0-9A-Fa-f]{32})");
    /**
     * One lane each for stats, state and the push subscription: this backend's quota of the
     * registry's shared guard threads, the most a hung driver can hold.
     */
    private static final int GUARD_THREADS = 3;

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
    private final PushChannel push;
    private volatile boolean closed;

    Backend(BackendRegistry registry, DriverDescriptor descriptor, DriverConfig config, VolumeDriver driver) {
        this.registry = registry;
        this.descriptor = descriptor;
        this.config = config;
        this.driver = driver;
        this.capabilities = offeredCapabilities(descriptor, driver);
        this.guard = new DriverCallGuard(descriptor.id(), config);
        this.calls = BoundedCalls.builder(config.backendName()).maxThreads(GUARD_THREADS)
                .contextClassLoader(driverClassLoader(driver)).sharedThreads(registry.guardThreads()).build();
        this.state = new StateProber(driver, calls, guard, registry.clock(), registry.stateGrace());
        this.stats = new StatsCache(config.backendName(), driver, calls, guard, registry.statsTimeout(), state);
        this.journal = new OperationJournal(config.backendName(), registry.metadataStore(), registry.clock(), guard);
        this.push = new PushChannel(config.backendName(), driver, state, guard);
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

    /**
     * The {@code volume_backend_name} it was opened under; unique in its registry. Any thread, never
     * blocks.
     *
     * @return the name, never null
     */
    public String name() {
        return config.backendName();
    }

    /**
     * The descriptor of the driver behind this backend (its id, options, declared capabilities and
     * storage protocol). Any thread, never blocks.
     *
     * @return the descriptor, never null
     */
    public DriverDescriptor descriptor() {
        return descriptor;
    }

    /**
     * The operations this backend offers: the driver's {@link VolumeDriver#capabilities()} for its
     * configuration, within what the descriptor declares. Others throw {@link NotSupportedException}.
     * Fixed at open; any thread, never blocks.
     *
     * @return an unmodifiable set, possibly empty (a driver that offers only stats and state)
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
     * <p>Called by a host's stats round (the reference service's agent, every {@code
     * report_interval}) and by anything that shows capacity. Any thread; with {@code refresh} (or an
     * empty cache) the caller blocks for at most the registry's {@linkplain
     * BackendRegistry.Builder#statsTimeout stats timeout} while the read runs on a guard thread.
     *
     * @param refresh whether to read the device now instead of answering from the cache
     * @return the stats, never null
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
     * threads. On a closed backend it answers {@code DOWN} without calling the driver.
     *
     * <p>Called by a host's prober on its own schedule (the reference service spreads one probe per
     * backend over {@code backend_state_interval}), from any thread; the probe itself runs on a guard
     * thread, so the caller's thread never enters the driver.
     *
     * @return the observed state, never null; also kept as {@link #lastState()}
     */
    public BackendState state() {
        if (closed) {
            return state.recordDown("Backend '" + name() + "' is closed");
        }
        return state.probe();
    }

    /**
     * The newest state known without probing: the last {@link #state()}, a failed stats refresh, or
     * a pushed state (see {@link #watchState}), whichever was observed last. Any thread, never blocks.
     *
     * @return the state, or empty before the first probe, refresh or push
     */
    public Optional<BackendState> lastState() {
        return state.last();
    }

    /**
     * Subscribes to the states the device announces, for drivers that implement {@link
     * BackendStatePublisher} (SNMP notifications, Redfish events, ...).
     *
     * <p>The first call starts the driver's push channel ({@link BackendStatePublisher#publishTo}
     * is called once per backend, bounded by the driver's state deadline). Each pushed state is
     * recorded first, so {@link #lastState()} and cached {@link #stats(boolean) stats} reflect it,
     * then handed to {@code listener}: secrets scrubbed from its reason, and dropped if a probe has
     * already observed something newer. {@link BackendStateListener#pushLost} and {@link
     * BackendStateListener#pushRestored} tell when the channel breaks and heals.
     *
     * <p>The listener is called on the driver's threads: it must return quickly and must not call
     * back into this backend's driver operations; hand slow work (a database write) to your own
     * executor. Pushing never replaces polling: keep calling {@link #state()} on your schedule, it
     * is what finds a device that fails silently or a channel that died without a word.
     *
     * @param listener called with every pushed state; not null
     * @return whether this backend pushes (the driver publishes and its configuration turns push
     *     on); {@code false} means polling only, and {@code listener} will never be called
     * @since 0.2
     */
    @ApiStatus(value = ApiStatus.Status.EXPERIMENTAL, since = "0.2")
    public boolean watchState(BackendStateListener listener) {
        requireNonNull(listener, "listener is null");
        ensureOpen();
        return push.add(listener, calls, stateDeadline());
    }

    /**
     * Why this backend's push channel is not delivering, if it was started and broke (the
     * driver's {@link BackendStateListener#pushLost} reason, or a {@code publishTo} that failed);
     * empty while it delivers, or if it was never started or is not offered.
     *
     * @return the reason, scrubbed of secrets, or empty
     * @since 0.2
     */
    @ApiStatus(value = ApiStatus.Status.EXPERIMENTAL, since = "0.2")
    public Optional<String> pushLostReason() {
        return push.status() == PushChannel.Status.LOST ? Optional.of(push.lostReason()) : Optional.empty();
    }

    /**
     * The driver's declared probe deadline ({@link VolumeDriver#stateDeadline()}), read once at open:
     * {@link #state()} returns within it plus the registry's grace. Any thread, never blocks.
     *
     * @return the deadline; 10 s if the driver fails to say
     */
    public Duration stateDeadline() {
        return state.stateDeadline();
    }

    // ---------------------------------------------------------------- config

    /**
     * The backend's configuration as it may be shown to anyone: only {@code volume_backend_name}
     * (what Cinder's {@code get_volume_stats} reports). Any thread, never blocks.
     *
     * @return a new map with one entry
     */
    public Map<String, String> config() {
        return config(false);
    }

    /**
     * The backend's configuration as it may be shown. With {@code includeOptions}, also {@code
     * volume_driver} and every option that was given, secrets replaced by {@link DriverConfig#MASK}.
     * Never returns a secret. Any thread, never blocks.
     *
     * @param includeOptions whether to add {@code volume_driver} and the given options
     * @return a new map, in a stable order: {@code volume_backend_name} first
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

    // ---------------------------------------------------------------- JSON form

    /**
     * {@link #toJson(boolean) toJson(false)}: the JSON form with every secret masked.
     *
     * @return the JSON text, safe to log or show
     */
    public String toJson() {
        return toJson(false);
    }

    /**
     * The backend as JSON (cinderlib's {@code dump}), for {@link BackendRegistry#load(String)} in
     * another process. The form, {@code "format": "cinderblock.backend/1"}:
     *
     * <pre>{@code
     * {
     *   "format": "cinderblock.backend/1",
     *   "name": "lvm-1",
     *   "config": {"volume_backend_name": "lvm-1", "volume_driver": "lvm", "san_password": "***", ...},
     *   "volumes": [{"id": "...", "name": "...", "size_gib": 10, "pool_name": "vg0" | null,
     *                "provider_location": "..." | null, "source_id": "..." | null, "status": "AVAILABLE",
     *                "created_at": "2026-12-05T08:00:00Z", "updated_at": "2026-12-05T08:00:01.123Z"}],
     *   "snapshots": [{"id": "...", "name": "...", "volume_id": "...", "size_gib": 10,
     *                  "provider_location": "..." | null, "status": "AVAILABLE", "created_at": "...", "updated_at": "..."}]
     * }
     * }</pre>
     *
     * <p>{@code config} is {@link #config(boolean) config(true)}: every option given at open plus
     * {@code volume_driver}. Without {@code includeSecrets}, secret options read {@link
     * DriverConfig#MASK} and every form of their values (plain, Base64, escaped, hex) is masked in
     * every string of the dump, records included; such a dump documents a backend but cannot
     * rebuild it unless the secrets are given to {@link BackendRegistry#load(String, Map)}. With
     * {@code includeSecrets}, the text holds the secrets: protect it like the configuration file.
     * Reads only the metadata store, never the device; any thread.
     *
     * @param includeSecrets whether secret options keep their values
     * @return the JSON text
     */
    public String toJson(boolean includeSecrets) {
        return Json.write(toJsonObject(includeSecrets));
    }

    Map<String, Object> toJsonObject(boolean includeSecrets) {
        return BackendJson.backend(name(), BackendJson.config(this, config, includeSecrets), volumes(), snapshots(),
                BackendJson.scrubber(config, includeSecrets));
    }

    // ---------------------------------------------------------------- volumes

    /**
     * The volumes this SDK created on this backend, from the metadata store (never a device scan),
     * pending ones ({@code CREATING}, {@code EXTENDING}, {@code DELETING}, {@code ERROR}) included.
     * Any thread; as slow as the store (a JDBC store queries its database).
     *
     * @return the records, possibly empty
     */
    public List<VolumeRecord> volumes() {
        return journal.volumes();
    }

    /**
     * The volume record with this id, from the metadata store. Any thread.
     *
     * @param volumeId the volume's id, as {@link VolumeRecord#id()}
     * @return the record, or empty if this backend has none with that id
     */
    public Optional<VolumeRecord> volume(String volumeId) {
        return journal.volume(volumeId);
    }

    /**
     * The snapshots this SDK created on this backend, from the metadata store, pending ones
     * included. Any thread.
     *
     * @return the records, possibly empty
     */
    public List<SnapshotRecord> snapshots() {
        return journal.snapshots();
    }

    /**
     * Creates a volume of {@code sizeGib} with a new UUID, in a pool of the driver's choice; as
     * {@link #createVolume(VolumeSpec)}.
     *
     * @param sizeGib the size, at least 1
     * @return the record, {@link RecordStatus#AVAILABLE}
     * @throws CinderblockException as {@link #createVolume(VolumeSpec)}
     */
    public VolumeRecord createVolume(long sizeGib) {
        return createVolume(OperationJournal.newVolume(sizeGib));
    }

    /**
     * Creates a volume. Order: record {@link RecordStatus#CREATING}, call the driver, record {@link
     * RecordStatus#AVAILABLE}. If the device refused (capacity, argument), the record is removed; if
     * the call failed otherwise, the record stays in {@link RecordStatus#ERROR} for cleanup.
     *
     * <p>Runs the driver on the caller's thread, without a deadline of the SDK's (the driver bounds
     * its own device calls): call it from a worker, never from an event loop.
     *
     * @param spec the volume to create
     * @return the record, {@link RecordStatus#AVAILABLE}
     * @throws NotSupportedException if the backend does not offer {@link Capability#CREATE_VOLUME}
     * @throws CinderblockException the driver's typed failure (secrets redacted), or {@link
     *     ErrorCode#OPERATION_FAILED} if the backend is closed
     */
    public VolumeRecord createVolume(VolumeSpec spec) {
        requireNonNull(spec, "spec is null");
        ensureOpen();
        requireCapability(Capability.CREATE_VOLUME);
        return journal.provision(spec, Optional.empty(), "createVolume", () -> driver.createVolume(spec));
    }

    /**
     * Creates a volume from a snapshot this backend recorded, with the ordering of {@link
     * #createVolume(VolumeSpec)}; the record's {@link VolumeRecord#sourceId()} names the snapshot.
     *
     * @param snapshotId a snapshot of {@link #snapshots()}
     * @param sizeGib the new volume's size, at least the snapshot's
     * @return the record, {@link RecordStatus#AVAILABLE}
     * @throws NotSupportedException if the backend does not offer {@link Capability#VOLUME_FROM_SNAPSHOT}
     * @throws CinderblockException {@link ErrorCode#NOT_FOUND} if no such snapshot, or as {@link
     *     #createVolume(VolumeSpec)}
     */
    public VolumeRecord createVolumeFromSnapshot(String snapshotId, long sizeGib) {
        Snapshot snapshot = journal.requireSnapshot(snapshotId).toSnapshot();
        VolumeSpec spec = OperationJournal.newVolume(sizeGib);
        ensureOpen();
        requireCapability(Capability.VOLUME_FROM_SNAPSHOT);
        return journal.provision(spec, Optional.of(snapshotId), "createVolumeFromSnapshot",
                () -> driver.createVolumeFromSnapshot(spec, snapshot));
    }

    /**
     * Creates a copy of an available volume this backend recorded, with the ordering of {@link
     * #createVolume(VolumeSpec)}; the record's {@link VolumeRecord#sourceId()} names the source.
     *
     * @param sourceVolumeId an {@link RecordStatus#AVAILABLE} volume of {@link #volumes()}
     * @param sizeGib the copy's size, at least the source's
     * @return the record, {@link RecordStatus#AVAILABLE}
     * @throws NotSupportedException if the backend does not offer {@link Capability#CLONE_VOLUME}
     * @throws CinderblockException {@link ErrorCode#NOT_FOUND} if no such volume, or as {@link
     *     #createVolume(VolumeSpec)}
     */
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
     * again to retry. Refused while the volume has snapshots. Runs the driver on the caller's thread.
     *
     * @param volumeId a volume of {@link #volumes()}, in any status
     * @throws NotSupportedException if the backend does not offer {@link Capability#CREATE_VOLUME}
     * @throws CinderblockException {@link ErrorCode#NOT_FOUND} if no such record, or the driver's
     *     typed failure
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
     * {@link RecordStatus#ERROR}. Runs the driver on the caller's thread.
     *
     * @param volumeId an {@link RecordStatus#AVAILABLE} volume of {@link #volumes()}
     * @param newSizeGib the new size, larger than the current one
     * @return the record with the new size
     * @throws NotSupportedException if the backend does not offer {@link Capability#EXTEND_VOLUME}
     * @throws CinderblockException {@link ErrorCode#NOT_FOUND} if no such volume, or the driver's
     *     typed failure
     */
    public VolumeRecord extendVolume(String volumeId, long newSizeGib) {
        ensureOpen();
        requireCapability(Capability.EXTEND_VOLUME);
        Volume volume = journal.requireVolume(volumeId, RecordStatus.AVAILABLE).toVolume();
        return journal.extendVolume(volumeId, newSizeGib, () -> driver.extendVolume(volume, newSizeGib));
    }

    /**
     * Takes a snapshot of an available volume, with the record-first ordering of volumes. Runs the
     * driver on the caller's thread.
     *
     * @param volumeId an {@link RecordStatus#AVAILABLE} volume of {@link #volumes()}
     * @return the snapshot's record, {@link RecordStatus#AVAILABLE}
     * @throws NotSupportedException if the backend does not offer {@link Capability#SNAPSHOT}
     * @throws CinderblockException {@link ErrorCode#NOT_FOUND} if no such volume, or the driver's
     *     typed failure
     */
    public SnapshotRecord createSnapshot(String volumeId) {
        ensureOpen();
        requireCapability(Capability.SNAPSHOT);
        VolumeRecord volume = journal.requireVolume(volumeId, RecordStatus.AVAILABLE);
        SnapshotSpec spec = SnapshotSpec.of(UUID.randomUUID().toString(), volume.toVolume());
        return journal.createSnapshot(spec, volumeId, volume.sizeGib(), driver::createSnapshot);
    }

    /**
     * Deletes a snapshot, with the ordering of {@link #deleteVolume}; idempotent on the device. Runs
     * the driver on the caller's thread.
     *
     * @param snapshotId a snapshot of {@link #snapshots()}
     * @throws NotSupportedException if the backend does not offer {@link Capability#SNAPSHOT}
     * @throws CinderblockException {@link ErrorCode#NOT_FOUND} if no such record, or the driver's
     *     typed failure
     */
    public void deleteSnapshot(String snapshotId) {
        ensureOpen();
        requireCapability(Capability.SNAPSHOT);
        SnapshotRecord record = journal.requireSnapshot(snapshotId);
        journal.deleteSnapshot(record, () -> driver.deleteSnapshot(record.toSnapshot()));
    }

    /**
     * Checks that {@code connector} carries what this backend's storage protocol needs to export a
     * volume (cinderlib's {@code validate_connector}), without calling the driver: for iSCSI and
     * iSER, an {@code initiator} that is an iSCSI name ({@code iqn.}, {@code eui.} or {@code
     * naa.}). Other protocols need only the host, which every connector has. Any thread, never
     * blocks; {@link #initializeConnection} calls it first.
     *
     * @param connector what the host that will attach the volume sent
     * @throws InvalidConnectorException naming the missing or malformed field
     */
    public void validateConnector(Connector connector) {
        requireNonNull(connector, "connector is null");
        StorageProtocol protocol = descriptor.storageProtocol();
        if (protocol != StorageProtocol.ISCSI && protocol != StorageProtocol.ISER) {
            return;
        }
        String initiator = connector.initiator().orElseThrow(() -> new InvalidConnectorException("initiator",
                "Connector of host '" + connector.host() + "' lacks field 'initiator', which " + protocol.wireValue()
                        + " connections to backend '" + name() + "' need"));
        if (!ISCSI_NAME.matcher(initiator).matches()) {
            throw new InvalidConnectorException("initiator", "Connector field 'initiator' of host '"
                    + connector.host() + "' is '" + initiator + "', not an iSCSI name (iqn.YYYY-MM.reversed.domain[:id],"
                    + " eui.<16 hex> or naa.<16 or 32 hex>)");
        }
    }

    /**
     * Exports a volume to a host ({@link Capability#CONNECTION}), after {@link #validateConnector}.
     * Runs the driver on the caller's thread. Nothing is recorded: exports live on the device.
     *
     * @param volumeId an {@link RecordStatus#AVAILABLE} volume of {@link #volumes()}
     * @param connector the attaching host's connector
     * @return what the host needs to attach the volume (target, LUN, credentials: do not log it)
     * @throws InvalidConnectorException if the connector lacks a field the protocol needs; the driver is not called
     * @throws NotSupportedException if the backend does not offer {@link Capability#CONNECTION}
     * @throws CinderblockException {@link ErrorCode#NOT_FOUND} if no such volume, or the driver's
     *     typed failure
     */
    public ConnectionInfo initializeConnection(String volumeId, Connector connector) {
        ensureOpen();
        requireCapability(Capability.CONNECTION);
        validateConnector(connector);
        Volume volume = journal.requireVolume(volumeId, RecordStatus.AVAILABLE).toVolume();
        ConnectionInfo info = guard.call("initializeConnection", () -> driver.initializeConnection(volume, connector));
        if (info == null) {
            throw guard.contractViolation("initializeConnection returned null");
        }
        return info;
    }

    /**
     * Removes a volume's export to a host; idempotent (an export that is already gone is not an
     * error). Runs the driver on the caller's thread.
     *
     * @param volumeId a volume of {@link #volumes()}, in any status
     * @param connector the host's connector, as given to {@link #initializeConnection}
     * @throws NotSupportedException if the backend does not offer {@link Capability#CONNECTION}
     * @throws CinderblockException {@link ErrorCode#NOT_FOUND} if no such record, or the driver's
     *     typed failure
     */
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
     * Its guarded calls are interrupted and their callers answered at once; threads stuck in a
     * hung driver stay until the driver returns (they are daemon threads), and the registry's
     * shared guard pool stays open for other backends. Idempotent; any thread. {@link
     * BackendRegistry#close()} calls it for every open backend.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        registry.forget(this);
        push.close();
        calls.close();
        try {
            driver.close();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "Driver ''{0}'' failed to close backend ''{1}'': {2}",
                    descriptor.id(), name(), guard.redact(String.valueOf(e.getMessage())));
        }
    }

    /**
     * Whether {@link #close()} was called.
     *
     * @return true once closed
     */
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
