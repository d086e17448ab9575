package io.cinderblock.sdk.host;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.ApiStatus;
import io.cinderblock.sdk.error.CinderblockException;
import io.cinderblock.sdk.error.DeviceUnavailableException;
import io.cinderblock.sdk.error.ErrorCode;
import io.cinderblock.sdk.error.InvalidConfigException;
import io.cinderblock.sdk.error.NotSupportedException;
import io.cinderblock.sdk.host.metadata.RecordStatus;
import io.cinderblock.sdk.host.metadata.SnapshotRecord;
import io.cinderblock.sdk.host.metadata.VolumeMetadataStore;
import io.cinderblock.sdk.host.metadata.VolumeRecord;
import io.cinderblock.sdk.spi.BackendState;
import io.cinderblock.sdk.spi.BackendStats;
import io.cinderblock.sdk.spi.Capability;
import io.cinderblock.sdk.spi.ConfigOption;
import io.cinderblock.sdk.spi.ConnectionInfo;
import io.cinderblock.sdk.spi.Connector;
import io.cinderblock.sdk.spi.DriverConfig;
import io.cinderblock.sdk.spi.DriverDescriptor;
import io.cinderblock.sdk.spi.Snapshot;
import io.cinderblock.sdk.spi.SnapshotSpec;
import io.cinderblock.sdk.spi.Volume;
import io.cinderblock.sdk.spi.VolumeDriver;
import io.cinderblock.sdk.spi.VolumeSpec;
import io.cinderblock.sdk.support.SecretScrubber;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Collectors;

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
 * <p>Thread-safe.
 */
