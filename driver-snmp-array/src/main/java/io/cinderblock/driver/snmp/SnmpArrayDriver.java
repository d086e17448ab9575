package io.cinderblock.driver.snmp;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.error.NotSupportedException;
import io.cinderblock.sdk.spi.BackendState;
import io.cinderblock.sdk.spi.BackendStateListener;
import io.cinderblock.sdk.spi.BackendStatePublisher;
import io.cinderblock.sdk.spi.BackendStats;
import io.cinderblock.sdk.spi.Capability;
import io.cinderblock.sdk.spi.Capacity;
import io.cinderblock.sdk.spi.DriverContext;
import io.cinderblock.sdk.spi.DriverDescriptor;
import io.cinderblock.sdk.spi.PoolStats;
import io.cinderblock.sdk.spi.Volume;
import io.cinderblock.sdk.spi.VolumeDriver;
import io.cinderblock.sdk.spi.VolumeSpec;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.snmp4j.smi.OID;
import org.snmp4j.smi.UdpAddress;

/**
 * One backend of the {@code snmp-array} driver: an SNMP session with one agent, read through one
 * {@link Profile}. See {@link SnmpArrayDriverProvider} for what it offers.
 *
 * <p>{@link #backendState()} reads the same values as {@link #collectStats()} (sysUpTime, the pool
 * table, the health): usually two or three GETBULK round trips, since the tables are small. It
 * runs on a worker thread and is abandoned at a deadline derived from the timeout and retries, so
 * an agent that answers slowly request after request still cannot hold the caller.
 */
final class SnmpArrayDriver implements VolumeDriver, BackendStatePublisher {
    private final DriverDescriptor descriptor;
    private final String backendName;
    private final SnmpSettings settings;
    private final Profile profile;
    private final Clock clock;
    private final System.Logger logger;
    private final SnmpSession session;
    private final ArrayReader reader;
    private final Optional<VolumeProvisioner> provisioner;
    private final ExecutorService probes;
    /** The probe in flight, shared by concurrent callers so that a slow agent never gets a pile of probes. */
    private CompletableFuture<BackendState> runningProbe;
    private final Object provisioning = new Object();
    /** Where to receive the agent's notifications; empty: polling only. */
    private final Optional<UdpAddress> notificationAddress;
    private NotificationReceiver notifications;
    /** A re-read after a notification is queued: a burst of notifications gives one re-read. */
    private final AtomicBoolean recheckQueued = new AtomicBoolean();
    private volatile boolean closed;

    private SnmpArrayDriver(DriverDescriptor descriptor, String backendName, SnmpSettings settings, Profile profile,
            Optional<UdpAddress> notificationAddress, DriverContext context, SnmpSession session) {
        this.notificationAddress = notificationAddress;
        this.descriptor = descriptor;
        this.backendName = backendName;
        this.settings = settings;
        this.profile = profile;
        this.clock = context.clock();
        this.logger = context.logger();
        this.session = session;
        this.reader = new ArrayReader(session, profile, settings);
        this.provisioner = profile.volumes().map(table -> new VolumeProvisioner(session, reader, table, settings));
        this.probes = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "snmp-array-probe-" + backendName);
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Opens a backend. Sends nothing: the agent may be down now and come back later.
     *
     * @param providerDescriptor the provider's descriptor
     */
    static SnmpArrayDriver open(DriverDescriptor providerDescriptor, String backendName, SnmpSettings settings,
            Profile profile, Optional<UdpAddress> notificationAddress, DriverContext context) {
        requireNonNull(context, "context is null");
        DriverDescriptor descriptor = providerDescriptor;
        if (settings.version() == SnmpSettings.Version.V3) {
            if (settings.authProtocol().legacy()) {
                context.logger().log(System.Logger.Level.WARNING, "Backend ''{0}'' uses SNMP v3 authentication {1}, "
                        + "which is broken; use a SHA-2 protocol as soon as the agent allows it",
                        backendName, settings.authProtocol().wireName());
            }
            if (settings.privProtocol().legacy()) {
                context.logger().log(System.Logger.Level.WARNING, "Backend ''{0}'' uses SNMP v3 privacy {1}, which is "
                        + "broken; use AES as soon as the agent allows it", backendName, settings.privProtocol().wireName());
            }
        }
        SnmpSession session = SnmpSession.open(settings);
        context.logger().log(System.Logger.Level.INFO, "Backend ''{0}'': {1}, profile ''{2}''", backendName, settings,
                profile.name());
        return new SnmpArrayDriver(descriptor, backendName, settings, profile, notificationAddress, context, session);
    }

