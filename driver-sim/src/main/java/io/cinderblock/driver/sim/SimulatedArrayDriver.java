package io.cinderblock.driver.sim;

import io.cinderblock.driver.sim.SimulatedArrayClient.Answer;
import io.cinderblock.sdk.error.CinderblockException;
import io.cinderblock.sdk.error.DeviceUnavailableException;
import io.cinderblock.sdk.error.ErrorCode;
import io.cinderblock.sdk.spi.BackendState;
import io.cinderblock.sdk.spi.BackendStateListener;
import io.cinderblock.sdk.spi.BackendStatePublisher;
import io.cinderblock.sdk.spi.BackendStats;
import io.cinderblock.sdk.spi.Capacity;
import io.cinderblock.sdk.spi.ConnectionInfo;
import io.cinderblock.sdk.spi.Connector;
import io.cinderblock.sdk.spi.DriverContext;
import io.cinderblock.sdk.spi.DriverDescriptor;
import io.cinderblock.sdk.spi.PoolStats;
import io.cinderblock.sdk.spi.Snapshot;
import io.cinderblock.sdk.spi.SnapshotSpec;
import io.cinderblock.sdk.spi.Volume;
import io.cinderblock.sdk.spi.VolumeDriver;
import io.cinderblock.sdk.spi.VolumeSpec;
import java.time.Duration;
import java.util.Optional;

/**
 * One backend on the simulated array. Stateless apart from its client (whose connections it shares
 * with the other backends on the same array) and, when pushing, its watch connection: thread-safe.
 */
final class SimulatedArrayDriver implements VolumeDriver, BackendStatePublisher {
    private final DriverDescriptor descriptor;
    private final String backendName;
    private final String device;
    private final int reservedPercentage;
    private final SimulatedArrayClient client;
    private final Duration timeout;
    private final DriverContext context;
    private final Optional<PushTarget> push;
    private StateWatch watch;
    private boolean closed;

    /** Where the push channel connects, when {@code sim_push} is on. */
    record PushTarget(String host, int port, Optional<String> accessKey, Duration silence) {}

    SimulatedArrayDriver(DriverDescriptor descriptor, String backendName, String device, int reservedPercentage,
            SimulatedArrayClient client, Duration timeout, Optional<PushTarget> push, DriverContext context) {
        this.push = push;
        this.descriptor = descriptor;
        this.backendName = backendName;
        this.device = device;
        this.reservedPercentage = reservedPercentage;
        this.client = client;
        this.timeout = timeout;
        this.context = context;
    }

    @Override
    public DriverDescriptor descriptor() {
        return descriptor;
    }

    @Override
    public Duration stateDeadline() {
        // One request: connect timeout plus read timeout, plus slack for scheduling.
        return timeout.multipliedBy(2).plusMillis(250);
    }

    @Override
    public BackendState backendState() {
        try {
            Answer answer = client.send("PING " + device);
            if (answer.ok) {
                return BackendState.up("Simulated device '" + device + "' answers", context.clock());
            }
            String why = answer.code.equals("DOWN") ? answer.message : answer.code + " " + answer.message;
            return BackendState.down("Simulated device '" + device + "' is down: " + why, context.clock());
        } catch (DeviceUnavailableException e) {
            return BackendState.down(e.getMessage(), context.clock());
        } catch (RuntimeException e) {
            return BackendState.down("Unexpected failure probing simulated device '" + device + "': " + e,
                    context.clock());
        }
    }

    @Override
    public BackendStats collectStats() {
        Answer answer = call("STATS " + device);
        BackendStats.Builder stats = BackendStats.builder()
                .backendName(backendName)
                .describedBy(descriptor)
                .collectedAt(context.clock().instant());
        for (String pool : answer.pools) {
            String[] f = pool.split(",");
            if (f.length != 5) {
                throw new DeviceUnavailableException("Simulated device '" + device + "' sent a malformed pool '" + pool + "'");
            }
            long total = Long.parseLong(f[1]);
            long free = Long.parseLong(f[2]);
            stats.pool(PoolStats.builder(f[0])
                    .totalCapacity(Capacity.ofGib(total))
                    .freeCapacity(Capacity.ofGib(free))
                    .reservedPercentage(reservedPercentage)
                    .totalVolumes(Long.parseLong(f[3]))
                    .provisionedCapacityGib(Long.parseLong(f[4]))
                    .allocatedCapacityGib(Long.parseLong(f[4]))
                    .maxOverSubscriptionRatio(1.0)
                    .thickProvisioningSupport(true)
                    .thinProvisioningSupport(false)
                    .multiattach(false)
                    .qosSupport(false)
                    .locationInfo("sim:" + device + ":" + f[0])
                    .extraCapability("simulated", true)
                    .build());
        }
        return stats.build();
    }