@ApiStatus(value = ApiStatus.Status.STABLE, since = "0.1")
public final class Backend implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Backend.class.getName());
    /** Device answers that mean nothing was done, so a pending record can simply be rolled back. */
    private static final Set<ErrorCode> NOTHING_DONE = Set.of(ErrorCode.NOT_SUPPORTED, ErrorCode.INVALID_ARGUMENT,
            ErrorCode.INSUFFICIENT_CAPACITY, ErrorCode.INVALID_CONFIG);

    private final BackendRegistry registry;
    private final DriverDescriptor descriptor;
    private final DriverConfig config;
    private final VolumeDriver driver;
    private final VolumeMetadataStore store;
    private final Clock clock;
    private final Set<Capability> capabilities;

    private volatile BackendStats cachedStats;
    private final AtomicReference<CompletableFuture<BackendStats>> refreshing = new AtomicReference<>();
    private volatile BackendState lastState;
    /** A probe that overran its deadline and whose driver call has not returned yet. */
    private final AtomicReference<StateProbe> stuckProbe = new AtomicReference<>();
    private volatile boolean closed;

    Backend(BackendRegistry registry, DriverDescriptor descriptor, DriverConfig config, VolumeDriver driver) {
        this.registry = registry;
        this.descriptor = descriptor;
        this.config = config;
        this.driver = driver;
        this.store = registry.metadataStore();
        this.clock = registry.clock();
        this.capabilities = offeredCapabilities(descriptor, driver);
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
     * <p>If the device cannot be reached and earlier stats exist, those are returned marked {@code
     * down} (their {@link BackendStats#collectedAt()} tells how old they are); with no earlier stats,
     * the {@link DeviceUnavailableException} is thrown.
     *
     * @throws CinderblockException {@link ErrorCode#DEVICE_UNAVAILABLE} as above, {@link
     *     ErrorCode#DRIVER_CONTRACT_VIOLATION} if the driver returned invalid stats or failed untyped
     */
    public BackendStats stats(boolean refresh) {
        ensureOpen();
        BackendStats cached = cachedStats;
        if (!refresh && cached != null) {
            return withNewestState(cached);
        }
        return withNewestState(refreshStats());
    }

    private BackendStats withNewestState(BackendStats stats) {
        BackendState state = lastState;
        if (state != null && state.observedAt().isAfter(stats.collectedAt()) && state.status() != stats.backendState()) {
            return stats.withBackendState(state.status());
        }
        return stats;
    }

    private BackendStats refreshStats() {
        CompletableFuture<BackendStats> mine = new CompletableFuture<>();
        CompletableFuture<BackendStats> running = refreshing.compareAndExchange(null, mine);
        if (running != null) {
            return join(running);
        }
        // Whatever happens, 'mine' completes: callers that joined it must never wait forever.
        try {
            mine.complete(readStatsFromDevice());
        } catch (RuntimeException | Error e) {
            mine.completeExceptionally(e);
        } finally {
            refreshing.set(null);
        }
        return join(mine);
    }

    private BackendStats readStatsFromDevice() {
        try {
            BackendStats fresh = collectStatsBounded();
            cachedStats = fresh;
            return fresh;
        } catch (DeviceUnavailableException e) {
            BackendStats previous = cachedStats;
            if (previous == null) {
                throw e;
            }
            BackendStats down = previous.withBackendState(BackendState.Status.DOWN);
            cachedStats = down;
            String reason = e.getMessage().isBlank() ? "The device did not answer a stats request" : e.getMessage();
            lastState = new BackendState(BackendState.Status.DOWN, reason, clock.instant());
            return down;
        }
    }

    private static BackendStats join(CompletableFuture<BackendStats> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException) {
                throw (RuntimeException) e.getCause();
            }
            throw e;
        }
    }

    private BackendStats collectStatsBounded() {
        Duration timeout = registry.statsTimeout();
        Future<BackendStats> future = registry.probeExecutor().submit(driver::collectStats);
        BackendStats stats;
        try {
            stats = future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new DeviceUnavailableException("Stats collection for backend '" + name() + "' did not finish within "
                    + timeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new DeviceUnavailableException("Interrupted while collecting stats for backend '" + name() + "'");
        } catch (ExecutionException e) {
            throw translate("collectStats", e.getCause());
        }
        if (stats == null) {
            throw contractViolation("collectStats returned null");
        }
        if (!stats.backendName().equals(name())) {
            throw contractViolation("collectStats reported volume_backend_name '" + stats.backendName()
                    + "' for backend '" + name() + "'");
        }
        return stats;
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
            return record(BackendState.down("Backend '" + name() + "' is closed", clock));
        }
        // A cancelled Future reports isDone() at once, even while its thread is still stuck in the
        // driver; StateProbe knows whether the driver call itself has returned.
        StateProbe stuck = stuckProbe.get();
        if (stuck != null) {
            if (!stuck.hasReturned()) {
                return record(BackendState.down("The previous state probe of driver '" + descriptor.id()
                        + "' has not returned; the driver is hung", clock));
            }
            stuckProbe.compareAndSet(stuck, null);
        }
        Duration deadline = stateDeadline().plus(registry.stateGrace());
        StateProbe call = new StateProbe(driver);
        Future<BackendState> probe;
        try {
            probe = registry.probeExecutor().submit(call);
        } catch (RuntimeException e) {
            return record(BackendState.down("Cannot start a state probe: " + e, clock));
        }
        try {
            BackendState state = probe.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
            if (state == null) {
                return record(BackendState.down("Driver '" + descriptor.id() + "' returned no state (null)", clock));
            }
            return record(state);
        } catch (TimeoutException e) {
            probe.cancel(true);
            if (call.abandon()) {
                stuckProbe.set(call);
            }
            return record(BackendState.down("State probe did not return within " + deadline.toMillis()
                    + " ms (driver deadline " + stateDeadline().toMillis() + " ms)", clock));
        } catch (InterruptedException e) {
            probe.cancel(true);
            Thread.currentThread().interrupt();
            return record(BackendState.down("Interrupted while probing the backend state", clock));
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            return record(BackendState.down("Driver '" + descriptor.id() + "' threw from backendState(): "
                    + redact(cause.getClass().getSimpleName() + ": " + cause.getMessage()), clock));
        }
    }

    private BackendState record(BackendState state) {
        String reason = redact(state.reason());
        // The driver must not put a secret in its reason; if it does, the facade still never shows it.
        BackendState shown = reason.equals(state.reason())
                ? state
                : new BackendState(state.status(), reason, state.observedAt());
        lastState = shown;
        return shown;
    }

    /**
     * One call of the driver's {@link VolumeDriver#backendState()} that knows whether the driver
     * call has returned, even after its {@link Future} was cancelled at the deadline.
     */
    private static final class StateProbe implements Callable<BackendState> {
        private static final int PENDING = 0;
        private static final int RUNNING = 1;
        private static final int RETURNED = 2;
        private static final int ABANDONED = 3;

        private final VolumeDriver driver;
        private final AtomicInteger phase = new AtomicInteger(PENDING);

        StateProbe(VolumeDriver driver) {
            this.driver = driver;
        }

        @Override
        public BackendState call() {
            if (!phase.compareAndSet(PENDING, RUNNING)) {
                return null; // abandoned before a thread picked it up: never call the driver
            }
            try {
                return driver.backendState();
            } finally {
                phase.set(RETURNED);
            }
        }

        /** Gives up on this probe; true if the driver call is still running (the driver hangs). */
        boolean abandon() {
            return !phase.compareAndSet(PENDING, ABANDONED) && phase.get() == RUNNING;
        }

        boolean hasReturned() {
            return phase.get() != RUNNING;
        }
    }

    /** The result of the last {@link #state()} (or of a failed stats refresh), without probing. */
    public Optional<BackendState> lastState() {
        return Optional.ofNullable(lastState);
    }

    /** The driver's declared probe deadline; 10 s if the driver fails to say. */
    public Duration stateDeadline() {
        try {
            Duration declared = driver.stateDeadline();
            return declared != null && !declared.isNegative() && !declared.isZero() ? declared : Duration.ofSeconds(10);
        } catch (RuntimeException e) {
            return Duration.ofSeconds(10);
        }
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
        return store.volumes(name());
    }

    /** The volume record with this id. */
    public Optional<VolumeRecord> volume(String volumeId) {
        return store.volume(name(), volumeId);
    }

    /** The snapshots this SDK created on this backend. */
    public List<SnapshotRecord> snapshots() {
        return store.snapshots(name());
    }

    /** Creates a volume of {@code sizeGib} with a new UUID, in a pool of the driver's choice. */
    public VolumeRecord createVolume(long sizeGib) {
        return createVolume(VolumeSpec.of(UUID.randomUUID().toString(), sizeGib));
    }

    /**
     * Creates a volume. Order: record {@link RecordStatus#CREATING}, call the driver, record {@link
     * RecordStatus#AVAILABLE}. If the device refused (capacity, argument), the record is removed; if
     * the call failed otherwise, the record stays in {@link RecordStatus#ERROR} for cleanup.
     */
    public VolumeRecord createVolume(VolumeSpec spec) {
        requireNonNull(spec, "spec is null");
        return provision(spec, Capability.CREATE_VOLUME, Optional.empty(), "createVolume",
                () -> driver.createVolume(spec));
    }

    /** Creates a volume from a snapshot this backend recorded ({@link Capability#VOLUME_FROM_SNAPSHOT}). */
    public VolumeRecord createVolumeFromSnapshot(String snapshotId, long sizeGib) {
        SnapshotRecord snapshot = requireSnapshot(snapshotId);
        VolumeSpec spec = VolumeSpec.of(UUID.randomUUID().toString(), sizeGib);
        Snapshot driverSnapshot = snapshot.toSnapshot();
        return provision(spec, Capability.VOLUME_FROM_SNAPSHOT, Optional.of(snapshotId), "createVolumeFromSnapshot",
                () -> driver.createVolumeFromSnapshot(spec, driverSnapshot));
    }

    /** Creates a copy of a volume this backend recorded ({@link Capability#CLONE_VOLUME}). */
    public VolumeRecord cloneVolume(String sourceVolumeId, long sizeGib) {
        Volume source = requireVolume(sourceVolumeId, RecordStatus.AVAILABLE).toVolume();
        VolumeSpec spec = VolumeSpec.of(UUID.randomUUID().toString(), sizeGib);
        return provision(spec, Capability.CLONE_VOLUME, Optional.of(sourceVolumeId), "cloneVolume",
                () -> driver.cloneVolume(spec, source));
    }

    private VolumeRecord provision(VolumeSpec spec, Capability capability, Optional<String> sourceId,
            String operation, Supplier<Volume> call) {
        ensureOpen();
        requireCapability(capability);
        if (store.volume(name(), spec.id()).isPresent()) {
            throw new CinderblockException(ErrorCode.INVALID_ARGUMENT, "Volume '" + spec.id() + "' already exists");
        }
        Instant now = clock.instant();
        VolumeRecord pending = new VolumeRecord(name(), spec.id(), spec.name(), spec.sizeGib(), spec.pool(),
                Optional.empty(), sourceId, RecordStatus.CREATING, now, now);
        store.putVolume(pending);
        Volume created;
        try {
            created = guard(descriptor.id(), operation, config, call);
            if (created == null) {
                throw contractViolation(operation + " returned null");
            }
        } catch (CinderblockException e) {
            settleFailure(pending, e);
            throw e;
        }
        VolumeRecord done = pending.withVolume(created, clock.instant());
        storeAfterDeviceCall(() -> store.putVolume(done), "volume '" + spec.id() + "' exists on the device");
        return done;
    }

    private void settleFailure(VolumeRecord pending, CinderblockException e) {
        try {
            if (NOTHING_DONE.contains(e.code())) {
                store.removeVolume(name(), pending.id());
            } else {
                store.putVolume(pending.withStatus(RecordStatus.ERROR, clock.instant()));
            }
        } catch (CinderblockException storeFailure) {
            e.addSuppressed(storeFailure);
        }
    }

    /**
     * Deletes a volume. Order: record {@link RecordStatus#DELETING}, call the driver (idempotent),
     * remove the record. A failed device call leaves the record in {@link RecordStatus#ERROR}; call
     * again to retry. Refused while the volume has snapshots.
     */
    public void deleteVolume(String volumeId) {
        ensureOpen();
        requireCapability(Capability.CREATE_VOLUME);
        VolumeRecord record = requireVolume(volumeId, null);
        List<String> snapshots = snapshots().stream().filter(s -> s.volumeId().equals(volumeId))
                .map(SnapshotRecord::id).collect(Collectors.toList());
        if (!snapshots.isEmpty()) {
            throw new CinderblockException(ErrorCode.INVALID_ARGUMENT, "Volume '" + volumeId + "' has snapshots "
                    + snapshots + "; delete them first");
        }
        VolumeRecord deleting = record.withStatus(RecordStatus.DELETING, clock.instant());
        store.putVolume(deleting);
        try {
            guard(descriptor.id(), "deleteVolume", config, () -> {
                driver.deleteVolume(record.toVolume());
                return null;
            });
        } catch (CinderblockException e) {
            try {
                store.putVolume(deleting.withStatus(RecordStatus.ERROR, clock.instant()));
            } catch (CinderblockException storeFailure) {
                e.addSuppressed(storeFailure);
            }
            throw e;
        }
        storeAfterDeviceCall(() -> store.removeVolume(name(), volumeId),
                "volume '" + volumeId + "' is deleted on the device");
    }

    /**
     * Grows a volume. Order: record {@link RecordStatus#EXTENDING} (old size), call the driver,
     * record the new size. A refusal restores {@link RecordStatus#AVAILABLE}; another failure leaves
     * {@link RecordStatus#ERROR}.
     */
    public VolumeRecord extendVolume(String volumeId, long newSizeGib) {
        ensureOpen();
        requireCapability(Capability.EXTEND_VOLUME);
        VolumeRecord record = requireVolume(volumeId, RecordStatus.AVAILABLE);
        if (newSizeGib <= record.sizeGib()) {
            throw new CinderblockException(ErrorCode.INVALID_ARGUMENT, "New size " + newSizeGib
                    + " GiB must exceed the current " + record.sizeGib() + " GiB of volume '" + volumeId + "'");
        }
        VolumeRecord extending = record.withStatus(RecordStatus.EXTENDING, clock.instant());
        store.putVolume(extending);
        Volume extended;
        try {
            extended = guard(descriptor.id(), "extendVolume", config,
                    () -> driver.extendVolume(record.toVolume(), newSizeGib));
            if (extended == null) {
                throw contractViolation("extendVolume returned null");
            }
        } catch (CinderblockException e) {
            try {
                store.putVolume(extending.withStatus(
                        NOTHING_DONE.contains(e.code()) ? RecordStatus.AVAILABLE : RecordStatus.ERROR, clock.instant()));
            } catch (CinderblockException storeFailure) {
                e.addSuppressed(storeFailure);
            }
            throw e;
        }
        VolumeRecord done = extending.withVolume(extended, clock.instant());
        storeAfterDeviceCall(() -> store.putVolume(done), "volume '" + volumeId + "' is extended on the device");
        return done;
    }

    /** Takes a snapshot of a volume ({@link Capability#SNAPSHOT}); same ordering as volumes. */
    public SnapshotRecord createSnapshot(String volumeId) {
        ensureOpen();
        requireCapability(Capability.SNAPSHOT);
        VolumeRecord volume = requireVolume(volumeId, RecordStatus.AVAILABLE);
        SnapshotSpec spec = SnapshotSpec.of(UUID.randomUUID().toString(), volume.toVolume());
        Instant now = clock.instant();
        SnapshotRecord pending = new SnapshotRecord(name(), spec.id(), spec.name(), volumeId, volume.sizeGib(),
                Optional.empty(), RecordStatus.CREATING, now, now);
        store.putSnapshot(pending);
        Snapshot created;
        try {
            created = guard(descriptor.id(), "createSnapshot", config, () -> driver.createSnapshot(spec));
            if (created == null) {
                throw contractViolation("createSnapshot returned null");
            }
        } catch (CinderblockException e) {
            try {
                if (NOTHING_DONE.contains(e.code())) {
                    store.removeSnapshot(name(), spec.id());
                } else {
                    store.putSnapshot(pending.withStatus(RecordStatus.ERROR, clock.instant()));
                }
            } catch (CinderblockException storeFailure) {
                e.addSuppressed(storeFailure);
            }
            throw e;
        }
        SnapshotRecord done = pending.withSnapshot(created, clock.instant());
        storeAfterDeviceCall(() -> store.putSnapshot(done), "snapshot '" + spec.id() + "' exists on the device");
        return done;
    }

    /** Deletes a snapshot ({@link Capability#SNAPSHOT}); idempotent on the device, same ordering as volumes. */
    public void deleteSnapshot(String snapshotId) {
        ensureOpen();
        requireCapability(Capability.SNAPSHOT);
        SnapshotRecord record = requireSnapshot(snapshotId);
        SnapshotRecord deleting = record.withStatus(RecordStatus.DELETING, clock.instant());
        store.putSnapshot(deleting);
        try {
            guard(descriptor.id(), "deleteSnapshot", config, () -> {
                driver.deleteSnapshot(record.toSnapshot());
                return null;
            });
        } catch (CinderblockException e) {
            try {
                store.putSnapshot(deleting.withStatus(RecordStatus.ERROR, clock.instant()));
            } catch (CinderblockException storeFailure) {
                e.addSuppressed(storeFailure);
            }
            throw e;
        }
        storeAfterDeviceCall(() -> store.removeSnapshot(name(), snapshotId),
                "snapshot '" + snapshotId + "' is deleted on the device");
    }

    /** Exports a volume to a host ({@link Capability#CONNECTION}). */
    public ConnectionInfo initializeConnection(String volumeId, Connector connector) {
        ensureOpen();
        requireCapability(Capability.CONNECTION);
        requireNonNull(connector, "connector is null");
        Volume volume = requireVolume(volumeId, RecordStatus.AVAILABLE).toVolume();
        ConnectionInfo info = guard(descriptor.id(), "initializeConnection", config,
                () -> driver.initializeConnection(volume, connector));
        if (info == null) {
            throw contractViolation("initializeConnection returned null");
        }
        return info;
    }

    /** Removes a volume's export to a host ({@link Capability#CONNECTION}); idempotent. */
    public void terminateConnection(String volumeId, Connector connector) {
        ensureOpen();
        requireCapability(Capability.CONNECTION);
        requireNonNull(connector, "connector is null");
        Volume volume = requireVolume(volumeId, null).toVolume();
        guard(descriptor.id(), "terminateConnection", config, () -> {
            driver.terminateConnection(volume, connector);
            return null;
        });
    }

    /** Closes the driver and removes the backend from its registry. Records stay in the store. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        registry.forget(this);
        try {
            driver.close();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "Driver ''{0}'' failed to close backend ''{1}'': {2}",
                    descriptor.id(), name(), redact(String.valueOf(e.getMessage())));
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

    // ---------------------------------------------------------------- helpers

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

    private VolumeRecord requireVolume(String volumeId, RecordStatus requiredStatus) {
        requireNonNull(volumeId, "volumeId is null");
        VolumeRecord record = store.volume(name(), volumeId).orElseThrow(() -> new CinderblockException(
                ErrorCode.NOT_FOUND, "Volume '" + volumeId + "' is not known to backend '" + name() + "'"));
        if (requiredStatus != null && record.status() != requiredStatus) {
            throw new CinderblockException(ErrorCode.INVALID_ARGUMENT, "Volume '" + volumeId + "' is "
                    + record.status() + ", not " + requiredStatus);
        }
        return record;
    }

    private SnapshotRecord requireSnapshot(String snapshotId) {
        requireNonNull(snapshotId, "snapshotId is null");
        return store.snapshot(name(), snapshotId).orElseThrow(() -> new CinderblockException(
                ErrorCode.NOT_FOUND, "Snapshot '" + snapshotId + "' is not known to backend '" + name() + "'"));
    }

    private void storeAfterDeviceCall(Runnable write, String deviceFact) {
        try {
            write.run();
        } catch (CinderblockException e) {
            throw new CinderblockException(ErrorCode.METADATA_STORE_FAILED, "The device call succeeded ("
                    + deviceFact + ") but recording it failed; the store still shows the pending status: "
                    + e.getMessage(), e);
        }
    }

    private CinderblockException contractViolation(String what) {
        return new CinderblockException(ErrorCode.DRIVER_CONTRACT_VIOLATION,
                "Driver '" + descriptor.id() + "' broke the SPI contract: " + what);
    }

    private CinderblockException translate(String operation, Throwable cause) {
        try {
            guard(descriptor.id(), operation, config, () -> {
                if (cause instanceof RuntimeException) {
                    throw (RuntimeException) cause;
                }
                if (cause instanceof Error) {
                    throw (Error) cause;
                }
                throw new IllegalStateException(cause);
            });
        } catch (CinderblockException e) {
            return e;
        }
        throw new IllegalStateException("unreachable");
    }

    private String redact(String text) {
        return redact(text, config);
    }

    /** Every form of every secret option's value (plain, Base64, escaped, ...) masked. */
    private static String redact(String text, DriverConfig config) {
        return SecretScrubber.of(config).scrub(text);
    }

    /**
     * Runs a driver call, passing typed SDK exceptions on and turning anything else into {@link
     * ErrorCode#DRIVER_CONTRACT_VIOLATION}; secret option values are scrubbed from messages (and
     * the cause dropped when it held one).
     */
    static <T> T guard(String driverId, String operation, DriverConfig config, Supplier<T> call) {
        try {
            return call.get();
        } catch (CinderblockException e) {
            if (!leaksSecret(e, config)) {
                throw e;
            }
            // Rebuilt without the cause chain (which held the secret), keeping the type callers catch.
            String clean = redact(String.valueOf(e.getMessage()), config);
            if (e instanceof InvalidConfigException) {
                throw new InvalidConfigException(((InvalidConfigException) e).option(), clean);
            }
            if (e instanceof DeviceUnavailableException) {
                throw new DeviceUnavailableException(clean);
            }
            if (e instanceof NotSupportedException) {
                throw new NotSupportedException(((NotSupportedException) e).capability(), driverId);
            }
            throw new CinderblockException(e.code(), clean);
        } catch (RuntimeException | LinkageError | AssertionError e) {
            String message = e.getClass().getSimpleName() + ": " + e.getMessage();
            String clean = redact(message, config);
            throw new CinderblockException(ErrorCode.DRIVER_CONTRACT_VIOLATION, "Driver '" + driverId
                    + "' failed in " + operation + " with an untyped error: " + clean,
                    leaksSecret(e, config) ? null : e);
        }
    }

    /** Whether the message of {@code error} or of any of its causes holds a secret option's value, in any form. */
    private static boolean leaksSecret(Throwable error, DriverConfig config) {
        return SecretScrubber.of(config).leaksFrom(error);
    }
}