    @Override
    public DriverDescriptor descriptor() {
        return descriptor;
    }

    /** Provisioning only where the profile defines a writable volume table; monitoring otherwise. */
    @Override
    public Set<Capability> capabilities() {
        return profile.volumes().isPresent() ? descriptor.capabilities() : Set.of();
    }

    /** The profile this backend reads. */
    Profile profile() {
        return profile;
    }

    @Override
    public BackendStats collectStats() {
        ArrayReader.Reading reading = reader.read();
        if (reading.pools().isEmpty() && settings.pools().isEmpty()) {
            // Stats need a pool; without configured names there is none to show as missing.
            throw new MalformedReplyException("Agent " + settings.endpoint() + " has no pool for profile '"
                    + profile.name() + "': " + String.join("; ", reading.missingPools()));
        }
        BackendStats.Builder stats = BackendStats.builder()
                .backendName(backendName)
                .describedBy(descriptor)
                .collectedAt(clock.instant())
                .extraCapability("snmp_profile", profile.name());
        for (ArrayReader.PoolReading pool : reading.pools()) {
            PoolStats.Builder builder = PoolStats.builder(pool.name())
                    .totalCapacity(pool.total())
                    .freeCapacity(pool.free())
                    .thickProvisioningSupport(true)
                    .locationInfo("snmp-array:" + settings.endpoint() + ":" + pool.index());
            pool.unknownReason().ifPresent(reason -> builder.extraCapability("capacity_unknown_reason", reason));
            stats.pool(builder.build());
        }
        for (String missing : settings.pools().isEmpty() ? List.<String>of() : reading.missingPools()) {
            // A configured pool that vanished stays visible, with unknown capacity, so Cinder stops placing volumes there.
            stats.pool(PoolStats.builder(missing).totalCapacity(Capacity.UNKNOWN).freeCapacity(Capacity.UNKNOWN)
                    .extraCapability("pool_missing", true).build());
        }
        boolean healthy = reading.missingPools().isEmpty() && reading.healthProblems().isEmpty();
        return stats.backendState(healthy ? BackendState.Status.UP : BackendState.Status.DOWN).build();
    }

