package io.cinderblock.sdk.host;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.ApiStatus;
import io.cinderblock.sdk.host.discovery.DriverRegistry;
import io.cinderblock.sdk.host.discovery.LoadedDriver;
import io.cinderblock.sdk.error.CinderblockException;
import io.cinderblock.sdk.error.ErrorCode;
import io.cinderblock.sdk.error.InvalidConfigException;
import io.cinderblock.sdk.host.metadata.InMemoryVolumeMetadataStore;
import io.cinderblock.sdk.host.metadata.SnapshotRecord;
import io.cinderblock.sdk.host.metadata.VolumeMetadataStore;
import io.cinderblock.sdk.host.metadata.VolumeRecord;
import io.cinderblock.sdk.spi.DriverConfig;
import io.cinderblock.sdk.spi.DriverContext;
import io.cinderblock.sdk.spi.VolumeDriver;
import io.cinderblock.sdk.support.GuardThreadPool;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.regex.Pattern;

/**
 * The live {@link Backend}s of one process, by {@code volume_backend_name}: cinderlib's model.
 *
 * <pre>{@code
 * try (BackendRegistry backends = BackendRegistry.builder().build()) {
 *     Backend lvm = backends.open("lvm-1", Map.of("volume_driver", "lvm", "ssh_host", "10.0.0.5", ...));
 *     BackendStats stats = lvm.stats(false);
 *     BackendState state = lvm.state();
 * }
 * }</pre>
 *
 * <p>A host makes one registry at start, opens its configured backends, and closes it at
 * shutdown. The registry owns the metadata store it was given and, unless given one, a {@link
 * GuardThreadPool}: the elastic daemon threads every backend's guarded driver calls (stats, state,
 * push subscription) run on, each backend at most three at once.
 *
 * <p>Thread-safe. Closing the registry closes every backend it opened.
 */
@ApiStatus(value = ApiStatus.Status.STABLE, since = "0.1")
public final class BackendRegistry implements AutoCloseable {
    /** Names the idle threads of the guard pool a registry makes for itself. */
    private static final String DEFAULT_GUARD_POOL_NAME = "cinderblock-guard";
    private static final Pattern BACKEND_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");

    private final DriverRegistry drivers;
    private final VolumeMetadataStore metadataStore;
    private final Clock clock;
    private final Duration stateGrace;
    private final Duration statsTimeout;
    private final GuardThreadPool guardThreads;
    /** Whether the registry made {@link #guardThreads} (and so closes it). */
    private final boolean ownsGuardThreads;
    private final ConcurrentMap<String, Backend> backends = new ConcurrentHashMap<>();
    private final Set<String> opening = new HashSet<>();

    private BackendRegistry(Builder b) {
        this.drivers = b.drivers != null ? b.drivers : DriverRegistry.fromClassPath();
        this.metadataStore = b.metadataStore;
        this.clock = b.clock;
        this.stateGrace = b.stateGrace;
        this.statsTimeout = b.statsTimeout;
        this.ownsGuardThreads = b.guardThreads == null;
        this.guardThreads = ownsGuardThreads
                ? GuardThreadPool.builder(DEFAULT_GUARD_POOL_NAME).keepAlive(b.guardKeepAlive).build()
                : b.guardThreads;
    }