    @Override
    public Volume createVolume(VolumeSpec spec) {
        String pool = spec.pool().orElseGet(this::firstPool);
        Answer answer = call("CREATE " + device + " " + pool + " " + name(spec.name()) + " " + spec.sizeGib());
        return spec.toVolume(answer.fields.getOrDefault("pool", pool), Optional.of("sim:" + device + ":" + spec.name()));
    }

    @Override
    public void deleteVolume(Volume volume) {
        call("DELETE " + device + " " + name(volume.name()));
    }

    @Override
    public Volume extendVolume(Volume volume, long newSizeGib) {
        call("EXTEND " + device + " " + name(volume.name()) + " " + newSizeGib);
        return volume.withSizeGib(newSizeGib);
    }

    @Override
    public Snapshot createSnapshot(SnapshotSpec spec) {
        call("SNAP " + device + " " + name(spec.volume().name()) + " " + name(spec.name()));
        return Snapshot.of(spec, Optional.of("sim:" + device + ":" + spec.name()));
    }

    @Override
    public void deleteSnapshot(Snapshot snapshot) {
        call("DELSNAP " + device + " " + name(snapshot.name()));
    }

    @Override
    public Volume createVolumeFromSnapshot(VolumeSpec spec, Snapshot snapshot) {
        Answer answer = call("FROMSNAP " + device + " " + name(snapshot.name()) + " " + name(spec.name()) + " "
                + spec.sizeGib());
        return new Volume(spec.id(), spec.name(), Long.parseLong(answer.fields.get("gib")), answer.fields.get("pool"),
                Optional.of("sim:" + device + ":" + spec.name()));
    }

    @Override
    public Volume cloneVolume(VolumeSpec spec, Volume source) {
        Answer answer = call("CLONE " + device + " " + name(source.name()) + " " + name(spec.name()) + " "
                + spec.sizeGib());
        return new Volume(spec.id(), spec.name(), Long.parseLong(answer.fields.get("gib")), answer.fields.get("pool"),
                Optional.of("sim:" + device + ":" + spec.name()));
    }

    @Override
    public ConnectionInfo initializeConnection(Volume volume, Connector connector) {
        Answer answer = call("EXPORT " + device + " " + name(volume.name()) + " " + initiator(connector));
        return ConnectionInfo.iscsi(answer.fields.get("iqn"), "127.0.0.1:3260", Integer.parseInt(answer.fields.get("lun")))
                .volumeId(volume.id())
                .chap(answer.fields.get("user"), answer.fields.get("secret"))
                .build();
    }

    @Override
    public void terminateConnection(Volume volume, Connector connector) {
        call("UNEXPORT " + device + " " + name(volume.name()) + " " + initiator(connector));
    }

    @Override
    public void close() {
        // The watch connection, if pushing, is this backend's own; the request connections are
        // shared per array, and the last backend of an array closes them.
        StateWatch current;
        synchronized (this) {
            closed = true;
            current = watch;
        }
        if (current != null) {
            current.close();
        }
        client.close();
    }

    /** With {@code sim_push} on (the default), a WATCH connection carries the device's state changes. */
    @Override
    public boolean publishTo(BackendStateListener listener) {
        if (push.isEmpty()) {
            return false;
        }
        synchronized (this) {
            if (!closed && watch == null) {
                PushTarget target = push.get();
                watch = new StateWatch(target.host(), target.port(), target.accessKey(), device, timeout,
                        target.silence(), backendName,
                        listener, this::backendState, context.clock());
                watch.start();
            }
        }
        return true;
    }

    private String firstPool() {
        return collectStats().pools().get(0).poolName();
    }

    private static String initiator(Connector connector) {
        return name(connector.initiator().orElse(connector.host()));
    }

    private static String name(String name) {
        if (!SimulatedArrayServer.NAME.matcher(name).matches()) {
            throw new CinderblockException(ErrorCode.INVALID_ARGUMENT, "The simulated array cannot take the name '"
                    + name + "'");
        }
        return name;
    }

    /** Sends a request and turns an {@code ERR} answer into the SDK's typed errors. */
    private Answer call(String request) {
        Answer answer = client.send(request);
        if (answer.ok) {
            return answer;
        }
        String message = "Simulated device '" + device + "': " + answer.message;
        switch (answer.code) {
            case "DOWN":
            case "AUTH":
                throw new DeviceUnavailableException(message);
            case "NOSPACE":
                throw new CinderblockException(ErrorCode.INSUFFICIENT_CAPACITY, message);
            case "NOTFOUND":
                if (request.startsWith("DELETE") || request.startsWith("DELSNAP")) {
                    return answer;
                }
                throw new CinderblockException(ErrorCode.NOT_FOUND, message);
            case "BADREQ":
            case "EXISTS":
                throw new CinderblockException(ErrorCode.INVALID_ARGUMENT, message);
            default:
                throw new CinderblockException(ErrorCode.OPERATION_FAILED, message);
        }
    }
}
