package io.cinderblock.driver.iscsi;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cinderblock.sdk.error.CinderblockException;
import io.cinderblock.sdk.error.ErrorCode;
import io.cinderblock.sdk.spi.PoolStats;
import io.cinderblock.sdk.spi.Volume;
import io.cinderblock.sdk.spi.VolumeSpec;
import java.util.ArrayList;
import java.util.Map;
import java.util.Optional;

/**
 * Creates, deletes, extends and finds volumes in the storage's {@code Volumes} collection. New
 * volumes go to the requested pool, else to the usable pool with the most free space; pools whose
 * {@code Status} says they cannot serve are never chosen.
 */
final class Volumes {
    private static final long BYTES_PER_GIB = 1L << 30;

    private final SwordfishSettings settings;
    private final RedfishClient client;
    private final Topology topology;
    private final Pools pools;
    private final Tasks tasks;
    private final System.Logger logger;
    private final String backendName;

    Volumes(SwordfishSettings settings, RedfishClient client, Topology topology, Pools pools, Tasks tasks,
            System.Logger logger, String backendName) {
        this.settings = settings;
        this.client = client;
        this.topology = topology;
        this.pools = pools;
        this.tasks = tasks;
        this.logger = logger;
        this.backendName = backendName;
    }

    Volume create(VolumeSpec spec) {
        checkName(spec.name());
        Topology.StorageRefs refs = topology.storageRefs();
        String volumesPath = volumesPath(refs);
        Map<String, String> candidates = topology.selectedPools(topology.poolPaths(refs, client.newDeadline()));
        long bytes = bytes(spec.sizeGib());
        String poolId = choosePool(spec, candidates, refs, bytes);
        String poolPath = candidates.get(poolId);

        ObjectNode body = client.newObject();
        body.put("Name", spec.name());
        body.put("CapacityBytes", bytes);
        body.putArray("CapacitySources").addObject().putObject("ProvidingPools").putArray("Members").addObject()
                .put("@odata.id", poolPath);
        String doing = "creating volume '" + spec.name() + "' in pool '" + poolId + "'";
        RedfishClient.Response response = tasks.finish(client.send("POST", volumesPath, body, client.newDeadline()),
                doing);
        String path = tasks.createdAt(response, "Volume").or(() -> findByName(volumesPath, spec.name()))
                .orElseThrow(() -> new CinderblockException(ErrorCode.OPERATION_FAILED, "Swordfish service at "
                        + settings.authority() + " reported success " + doing + " but the volume is not in "
                        + volumesPath));
        logger.log(System.Logger.Level.INFO, "Backend '" + backendName + "': created volume '" + spec.name() + "' ("
                + spec.sizeGib() + " GiB) at " + path);
        return spec.toVolume(poolId, Optional.of(path));
    }

    void delete(Volume volume) {
        Optional<String> path = path(volume);
        if (path.isEmpty()) {
            logger.log(System.Logger.Level.INFO, "Backend '" + backendName + "': volume '" + volume.name()
                    + "' is already gone");
            return;
        }
        RedfishClient.Response response = client.send("DELETE", path.get(), null, client.newDeadline());
        if (response.status() == 404) {
            return;
        }
        tasks.finish(response, "deleting volume '" + volume.name() + "'");
        logger.log(System.Logger.Level.INFO, "Backend '" + backendName + "': deleted volume '" + volume.name() + "'");
    }

    Volume extend(Volume volume, long newSizeGib) {
        if (newSizeGib <= volume.sizeGib()) {
            // As Cinder: "New size for extend must be greater than current size".
            throw new CinderblockException(ErrorCode.INVALID_ARGUMENT, "New size " + newSizeGib + " GiB of volume '"
                    + volume.name() + "' must be greater than its current " + volume.sizeGib() + " GiB");
        }
        String path = path(volume).orElseThrow(() -> notFound(volume));
        ObjectNode body = client.newObject().put("CapacityBytes", bytes(newSizeGib));
        RedfishClient.Response response = client.send("PATCH", path, body, client.newDeadline());
        if (response.status() == 404) {
            throw notFound(volume);
        }
        tasks.finish(response, "extending volume '" + volume.name() + "' to " + newSizeGib + " GiB");
        return volume.withSizeGib(newSizeGib);
    }

    /** The volume's {@code @odata.id}: its provider location, else found by {@code Name}. */
    Optional<String> path(Volume volume) {
        if (volume.providerLocation().isPresent()) {
            return volume.providerLocation();
        }
        Topology.StorageRefs refs = topology.storageRefs();
        return refs.volumesPath().flatMap(p -> findByName(p, volume.name()));
    }