    /**
     * Starts a registry over the class path's drivers and an in-memory metadata store.
     *
     * @return a builder with the defaults
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Opens a backend.
     *
     * @param backendName the unique {@code volume_backend_name} ({@code [A-Za-z0-9][A-Za-z0-9_.-]*}, at most 128)
     * @param config {@code volume_driver} (a driver id) plus the driver's options, as text
     * @return the open backend, also in {@link #backends()} until it is closed
     * @throws CinderblockException {@link ErrorCode#DUPLICATE_BACKEND} if the name is taken, {@link
     *     ErrorCode#DRIVER_LOAD_FAILED} if no such driver, {@link InvalidConfigException} naming a bad
     *     option, or whatever the driver's {@code open} throws
     */
    public Backend open(String backendName, Map<String, String> config) {
        requireNonNull(backendName, "backendName is null");
        requireNonNull(config, "config is null");
        if (!BACKEND_NAME.matcher(backendName).matches()) {
            throw new InvalidConfigException("volume_backend_name", "Backend name '" + backendName + "' must match "
                    + BACKEND_NAME.pattern());
        }
        String configuredName = config.get("volume_backend_name");
        if (configuredName != null && !configuredName.equals(backendName)) {
            throw new InvalidConfigException("volume_backend_name", "Option 'volume_backend_name' is '"
                    + configuredName + "' but the backend is being opened as '" + backendName + "'");
        }
        String driverId = config.get("volume_driver");
        if (driverId == null || driverId.isBlank()) {
            throw new InvalidConfigException("volume_driver", "Missing required option 'volume_driver' for backend '"
                    + backendName + "'");
        }
        LoadedDriver driver = drivers.require(driverId.strip());
        DriverConfig driverConfig = DriverConfig.validate(driver.descriptor(), backendName, config);

        // Reserve the name before the (possibly slow) open, so two racing opens cannot both succeed.
        synchronized (opening) {
            if (backends.containsKey(backendName) || !opening.add(backendName)) {
                throw new CinderblockException(ErrorCode.DUPLICATE_BACKEND,
                        "Backend '" + backendName + "' is already open");
            }
        }
        try {
            VolumeDriver opened = DriverCallGuard.guard(driver.descriptor().id(), "open", driverConfig,
                    () -> driver.provider().open(driverConfig, driverContext(backendName)));
            if (opened == null) {
                throw new CinderblockException(ErrorCode.DRIVER_CONTRACT_VIOLATION,
                        "Driver '" + driverId + "' returned null from open");
            }
            Backend backend = new Backend(this, driver.descriptor(), driverConfig, opened);
            backends.put(backendName, backend);
            return backend;
        } finally {
            synchronized (opening) {
                opening.remove(backendName);
            }
        }
    }

    /**
     * The context handed to a driver: the registry's clock (so that the driver's {@code observedAt}
     * and {@code collectedAt} and the facade's own timestamps come from one clock) and a logger
     * named {@code cinderblock.driver.<backendName>}.
     */
    private DriverContext driverContext(String backendName) {
        return DriverContext.of(clock, System.getLogger("cinderblock.driver." + backendName));
    }

    /**
     * The open backend with this name. Any thread, never blocks.
     *
     * @param backendName the {@code volume_backend_name}
     * @return the backend, or empty if none with that name is open (never opened, or closed)
     */
    public Optional<Backend> backend(String backendName) {
        return Optional.ofNullable(backends.get(backendName));
    }

    /**
     * The open backends, sorted by name: a snapshot, not a live view. Any thread, never blocks.
     *
     * @return a new list, possibly empty
     */
    public List<Backend> backends() {
        List<Backend> result = new ArrayList<>();
        backends.values().stream()
                .sorted((a, b) -> a.name().compareTo(b.name()))
                .forEach(result::add);
        return result;
    }

    /**
     * Every open backend as one JSON document (cinderlib's {@code dumps}): {@code {"format":
     * "cinderblock.backends/1", "backends": [...]}}, each element the form of {@link
     * Backend#toJson(boolean)}, sorted by name. Secrets are masked unless {@code includeSecrets}.
     *
     * @param includeSecrets whether secret options keep their values (protect such a text)
     * @return the JSON text
     */
    public String toJson(boolean includeSecrets) {
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("format", BackendJson.REGISTRY_FORMAT);
        List<Object> list = new ArrayList<>();
        backends().forEach(b -> list.add(b.toJsonObject(includeSecrets)));
        document.put("backends", list);
        return Json.write(document);
    }