    @Override
    public BackendState backendState() {
        try {
            CompletableFuture<BackendState> probe;
            synchronized (this) {
                if (runningProbe == null || runningProbe.isDone()) {
                    runningProbe = CompletableFuture.supplyAsync(this::probe, probes);
                }
                probe = runningProbe;
            }
            return probe.get(probeBudget().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return BackendState.down("SNMP timeout: agent " + settings.endpoint() + " did not complete the state probe "
                    + "within " + probeBudget().toMillis() + " ms (it answers too slowly or not at all)", clock);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return BackendState.down("State probe of agent " + settings.endpoint() + " was interrupted", clock);
        } catch (ExecutionException | RuntimeException e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            return BackendState.down("State probe of agent " + settings.endpoint() + " failed unexpectedly: "
                    + cause.getClass().getSimpleName() + ": " + cause.getMessage(), clock);
        }
    }

    /** One state probe: never throws. */
    private BackendState probe() {
        try {
            ArrayReader.Reading reading = reader.read();
            if (!reading.missingPools().isEmpty()) {
                return BackendState.down("Configured pool missing on agent " + settings.endpoint() + ": "
                        + String.join(", ", reading.missingPools()), clock);
            }
            if (!reading.healthProblems().isEmpty()) {
                return BackendState.down("Health failed on agent " + settings.endpoint() + ": "
                        + String.join("; ", reading.healthProblems()), clock);
            }
            List<String> names = new ArrayList<>();
            reading.pools().forEach(pool -> names.add(pool.name()));
            return BackendState.up("Agent " + settings.endpoint() + " answers, health OK, pools " + names, clock);
        } catch (SnmpUnreachableException e) {
            return BackendState.down(e.getMessage(), clock);
        } catch (MalformedReplyException e) {
            return BackendState.down("Malformed or out-of-range reply: " + e.getMessage(), clock);
        } catch (RuntimeException e) {
            return BackendState.down("State probe of agent " + settings.endpoint() + " failed: "
                    + e.getClass().getSimpleName() + ": " + e.getMessage(), clock);
        }
    }

    /**
     * How long a probe may run: one request's worst case (every try times out), one more timeout
     * for the privacy diagnosis, and a second for the rest of a slow but answering read.
     */
    private Duration probeBudget() {
        return settings.requestDeadline().plus(settings.timeout()).plusSeconds(1);
    }

    @Override
    public Duration stateDeadline() {
        return probeBudget().plusSeconds(1);
    }

    @Override
    public Volume createVolume(VolumeSpec spec) {
        VolumeProvisioner writer = provisioner(Capability.CREATE_VOLUME);
        synchronized (provisioning) {
            return writer.create(spec);
        }
    }

    @Override
    public void deleteVolume(Volume volume) {
        VolumeProvisioner writer = provisioner(Capability.CREATE_VOLUME);
        synchronized (provisioning) {
            writer.delete(volume);
        }
    }

    @Override
    public Volume extendVolume(Volume volume, long newSizeGib) {
        VolumeProvisioner writer = provisioner(Capability.EXTEND_VOLUME);
        synchronized (provisioning) {
            return writer.extend(volume, newSizeGib);
        }
    }

    private VolumeProvisioner provisioner(Capability capability) {
        return provisioner.orElseThrow(() -> new NotSupportedException(capability, descriptor.id()));
    }

    /**
     * Receives the agent's notifications when {@code snmp_notification_port} is set: a notification
     * the profile lists under {@code notification.down} makes the backend DOWN at once; one under
     * {@code notification.check} (a restart, a trigger) re-reads the agent at once and pushes
     * what the read finds, so a recovery is never taken on the agent's word alone.
     */
    @Override
    public boolean publishTo(BackendStateListener listener) {
        requireNonNull(listener, "listener is null");
        if (notificationAddress.isEmpty()) {
            return false;
        }
        synchronized (this) {
            if (closed || notifications != null) {
                return true;
            }
            try {
                notifications = NotificationReceiver.start(settings, notificationAddress.get(),
                        (oid, detail) -> onNotification(listener, oid, detail));
                logger.log(System.Logger.Level.INFO, "Backend ''{0}'': receiving SNMP notifications from {1} on {2}",
                        backendName, settings.host(), notificationAddress.get());
            } catch (IOException | RuntimeException e) {
                listener.pushLost("Cannot receive SNMP notifications on " + notificationAddress.get() + ": "
                        + e.getMessage() + "; relying on polling");
            }
        }
        return true;
    }

    private void onNotification(BackendStateListener listener, OID oid, String detail) {
        if (closed) {
            return;
        }
        Profile.Notifications declared = profile.notifications();
        if (declared.down().contains(oid)) {
            listener.stateChanged(BackendState.down("Agent " + settings.endpoint() + " announced a failure: SNMP "
                    + "notification " + oid + (detail.isEmpty() ? "" : " (" + detail + ")"), clock));
        } else if (declared.check().contains(oid)) {
            if (recheckQueued.compareAndSet(false, true)) {
                try {
                    probes.execute(() -> {
                        recheckQueued.set(false);
                        BackendState state = probe();
                        if (!closed) {
                            listener.stateChanged(new BackendState(state.status(), "After SNMP notification " + oid
                                    + ": " + state.reason(), state.observedAt()));
                        }
                    });
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    recheckQueued.set(false); // closing
                }
            }
        } else {
            logger.log(System.Logger.Level.DEBUG, "Backend ''{0}'': ignoring SNMP notification {1}, which profile "
                    + "''{2}'' does not list", backendName, oid, profile.name());
        }
    }

    /** Notifications dropped as unauthenticated or from another sender (tests and diagnostics). */
    long droppedNotifications() {
        NotificationReceiver receiver = notifications;
        return receiver == null ? 0 : receiver.dropped();
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            if (notifications != null) {
                notifications.close();
            }
        }
        probes.shutdownNow();
        session.close();
    }
}
