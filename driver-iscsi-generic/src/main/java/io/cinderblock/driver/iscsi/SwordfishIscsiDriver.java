package io.cinderblock.driver.iscsi;

import io.cinderblock.sdk.error.CinderblockException;
import io.cinderblock.sdk.error.DeviceUnavailableException;
import io.cinderblock.sdk.error.ErrorCode;
import io.cinderblock.sdk.spi.BackendState;
import io.cinderblock.sdk.spi.BackendStateListener;
import io.cinderblock.sdk.spi.BackendStatePublisher;
import io.cinderblock.sdk.spi.BackendStats;
import io.cinderblock.sdk.spi.ConnectionInfo;
import io.cinderblock.sdk.spi.Connector;
import io.cinderblock.sdk.spi.DriverContext;
import io.cinderblock.sdk.spi.DriverDescriptor;
import io.cinderblock.sdk.spi.Volume;
import io.cinderblock.sdk.spi.VolumeDriver;
import io.cinderblock.sdk.spi.VolumeSpec;
import io.cinderblock.sdk.support.SecretScrubber;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The {@code iscsi-generic} driver for one backend: one Swordfish storage resource ({@code
 * /redfish/v1/Storage/{id}}, or {@code StorageServices/{id}} on Swordfish 1.0/1.1 arrays), its
 * pools, volumes, and the iSCSI endpoints and connections that export them.
 *
 * <p>A coordinator: {@link Topology} finds the resources and judges the storage's status, {@link
 * Pools} maps pools to Cinder stats, {@link Volumes} and {@link Exports} change the array, {@link
 * Tasks} follows asynchronous answers. Every HTTP request is bounded by the connect and request
 * timeouts; {@link #backendState()} shares one budget across its requests so it ends within {@link
 * #stateDeadline()}. Every reason, message and log line passes the backend's {@link SecretScrubber}
 * first, since an array may quote the request (and its credentials) back in an error.
 */
final class SwordfishIscsiDriver implements VolumeDriver, BackendStatePublisher {
    private final DriverDescriptor descriptor;
    private final String backendName;
    private final SwordfishSettings settings;
    private final SecretScrubber scrubber;
    private final RedfishClient client;
    private final Clock clock;
    private final Topology topology;
    private final Pools pools;
    private final Volumes volumes;
    private final Exports exports;
    /** The Redfish event channel; empty when push is not configured (polling only). */
    private final Optional<RedfishEventChannel> push;

    SwordfishIscsiDriver(DriverDescriptor descriptor, String backendName, SwordfishSettings settings,
            Optional<EventPushSettings> pushSettings, SecretScrubber scrubber, DriverContext context) {
        this.descriptor = descriptor;
        this.backendName = backendName;
        this.settings = settings;
        this.scrubber = scrubber;
        System.Logger logger = new ScrubbingLogger(context.logger(), scrubber);
        this.clock = context.clock();
        if (!settings.verifyTls()) {
            logger.log(System.Logger.Level.WARNING, "Backend '" + backendName + "': TLS certificate and host name "
                    + "verification is OFF (" + SwordfishDriverProvider.VERIFY_TLS + " = false); anyone on the path "
                    + "to " + settings.authority() + " can read the array credentials");
        }
        this.client = new RedfishClient(settings, logger, scrubber);
        this.topology = new Topology(settings, client);
        this.pools = new Pools(client, logger, backendName);
        Tasks tasks = new Tasks(settings, client);
        this.volumes = new Volumes(settings, client, topology, pools, tasks, logger, backendName);
        this.exports = new Exports(settings, client, topology, volumes, tasks);
        this.push = pushSettings.map(events -> new RedfishEventChannel(events, settings, client, topology, this::probe,
                context.logger(), clock, backendName));
    }

    @Override
    public DriverDescriptor descriptor() {
        return descriptor;
    }

    @Override
    public Duration stateDeadline() {
        return probeBudget().plusSeconds(1); // plus time to build the answer
    }

    /**
     * The budget shared by all requests of one probe: a connect and two answers (typically a
     * session login and the storage read). Requests past it are cut off, so a slow-but-alive array
     * reads as DOWN rather than delaying the caller.
     */
    private Duration probeBudget() {
        return settings.connectTimeout().plus(settings.requestTimeout().multipliedBy(2));
    }

    @Override
    public BackendState backendState() {
        BackendState state = probe();
        push.ifPresent(events -> events.afterProbe(state));
        return state;
    }

    /**
     * Starts hearing the array's Redfish events when push is configured ({@code
     * redfish_event_transport}, {@code redfish_event_port}): for a subscription binds the listener
     * now (a port in use is {@code pushLost} at once) and subscribes in the background; for
     * Server-Sent Events opens the stream on its own thread; a refusal is {@code pushLost}. Returns
     * false, doing nothing, when push is not configured.
     */
    @Override
    public boolean publishTo(BackendStateListener listener) {
        java.util.Objects.requireNonNull(listener, "listener is null");
        return push.map(events -> events.start(listener)).orElse(false);
    }

    /** The subscription transport of the event channel, for tests. */
    Optional<EventPush> eventPush() {
        return push.flatMap(RedfishEventChannel::subscriptionTransport);
    }

    /** The event channel, for tests. */
    Optional<RedfishEventChannel> eventChannel() {
        return push;
    }

    /** One state probe of the device, without the push bookkeeping. */
    private BackendState probe() {
        try {
            Deadline deadline = Deadline.after(probeBudget());
            Topology.StorageView storage = topology.readStorage(deadline);
            Topology.Verdict verdict = topology.verdict(storage);
            if (!verdict.up()) {
                return BackendState.down(scrubber.scrub(verdict.reason()), clock);
            }
            if (!settings.pools().isEmpty()) {
                Map<String, String> found = topology.poolPaths(storage.refs(), deadline);
                Optional<String> missing = topology.missingPools(found, storage.refs());
                if (missing.isPresent()) {
                    return BackendState.down(scrubber.scrub(missing.get()), clock);
                }
            }
            return BackendState.up(scrubber.scrub(verdict.reason()), clock);
        } catch (CinderblockException e) {
            return BackendState.down(scrubber.scrub(e.getMessage()), clock);
        } catch (RuntimeException e) {
            // The contract says never throw: a bug here still yields an honest DOWN.
            return BackendState.down(scrubber.scrub("State probe of " + settings.authority() + " failed: " + e), clock);
        }
    }

    @Override
    public BackendStats collectStats() {
        return guarded(() -> {
            Topology.StorageView storage = topology.readStorage(client.newDeadline());
            Topology.Verdict verdict = topology.verdict(storage);
            Map<String, String> found = topology.poolPaths(storage.refs(), client.newDeadline());
            Optional<String> missing = topology.missingPools(found, storage.refs());
            if (missing.isPresent()) {
                throw new CinderblockException(ErrorCode.OPERATION_FAILED, missing.get());
            }
            if (found.isEmpty()) {
                // StoragePools is optional in the Storage schema: such a storage is UP, but has no pool to report.
                throw new CinderblockException(ErrorCode.OPERATION_FAILED, "Storage '" + storage.refs().id() + "' on "
                        + settings.authority() + " has no StoragePools; no pool to report");
            }
            BackendStats.Builder stats = BackendStats.builder()
                    .backendName(backendName)
                    .describedBy(descriptor)
                    .backendState(verdict.up() ? BackendState.Status.UP : BackendState.Status.DOWN)
                    .extraCapability("swordfish_storage_id", storage.refs().id());
            topology.selectedPools(found).forEach((id, path) -> stats.pool(pools.stats(id, path, storage.refs().id())));
            return stats.collectedAt(clock.instant()).build();
        });
    }

    @Override
    public Volume createVolume(VolumeSpec spec) {
        return guarded(() -> volumes.create(spec));
    }

    @Override
    public void deleteVolume(Volume volume) {
        guarded(() -> {
            volumes.delete(volume);
            return null;
        });
    }

    @Override
    public Volume extendVolume(Volume volume, long newSizeGib) {
        return guarded(() -> volumes.extend(volume, newSizeGib));
    }

    @Override
    public ConnectionInfo initializeConnection(Volume volume, Connector connector) {
        return guarded(() -> exports.initialize(volume, connector));
    }

    @Override
    public void terminateConnection(Volume volume, Connector connector) {
        guarded(() -> {
            exports.terminate(volume, connector);
            return null;
        });
    }

    /**
     * Runs an operation; an error whose message chain holds a secret in any form (an array that
     * quoted our request back) is rethrown with the same type and code, scrubbed, without the
     * cause that carried it.
     */
    private <T> T guarded(Supplier<T> operation) {
        try {
            return operation.get();
        } catch (CinderblockException e) {
            if (!scrubber.leaksFrom(e)) {
                throw e;
            }
            String message = scrubber.scrub(e.getMessage());
            CinderblockException clean;
            if (e instanceof DeviceUnavailableException) {
                clean = new DeviceUnavailableException(message);
            } else if (e instanceof SwordfishProtocolException) {
                clean = new SwordfishProtocolException(message, ((SwordfishProtocolException) e).field().orElse(null),
                        null);
            } else {
                clean = new CinderblockException(e.code(), message);
            }
            throw clean;
        }
    }

    @Override
    public void close() {
        try {
            // First: the subscription is deleted with the session that is still open.
            push.ifPresent(RedfishEventChannel::close);
        } finally {
            client.close();
        }
    }
}
