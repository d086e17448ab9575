package ${package};

import io.cinderblock.sdk.error.CinderblockException;
import io.cinderblock.sdk.error.DeviceUnavailableException;
import io.cinderblock.sdk.error.ErrorCode;
import io.cinderblock.sdk.spi.BackendState;
import io.cinderblock.sdk.spi.BackendStats;
import io.cinderblock.sdk.spi.Capacity;
import io.cinderblock.sdk.spi.DriverContext;
import io.cinderblock.sdk.spi.DriverDescriptor;
import io.cinderblock.sdk.spi.PoolStats;
import io.cinderblock.sdk.spi.Volume;
import io.cinderblock.sdk.spi.VolumeDriver;
import io.cinderblock.sdk.spi.VolumeSpec;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One backend on a ${vendorName} array. Holds nothing but its client, so {@code backendState()},
 * {@code collectStats()} and operations may run at the same time.
 */
final class ${classPrefix}Driver implements VolumeDriver {
    /** Names the array accepts in a URL path without escaping. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,128}");

    private final DriverDescriptor descriptor;
    private final String backendName;
    private final ${classPrefix}Client client;
    private final Duration stateDeadline;
    private final DriverContext context;

    ${classPrefix}Driver(DriverDescriptor descriptor, String backendName, ${classPrefix}Client client,
            Duration stateDeadline, DriverContext context) {
        this.descriptor = descriptor;
        this.backendName = backendName;
        this.client = client;
        this.stateDeadline = stateDeadline;
        this.context = context;
    }

    @Override
    public DriverDescriptor descriptor() {
        return descriptor;
    }

    /** The worst case of one probe: connect timeout plus request timeout, plus scheduling slack. */
    @Override
    public Duration stateDeadline() {
        return stateDeadline;
    }

    /** One round trip; never throws, never outlives {@code stateDeadline()}. */
    @Override
    public BackendState backendState() {
        try {
            ${classPrefix}Client.Answer answer = client.send("GET", "/api/health");
            if (answer.ok()) {
                return BackendState.up("Array at " + client.endpoint() + " answers, health " + answer.body,
                        context.clock());
            }
            return BackendState.down("Array at " + client.endpoint() + " reports HTTP " + answer.status + ": "
                    + answer.body, context.clock());
        } catch (DeviceUnavailableException e) {
            return BackendState.down(e.getMessage(), context.clock());
        } catch (RuntimeException e) {
            return BackendState.down("Unexpected failure probing the array at " + client.endpoint() + ": " + e,
                    context.clock());
        }
    }

    /** One fresh read of the array's pools; the host caches it. */
    @Override
    public BackendStats collectStats() {
        ${classPrefix}Client.Answer answer = client.call("GET", "/api/pools");
        BackendStats.Builder stats = BackendStats.builder()
                .backendName(backendName)
                .describedBy(descriptor)
                .collectedAt(context.clock().instant());
        for (String line : answer.body.split("\n")) {
            // name total_gib free_gib volumes
            String[] f = line.strip().split(" ");
            if (f.length != 4) {
                throw new DeviceUnavailableException("The array at " + client.endpoint() + " sent a malformed pool line '"
                        + line + "'");
            }
            stats.pool(PoolStats.builder(f[0])
                    .totalCapacity(Capacity.ofGib(Long.parseLong(f[1])))
                    .freeCapacity(Capacity.ofGib(Long.parseLong(f[2])))
                    .totalVolumes(Long.parseLong(f[3]))
                    .thickProvisioningSupport(true)
                    .thinProvisioningSupport(false)
                    .build());
        }
        return stats.build();
    }

    @Override
    public Volume createVolume(VolumeSpec spec) {
        String pool = spec.pool().orElseGet(() -> collectStats().pools().get(0).poolName());
        client.call("PUT", "/api/volumes/" + name(spec.name()) + "?pool=" + name(pool) + "&size=" + spec.sizeGib());
        return spec.toVolume(pool, Optional.of("${driverId}:" + pool + "/" + spec.name()));
    }

    /** Idempotent: a volume that is already gone is deleted. */
    @Override
    public void deleteVolume(Volume volume) {
        String path = "/api/volumes/" + name(volume.name());
        ${classPrefix}Client.Answer answer = client.send("DELETE", path);
        if (answer.status != 404) {
            client.check("DELETE", path, answer);
        }
    }

    @Override
    public Volume extendVolume(Volume volume, long newSizeGib) {
        if (newSizeGib <= volume.sizeGib()) {
            throw new CinderblockException(ErrorCode.INVALID_ARGUMENT, "Cannot extend volume '" + volume.name() + "' of "
                    + volume.sizeGib() + " GiB to " + newSizeGib + " GiB: the new size must be larger");
        }
        client.call("POST", "/api/volumes/" + name(volume.name()) + "?size=" + newSizeGib);
        return volume.withSizeGib(newSizeGib);
    }

    @Override
    public void close() {
        client.close();
    }

    private static String name(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new CinderblockException(ErrorCode.INVALID_ARGUMENT, "The array cannot take the name '" + name + "'");
        }
        return name;
    }
}