    CinderblockException notFound(Volume volume) {
        return new CinderblockException(ErrorCode.NOT_FOUND, "Volume '" + volume.name() + "' is not on storage '"
                + topology.storageRefs().id() + "' at " + settings.authority());
    }

    private String volumesPath(Topology.StorageRefs refs) {
        return refs.volumesPath().orElseThrow(() -> new CinderblockException(ErrorCode.OPERATION_FAILED, "Storage '"
                + refs.id() + "' on " + settings.authority() + " links no Volumes collection; cannot create volumes"));
    }

    private String choosePool(VolumeSpec spec, Map<String, String> candidates, Topology.StorageRefs refs, long bytes) {
        if (candidates.isEmpty()) {
            throw new CinderblockException(ErrorCode.OPERATION_FAILED, "Storage '" + refs.id() + "' on "
                    + settings.authority() + " has no pool");
        }
        if (spec.pool().isPresent()) {
            String wanted = spec.pool().get();
            if (candidates.get(wanted) == null) {
                throw new CinderblockException(ErrorCode.INVALID_ARGUMENT, "Pool '" + wanted + "' is not a pool of "
                        + "backend '" + backendName + "' (pools: " + Topology.quoted(new ArrayList<>(candidates.keySet()))
                        + ")");
            }
            PoolStats pool = pools.capacity(wanted, candidates.get(wanted), refs.id());
            requireUsable(pool);
            checkRoom(pool, bytes);
            return wanted;
        }
        // No choice made: the usable pool with the most free space, as Cinder's scheduler would.
        PoolStats best = null;
        double bestFree = -1;
        java.util.List<String> refused = new ArrayList<>();
        for (Map.Entry<String, String> entry : candidates.entrySet()) {
            if (entry.getValue() == null) {
                continue;
            }
            PoolStats pool = pools.capacity(entry.getKey(), entry.getValue(), refs.id());
            if (pool.extraCapabilities().containsKey("swordfish_pool_status")) {
                refused.add("'" + entry.getKey() + "' " + pool.extraCapabilities().get("swordfish_pool_status"));
                continue;
            }
            double free = pool.freeCapacity().isKnown() ? pool.freeCapacity().gib() : 0;
            if (free > bestFree) {
                best = pool;
                bestFree = free;
            }
        }
        if (best == null) {
            throw new CinderblockException(ErrorCode.OPERATION_FAILED, "No usable pool on storage '" + refs.id()
                    + "' at " + settings.authority() + ": " + String.join("; ", refused));
        }
        checkRoom(best, bytes);
        return best.poolName();
    }

    private void requireUsable(PoolStats pool) {
        Object status = pool.extraCapabilities().get("swordfish_pool_status");
        if (status != null) {
            throw new CinderblockException(ErrorCode.OPERATION_FAILED, "Pool '" + pool.poolName() + "' on "
                    + settings.authority() + " " + status + "; it takes no new volumes");
        }
    }

    /** Refuses early when a thick-only pool visibly lacks the room; thin pools are left to the array. */
    private static void checkRoom(PoolStats pool, long bytes) {
        if (!pool.thinProvisioningSupport() && pool.freeCapacity().isKnown()
                && pool.freeCapacity().gib() * BYTES_PER_GIB < bytes) {
            throw new CinderblockException(ErrorCode.INSUFFICIENT_CAPACITY, "Pool '" + pool.poolName() + "' has "
                    + pool.freeCapacity().gib() + " GiB free, less than the " + bytes / BYTES_PER_GIB + " GiB asked for");
        }
    }

    private Optional<String> findByName(String volumesPath, String name) {
        for (String member : Json.members(client.get(volumesPath, client.newDeadline()), "Volume collection "
                + volumesPath)) {
            RedfishClient.Response response = client.send("GET", member, null, client.newDeadline());
            if (response.isSuccess() && name.equals(Json.optionalText(response.body(), "Name", "Volume " + member)
                    .orElse(null))) {
                return Optional.of(member);
            }
        }
        return Optional.empty();
    }

    private static void checkName(String name) {
        if (name.length() > 255 || name.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new CinderblockException(ErrorCode.INVALID_ARGUMENT, "Volume name must be at most 255 printable "
                    + "characters, got '" + name.replaceAll("\\p{Cntrl}", "?") + "'");
        }
    }

    private static long bytes(long gib) {
        try {
            return Math.multiplyExact(gib, BYTES_PER_GIB);
        } catch (ArithmeticException e) {
            throw new CinderblockException(ErrorCode.INVALID_ARGUMENT, "Volume size " + gib + " GiB is too large");
        }
    }
}