    /**
     * {@link #load(String, Map)} with no secrets given: the dump must carry every secret ({@code
     * toJson(true)}).
     *
     * @param json the dump
     * @return the opened backends, in the dump's order
     * @throws CinderblockException as {@link #load(String, Map)}
     */
    public List<Backend> load(String json) {
        return load(json, Map.of());
    }

    /**
     * Rebuilds backends and their records from a dump of {@link Backend#toJson(boolean)} or {@link
     * #toJson(boolean)} (cinderlib's {@code load}), e.g. in another process: opens each backend
     * under its name with its configuration, then writes its volume and snapshot records into this
     * registry's metadata store, except records the store already holds (the store is newer than any
     * dump). The whole text is checked before anything opens; if one backend fails to open, the ones
     * this call opened are closed again.
     *
     * @param json the dump
     * @param secrets per backend name, values of options the dump has masked ({@code ***})
     * @return the opened backends, in the dump's order
     * @throws CinderblockException {@link ErrorCode#INVALID_ARGUMENT} naming the offset or member if
     *     the text is not a dump; {@link InvalidConfigException} naming an option still masked; or
     *     whatever {@link #open} throws
     */
    public List<Backend> load(String json, Map<String, Map<String, String>> secrets) {
        requireNonNull(json, "json is null");
        requireNonNull(secrets, "secrets is null");
        List<BackendJson.Parsed> parsed = new ArrayList<>();
        for (BackendJson.Parsed backend : BackendJson.parse(json)) {
            Map<String, String> config = new LinkedHashMap<>(backend.config());
            secrets.getOrDefault(backend.name(), Map.of()).forEach((option, value) -> {
                if (DriverConfig.MASK.equals(config.get(option))) {
                    config.put(option, value);
                }
            });
            BackendJson.Parsed filled = new BackendJson.Parsed(backend.name(), config, backend.volumes(),
                    backend.snapshots());
            BackendJson.requireNoMaskedSecrets(filled);
            parsed.add(filled);
        }
        List<Backend> opened = new ArrayList<>();
        try {
            for (BackendJson.Parsed backend : parsed) {
                opened.add(open(backend.name(), backend.config()));
            }
        } catch (RuntimeException e) {
            opened.forEach(Backend::close);
            throw e;
        }
        for (BackendJson.Parsed backend : parsed) {
            for (VolumeRecord volume : backend.volumes()) {
                if (metadataStore.volume(backend.name(), volume.id()).isEmpty()) {
                    metadataStore.putVolume(volume);
                }
            }
            for (SnapshotRecord snapshot : backend.snapshots()) {
                if (metadataStore.snapshot(backend.name(), snapshot.id()).isEmpty()) {
                    metadataStore.putSnapshot(snapshot);
                }
            }
        }
        return opened;
    }

    /**
     * The drivers this registry opens backends with.
     *
     * @return the driver registry given to the builder, or the class path's
     */
    public DriverRegistry drivers() {
        return drivers;
    }

    /**
     * The metadata store shared by its backends; closed with the registry.
     *
     * @return the store
     */
    public VolumeMetadataStore metadataStore() {
        return metadataStore;
    }

    /**
     * The daemon threads every backend of this registry runs its driver's stats, state and push
     * subscription calls on (see {@link Builder#guardThreads(GuardThreadPool)}). For monitoring:
     * its {@link GuardThreadPool#threadCount()} is what the probes cost in threads.
     *
     * @return the shared guard pool
     */
    @ApiStatus(value = ApiStatus.Status.EXPERIMENTAL, since = "0.2")
    public GuardThreadPool guardThreads() {
        return guardThreads;
    }

    Clock clock() {
        return clock;
    }

    Duration stateGrace() {
        return stateGrace;
    }

    Duration statsTimeout() {
        return statsTimeout;
    }

    void forget(Backend backend) {
        backends.remove(backend.name(), backend);
    }

    /**
     * Closes every backend, then the registry's own guard pool (never one given to the builder),
     * then the metadata store. Call it once at shutdown, from any thread.
     */
    @Override
    public void close() {
        backends().forEach(Backend::close);
        if (ownsGuardThreads) {
            guardThreads.close();
        }
        metadataStore.close();
    }

    /** Builds a {@link BackendRegistry}. */
    public static final class Builder {
        private DriverRegistry drivers;
        private VolumeMetadataStore metadataStore = new InMemoryVolumeMetadataStore();
        private Clock clock = Clock.systemUTC();
        private Duration stateGrace = Duration.ofMillis(500);
        private Duration statsTimeout = Duration.ofSeconds(120);
        private GuardThreadPool guardThreads;
        private Duration guardKeepAlive = Duration.ofSeconds(30);

        private Builder() {}

        /**
         * The drivers to open backends with; default {@link DriverRegistry#fromClassPath()}.
         *
         * @param value the driver registry
         * @return this builder
         */
        public Builder drivers(DriverRegistry value) {
            this.drivers = requireNonNull(value, "drivers is null");
            return this;
        }

        /**
         * Where created volumes are recorded; default in memory. The registry closes it.
         *
         * @param value the store, open
         * @return this builder
         */
        public Builder metadataStore(VolumeMetadataStore value) {
            this.metadataStore = requireNonNull(value, "metadataStore is null");
            return this;
        }

        /**
         * The clock for record times and synthetic states, also handed to drivers; default UTC
         * system clock.
         *
         * @param value the clock
         * @return this builder
         */
        public Builder clock(Clock value) {
            this.clock = requireNonNull(value, "clock is null");
            return this;
        }

        /**
         * How long past the driver's {@code stateDeadline()} a state probe may run before it is
         * abandoned and reported {@code DOWN}; default 500 ms.
         *
         * @param value the grace
         * @return this builder
         */
        public Builder stateGrace(Duration value) {
            this.stateGrace = requireNonNull(value, "stateGrace is null");
            return this;
        }

        /**
         * The longest a stats collection may take before it counts as the device not answering;
         * default 120 s. A collection that overruns it stays on its (one) guard thread until the
         * driver returns; meanwhile refreshes of that backend answer at once with stale stats
         * marked {@code down}.
         *
         * @param value the timeout
         * @return this builder
         */
        public Builder statsTimeout(Duration value) {
            this.statsTimeout = requireNonNull(value, "statsTimeout is null");
            return this;
        }

        /**
         * Runs every backend's guarded driver calls on this pool instead of on one the registry
         * makes (and closes) for itself: share one pool between registries of a process. The
         * caller closes it, after the registries. Whichever pool is used, each backend keeps its
         * quota of three threads (one each for stats, state and the push subscription): a hung
         * driver occupies at most those and never delays another backend's calls. Default: a pool
         * of the registry's own, named {@code cinderblock-guard}.
         *
         * @param value an open pool
         * @return this builder
         */
        @ApiStatus(value = ApiStatus.Status.EXPERIMENTAL, since = "0.2")
        public Builder guardThreads(GuardThreadPool value) {
            this.guardThreads = requireNonNull(value, "guardThreads is null");
            return this;
        }

        /**
         * How long an idle thread of the registry's own guard pool waits for the next call before
         * it ends; default 30 s. Ignored when {@link #guardThreads(GuardThreadPool)} gives a pool.
         *
         * @param value positive
         * @return this builder
         * @throws IllegalArgumentException if {@code value} is not positive
         */
        @ApiStatus(value = ApiStatus.Status.EXPERIMENTAL, since = "0.2")
        public Builder guardKeepAlive(Duration value) {
            requireNonNull(value, "guardKeepAlive is null");
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException("guardKeepAlive " + value + " is not positive");
            }
            this.guardKeepAlive = value;
            return this;
        }

        /**
         * The registry, with no backend open yet.
         *
         * @return a new registry
         */
        public BackendRegistry build() {
            return new BackendRegistry(this);
        }
    }
}
