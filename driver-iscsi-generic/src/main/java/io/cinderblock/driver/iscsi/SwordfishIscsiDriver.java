package io.cinderblock.driver.iscsi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cinderblock.sdk.error.CinderblockException;
import io.cinderblock.sdk.error.ErrorCode;
import io.cinderblock.sdk.spi.BackendState;
import io.cinderblock.sdk.spi.BackendStats;
import io.cinderblock.sdk.spi.ConnectionInfo;
import io.cinderblock.sdk.spi.Connector;
import io.cinderblock.sdk.spi.DriverContext;
import io.cinderblock.sdk.spi.DriverDescriptor;
import io.cinderblock.sdk.spi.PoolStats;
import io.cinderblock.sdk.spi.Volume;
import io.cinderblock.sdk.spi.VolumeDriver;
import io.cinderblock.sdk.spi.VolumeSpec;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The {@code iscsi-generic} driver for one backend: one Swordfish storage resource ({@code
 * /redfish/v1/Storage/{id}}, or {@code StorageServices/{id}} on Swordfish 1.0/1.1 arrays), its
 * pools, volumes, and the iSCSI endpoints and connections that export them.
 *
 * <p>Every HTTP request is bounded by the connect and request timeouts; {@link #backendState()}
 * shares one budget across its requests so it ends within {@link #stateDeadline()}. The
 * discovered resource paths are cached and rediscovered when the array stops knowing them.
 */
final class SwordfishIscsiDriver implements VolumeDriver {
    private static final long BYTES_PER_GIB = 1L << 30;
    private static final int DEFAULT_ISCSI_PORT = 3260;

    private final DriverDescriptor descriptor;
    private final String backendName;
    private final SwordfishSettings settings;
    private final RedfishClient client;
    private final System.Logger logger;
    private final Clock clock;
    private volatile StorageRefs storageRefs;
    private volatile FabricRefs fabricRefs;

    /** Where the storage resource and its collections live. */
    private record StorageRefs(String path, String id, String poolsPath, String volumesPath,
            Optional<String> endpointsPath, Optional<String> connectionsPath) {}

    /** Where iSCSI endpoints and connections live. */
    private record FabricRefs(String endpointsPath, String connectionsPath) {}

    /** The storage resource, freshly read. */
    private record StorageView(StorageRefs refs, JsonNode node) {}

    /** Whether the storage's Status allows service, and why. */
    private record Verdict(boolean up, String reason) {}

    SwordfishIscsiDriver(DriverDescriptor descriptor, String backendName, SwordfishSettings settings,
            DriverContext context) {
        this.descriptor = descriptor;
        this.backendName = backendName;
        this.settings = settings;
        this.logger = context.logger();
        this.clock = context.clock();
        if (!settings.verifyTls()) {
            logger.log(System.Logger.Level.WARNING, "Backend '" + backendName + "': TLS certificate and host name "
                    + "verification is OFF (" + SwordfishDriverProvider.VERIFY_TLS + " = false); anyone on the path "
                    + "to " + settings.authority() + " can read the array credentials");
        }
        this.client = new RedfishClient(settings, logger);
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

    // ---------------------------------------------------------------- state and stats

    @Override
    public BackendState backendState() {
        try {
            Deadline deadline = Deadline.after(probeBudget());
            StorageView storage = readStorage(deadline);
            Verdict verdict = verdict(storage);
            if (!verdict.up()) {
                return BackendState.down(verdict.reason(), clock);
            }
            if (!settings.pools().isEmpty()) {
                Map<String, String> pools = poolPaths(storage.refs(), deadline);
                Optional<String> missing = missingPools(pools, storage.refs());
                if (missing.isPresent()) {
                    return BackendState.down(missing.get(), clock);
                }
            }
            return BackendState.up(verdict.reason(), clock);
        } catch (CinderblockException e) {
            return BackendState.down(e.getMessage(), clock);
        } catch (RuntimeException e) {
            // The contract says never throw: a bug here still yields an honest DOWN.
            return BackendState.down("State probe of " + settings.authority() + " failed: " + e, clock);
        }
    }

    @Override
    public BackendStats collectStats() {
        StorageView storage = readStorage(client.newDeadline());
        Verdict verdict = verdict(storage);
        Map<String, String> pools = poolPaths(storage.refs(), client.newDeadline());
        Optional<String> missing = missingPools(pools, storage.refs());
        if (missing.isPresent()) {
            throw new CinderblockException(ErrorCode.OPERATION_FAILED, missing.get());
        }
        BackendStats.Builder stats = BackendStats.builder()
                .backendName(backendName)
                .describedBy(descriptor)
                .backendState(verdict.up() ? BackendState.Status.UP : BackendState.Status.DOWN)
                .extraCapability("swordfish_storage_id", storage.refs().id());
        for (String path : selectedPools(pools).values()) {
            JsonNode pool = get(path);
            PoolMapping.Result result = PoolMapping.map(withId(pool, path), totalVolumes(pool, path),
                    storage.refs().id());
            result.warnings().forEach(w -> logger.log(System.Logger.Level.WARNING, "Backend '" + backendName + "': " + w));
            stats.pool(result.pool());
        }
        return stats.collectedAt(clock.instant()).build();
    }

    private Verdict verdict(StorageView storage) {
        String resource = "Storage " + storage.refs().path();
        String id = storage.refs().id();
        String state = Json.text(storage.node(), "Status.State", resource);
        Optional<String> health = Json.optionalText(storage.node(), "Status.Health", resource)
                .or(() -> Json.optionalText(storage.node(), "Status.HealthRollup", resource));
        if (!state.equals("Enabled")) {
            return new Verdict(false, "Storage '" + id + "' on " + settings.authority() + " is in State '" + state
                    + "', not Enabled");
        }
        String healthValue = health.orElseThrow(() -> Json.missing(resource, "Status.Health"));
        switch (healthValue) {
            case "OK":
                return new Verdict(true, "Storage '" + id + "' on " + settings.authority() + " is Enabled, Health OK");
            case "Warning":
                return new Verdict(true, "Storage '" + id + "' on " + settings.authority() + " reports Health Warning"
                        + statusConditions(storage.node()));
            default:
                return new Verdict(false, "Storage '" + id + "' on " + settings.authority() + " reports Health '"
                        + healthValue + "'" + statusConditions(storage.node()));
        }
    }

    /** The first Redfish status condition's message, if the array gives one. */
    private static String statusConditions(JsonNode storage) {
        JsonNode conditions = Json.at(storage, "Status.Conditions");
        if (conditions != null && conditions.isArray() && conditions.size() > 0
                && conditions.get(0).path("Message").isTextual()) {
            return ": " + conditions.get(0).path("Message").asText();
        }
        return "";
    }

    private Optional<String> missingPools(Map<String, String> pools, StorageRefs refs) {
        List<String> missing = settings.pools().stream().filter(p -> !pools.containsKey(p)).toList();
        if (missing.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("Configured pool" + (missing.size() > 1 ? "s " : " ") + quoted(missing)
                + " not found in storage '" + refs.id() + "' on " + settings.authority() + " (it has: "
                + (pools.isEmpty() ? "none" : quoted(new ArrayList<>(pools.keySet()))) + ")");
    }

    private Map<String, String> selectedPools(Map<String, String> pools) {
        if (settings.pools().isEmpty()) {
            return pools;
        }
        Map<String, String> selected = new LinkedHashMap<>();
        settings.pools().forEach(id -> selected.put(id, pools.get(id)));
        return selected;
    }

    /** Pool id to path, in the array's order. */
    private Map<String, String> poolPaths(StorageRefs refs, Deadline deadline) {
        JsonNode collection = client.get(refs.poolsPath(), deadline);
        Map<String, String> pools = new LinkedHashMap<>();
        for (String member : Json.members(collection, "StoragePool collection " + refs.poolsPath())) {
            pools.put(Json.lastSegment(member), member);
        }
        return pools;
    }

    private OptionalLong totalVolumes(JsonNode pool, String path) {
        Optional<String> link = Json.optionalLink(pool, "AllocatedVolumes", "StoragePool " + path);
        if (link.isEmpty()) {
            return OptionalLong.empty();
        }
        JsonNode volumes = get(link.get());
        OptionalLong count = Json.optionalLong(volumes, "Members@odata.count", "Volume collection " + link.get());
        return count.isPresent() ? count : OptionalLong.of(Json.members(volumes, "Volume collection " + link.get()).size());
    }

    private static JsonNode withId(JsonNode pool, String path) {
        if (Json.at(pool, "@odata.id") == null && pool.isObject()) {
            ObjectNode copy = ((ObjectNode) pool).deepCopy();
            copy.put("@odata.id", path);
            return copy;
        }
        return pool;
    }

    // ---------------------------------------------------------------- discovery

    private StorageView readStorage(Deadline deadline) {
        StorageRefs refs = storageRefs;
        if (refs != null) {
            RedfishClient.Response response = client.send("GET", refs.path(), null, deadline);
            if (response.isSuccess()) {
                return new StorageView(refs, response.body());
            }
            if (response.status() != 404) {
                client.requireSuccess(response, "reading the storage");
            }
            storageRefs = null; // the array renumbered its resources: discover again
        }
        return discoverStorage(deadline);
    }

    private StorageRefs storageRefs() {
        StorageRefs refs = storageRefs;
        return refs != null ? refs : discoverStorage(client.newDeadline()).refs();
    }

    private StorageView discoverStorage(Deadline deadline) {
        JsonNode root = client.get("/redfish/v1/", deadline);
        Optional<String> collectionPath = Json.optionalLink(root, "Storage", "service root")
                .or(() -> Json.optionalLink(root, "StorageServices", "service root"));
        if (collectionPath.isEmpty()) {
            throw Json.missing("Service root /redfish/v1/", "Storage");
        }
        List<String> members = Json.members(client.get(collectionPath.get(), deadline),
                "Storage collection " + collectionPath.get());
        String chosen;
        if (settings.storageId().isPresent()) {
            String wanted = settings.storageId().get();
            chosen = members.stream().filter(m -> Json.lastSegment(m).equals(wanted)).findFirst()
                    .orElseThrow(() -> new CinderblockException(ErrorCode.OPERATION_FAILED, "Storage '" + wanted
                            + "' (option '" + SwordfishDriverProvider.STORAGE_ID + "') not found on "
                            + settings.authority() + " (it has: " + quoted(ids(members)) + ")"));
        } else if (members.isEmpty()) {
            throw new CinderblockException(ErrorCode.OPERATION_FAILED, "Swordfish service at " + settings.authority()
                    + " lists no storage in " + collectionPath.get());
        } else {
            chosen = members.get(0);
        }
        JsonNode node = client.get(chosen, deadline);
        String resource = "Storage " + chosen;
        StorageRefs refs = new StorageRefs(chosen, Json.lastSegment(chosen),
                Json.link(node, "StoragePools", resource),
                Json.link(node, "Volumes", resource),
                Json.optionalLink(node, "Endpoints", resource),
                Json.optionalLink(node, "Connections", resource));
        storageRefs = refs;
        return new StorageView(refs, node);
    }

    private FabricRefs fabricRefs() {
        FabricRefs cached = fabricRefs;
        if (cached != null) {
            return cached;
        }
        StorageRefs storage = storageRefs();
        FabricRefs found;
        if (storage.endpointsPath().isPresent() && storage.connectionsPath().isPresent()) {
            found = new FabricRefs(storage.endpointsPath().get(), storage.connectionsPath().get());
        } else {
            JsonNode root = get("/redfish/v1/");
            String fabricsPath = Json.optionalLink(root, "Fabrics", "service root").orElseThrow(() -> Json.missing(
                    "Service root /redfish/v1/ (and Storage " + storage.path() + " has no Endpoints/Connections)",
                    "Fabrics"));
            List<String> fabrics = Json.members(get(fabricsPath), "Fabric collection " + fabricsPath);
            JsonNode fabric = null;
            String fabricPath = null;
            for (String path : fabrics) {
                if (settings.fabricId().isPresent()) {
                    if (Json.lastSegment(path).equals(settings.fabricId().get())) {
                        fabric = get(path);
                        fabricPath = path;
                        break;
                    }
                    continue;
                }
                JsonNode candidate = get(path);
                if (Json.optionalText(candidate, "FabricType", "Fabric " + path).orElse("").equalsIgnoreCase("iSCSI")) {
                    fabric = candidate;
                    fabricPath = path;
                    break;
                }
            }
            if (fabric == null) {
                throw new CinderblockException(ErrorCode.OPERATION_FAILED, settings.fabricId()
                        .map(id -> "Fabric '" + id + "' (option '" + SwordfishDriverProvider.FABRIC_ID + "') not found on "
                                + settings.authority())
                        .orElse("Swordfish service at " + settings.authority() + " has no fabric of FabricType iSCSI"));
            }
            found = new FabricRefs(Json.link(fabric, "Endpoints", "Fabric " + fabricPath),
                    Json.link(fabric, "Connections", "Fabric " + fabricPath));
        }
        fabricRefs = found;
        return found;
    }

    // ---------------------------------------------------------------- volumes

    @Override
    public Volume createVolume(VolumeSpec spec) {
        checkName(spec.name());
        StorageRefs refs = storageRefs();
        Map<String, String> pools = selectedPools(poolPaths(refs, client.newDeadline()));
        String poolId = choosePool(spec, pools, refs);
        String poolPath = pools.get(poolId);
        long bytes = bytes(spec.sizeGib());
        checkRoom(poolPath, poolId, bytes, refs);

        ObjectNode body = client.newObject();
        body.put("Name", spec.name());
        body.put("CapacityBytes", bytes);
        body.putArray("CapacitySources").addObject().putObject("ProvidingPools").putArray("Members").addObject()
                .put("@odata.id", poolPath);
        String doing = "creating volume '" + spec.name() + "' in pool '" + poolId + "'";
        RedfishClient.Response response = finish(client.send("POST", refs.volumesPath(), body,
                client.newDeadline()), doing);
        String path = createdAt(response, "Volume").or(() -> findVolumeByName(refs, spec.name())).orElseThrow(() -> new CinderblockException(
                ErrorCode.OPERATION_FAILED, "Swordfish service at " + settings.authority() + " reported success "
                        + doing + " but the volume is not in " + refs.volumesPath()));
        logger.log(System.Logger.Level.INFO, "Backend '" + backendName + "': created volume '" + spec.name() + "' ("
                + spec.sizeGib() + " GiB) at " + path);
        return spec.toVolume(poolId, Optional.of(path));
    }

    @Override
    public void deleteVolume(Volume volume) {
        Optional<String> path = volumePath(volume);
        if (path.isEmpty()) {
            logger.log(System.Logger.Level.INFO, "Backend '" + backendName + "': volume '" + volume.name()
                    + "' is already gone");
            return;
        }
        RedfishClient.Response response = client.send("DELETE", path.get(), null, client.newDeadline());
        if (response.status() == 404) {
            return;
        }
        finish(response, "deleting volume '" + volume.name() + "'");
        logger.log(System.Logger.Level.INFO, "Backend '" + backendName + "': deleted volume '" + volume.name() + "'");
    }

    @Override
    public Volume extendVolume(Volume volume, long newSizeGib) {
        if (newSizeGib <= volume.sizeGib()) {
            // As Cinder: "New size for extend must be greater than current size".
            throw new CinderblockException(ErrorCode.INVALID_ARGUMENT, "New size " + newSizeGib + " GiB of volume '"
                    + volume.name() + "' must be greater than its current " + volume.sizeGib() + " GiB");
        }
        String path = volumePath(volume).orElseThrow(() -> notFound(volume));
        ObjectNode body = client.newObject().put("CapacityBytes", bytes(newSizeGib));
        RedfishClient.Response response = client.send("PATCH", path, body, client.newDeadline());
        if (response.status() == 404) {
            throw notFound(volume);
        }
        finish(response, "extending volume '" + volume.name() + "' to " + newSizeGib + " GiB");
        return volume.withSizeGib(newSizeGib);
    }

    private String choosePool(VolumeSpec spec, Map<String, String> pools, StorageRefs refs) {
        if (pools.isEmpty()) {
            throw new CinderblockException(ErrorCode.OPERATION_FAILED, "Storage '" + refs.id() + "' on "
                    + settings.authority() + " has no pool");
        }
        if (spec.pool().isPresent()) {
            String wanted = spec.pool().get();
            if (pools.get(wanted) == null) {
                throw new CinderblockException(ErrorCode.INVALID_ARGUMENT, "Pool '" + wanted + "' is not a pool of "
                        + "backend '" + backendName + "' (pools: " + quoted(new ArrayList<>(pools.keySet())) + ")");
            }
            return wanted;
        }
        if (pools.size() == 1) {
            return pools.keySet().iterator().next();
        }
        // Several pools and no choice made: the one with the most free space, as Cinder's scheduler would.
        String best = null;
        double bestFree = -1;
        for (Map.Entry<String, String> entry : pools.entrySet()) {
            if (entry.getValue() == null) {
                continue;
            }
            PoolStats pool = PoolMapping.map(withId(get(entry.getValue()), entry.getValue()), OptionalLong.empty(),
                    refs.id()).pool();
            double free = pool.freeCapacity().isKnown() ? pool.freeCapacity().gib() : 0;
            if (free > bestFree) {
                best = entry.getKey();
                bestFree = free;
            }
        }
        return best;
    }

    /** Refuses early when a thick-only pool visibly lacks the room; thin pools are left to the array. */
    private void checkRoom(String poolPath, String poolId, long bytes, StorageRefs refs) {
        PoolStats pool = PoolMapping.map(withId(get(poolPath), poolPath), OptionalLong.empty(), refs.id()).pool();
        if (!pool.thinProvisioningSupport() && pool.freeCapacity().isKnown()
                && pool.freeCapacity().gib() * BYTES_PER_GIB < bytes) {
            throw new CinderblockException(ErrorCode.INSUFFICIENT_CAPACITY, "Pool '" + poolId + "' has "
                    + pool.freeCapacity().gib() + " GiB free, less than the " + bytes / BYTES_PER_GIB + " GiB asked for");
        }
    }

    private Optional<String> volumePath(Volume volume) {
        if (volume.providerLocation().isPresent()) {
            return volume.providerLocation();
        }
        return findVolumeByName(storageRefs(), volume.name());
    }

    private Optional<String> findVolumeByName(StorageRefs refs, String name) {
        for (String member : Json.members(get(refs.volumesPath()), "Volume collection " + refs.volumesPath())) {
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

    private CinderblockException notFound(Volume volume) {
        return new CinderblockException(ErrorCode.NOT_FOUND, "Volume '" + volume.name() + "' is not on storage '"
                + storageRefs().id() + "' at " + settings.authority());
    }

    /**
     * Completes an operation's response: a 202 is followed through its task monitor; a 4xx becomes
     * a typed error ({@link ErrorCode#INSUFFICIENT_CAPACITY} when the array says so).
     */
    private RedfishClient.Response finish(RedfishClient.Response response, String doing) {
        RedfishClient.Response result = response.status() == 202 ? awaitTask(response, doing) : response;
        if (!result.isSuccess() && result.status() != 404) {
            String id = RedfishClient.errorMessageId(result.body()).orElse("").toLowerCase(Locale.ROOT);
            if (id.contains("insufficient") || id.contains("capacity")) {
                throw new CinderblockException(ErrorCode.INSUFFICIENT_CAPACITY, "Swordfish service at "
                        + settings.authority() + " lacks the capacity for " + doing
                        + RedfishClient.errorMessage(result.body()));
            }
            client.requireSuccess(result, doing);
        }
        return result;
    }

    /**
     * Polls a Redfish task monitor until the operation ends or {@code swordfish_task_timeout}
     * passes. The monitor answers 202 while running and the operation's own response when done;
     * some arrays answer with the Task resource instead, whose {@code TaskState} is then read.
     */
    private RedfishClient.Response awaitTask(RedfishClient.Response accepted, String doing) {
        String monitor = accepted.location()
                .or(() -> Json.optionalText(accepted.body(), "@odata.id", "task"))
                .orElseThrow(() -> new SwordfishProtocolException("Swordfish service at " + settings.authority()
                        + " accepted " + doing + " (HTTP 202) without a task monitor Location", "Location", null));
        Deadline deadline = Deadline.after(settings.taskTimeout());
        RedfishClient.Response last = accepted;
        while (true) {
            Duration pause = deadline.capped(retryAfter(last));
            if (deadline.expired()) {
                throw new CinderblockException(ErrorCode.OPERATION_FAILED, "Swordfish task " + monitor + " for "
                        + doing + " did not finish within " + RedfishClient.seconds(settings.taskTimeout()));
            }
            sleep(pause);
            last = client.send("GET", monitor, null, client.newDeadline());
            Optional<String> state = Json.optionalText(last.body(), "TaskState", "Task " + monitor);
            if (state.isPresent()) {
                switch (state.get()) {
                    case "Completed":
                        if ("Critical".equals(Json.optionalText(last.body(), "TaskStatus", "Task " + monitor).orElse(""))) {
                            throw taskFailed(monitor, doing, last.body());
                        }
                        return last;
                    case "Exception":
                    case "Killed":
                    case "Cancelled":
                    case "Interrupted":
                        throw taskFailed(monitor, doing, last.body());
                    default:
                        continue;
                }
            }
            if (last.status() != 202) {
                return last;
            }
        }
    }

    /**
     * Where a POST created its resource: the Location header, else the returned resource's {@code
     * @odata.id}. Empty when the answer is a completed Task, whose Location and id name the task
     * itself; callers then search for what they created.
     */
    private Optional<String> createdAt(RedfishClient.Response response, String type) {
        if (Json.at(response.body(), "TaskState") != null) {
            return Optional.empty();
        }
        return response.location().or(() -> Json.optionalText(response.body(), "@odata.id", type))
                .map(l -> client.resolve(l).getRawPath());
    }

    private CinderblockException taskFailed(String monitor, String doing, JsonNode task) {
        JsonNode messages = Json.at(task, "Messages");
        String detail = messages != null && messages.isArray() && messages.size() > 0
                && messages.get(0).path("Message").isTextual() ? ": " + messages.get(0).path("Message").asText() : "";
        return new CinderblockException(ErrorCode.OPERATION_FAILED, "Swordfish task " + monitor + " for " + doing
                + " failed (TaskState " + Json.optionalText(task, "TaskState", "task").orElse("?") + ")" + detail);
    }

    private static Duration retryAfter(RedfishClient.Response response) {
        long seconds = response.headers().firstValueAsLong("Retry-After").orElse(-1);
        if (seconds < 0) {
            return Duration.ofMillis(200);
        }
        return Duration.ofSeconds(Math.min(seconds, 5));
    }

    private static void sleep(Duration pause) {
        if (pause.isNegative() || pause.isZero()) {
            return;
        }
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CinderblockException(ErrorCode.OPERATION_FAILED, "Interrupted while waiting for a Swordfish task");
        }
    }

    // ---------------------------------------------------------------- connections

    @Override
    public ConnectionInfo initializeConnection(Volume volume, Connector connector) {
        String initiator = initiator(connector);
        String volumePath = volumePath(volume).orElseThrow(() -> notFound(volume));
        FabricRefs fabric = fabricRefs();
        String initiatorEndpoint = findInitiatorEndpoint(fabric, initiator)
                .orElseGet(() -> createInitiatorEndpoint(fabric, initiator, connector.host()));
        JsonNode connection = findConnections(fabric, volumePath, Optional.of(initiatorEndpoint)).stream().findFirst()
                .map(this::get)
                .orElseGet(() -> createConnection(fabric, volume, volumePath, initiatorEndpoint));
        return connectionInfo(connection, volume, volumePath);
    }

    @Override
    public void terminateConnection(Volume volume, Connector connector) {
        Optional<String> volumePath = volumePath(volume);
        if (volumePath.isEmpty()) {
            return;
        }
        FabricRefs fabric = fabricRefs();
        Optional<String> initiatorEndpoint = Optional.empty();
        if (connector.initiator().isPresent()) {
            initiatorEndpoint = findInitiatorEndpoint(fabric, connector.initiator().get());
            if (initiatorEndpoint.isEmpty()) {
                return; // the array never knew this initiator: nothing is exported to it
            }
        }
        for (String connection : findConnections(fabric, volumePath.get(), initiatorEndpoint)) {
            RedfishClient.Response response = client.send("DELETE", connection, null, client.newDeadline());
            if (response.status() != 404) {
                finish(response, "removing connection " + connection);
            }
        }
    }

    private static String initiator(Connector connector) {
        String iqn = connector.initiator().orElseThrow(() -> new CinderblockException(ErrorCode.INVALID_ARGUMENT,
                "Connector of host '" + connector.host() + "' has no iSCSI initiator name"));
        if (!ConnectionInfo.isValidIqn(iqn)) {
            throw new CinderblockException(ErrorCode.INVALID_ARGUMENT, "Connector of host '" + connector.host()
                    + "' has an invalid iSCSI initiator name '" + iqn + "'");
        }
        return iqn;
    }

    private Optional<String> findInitiatorEndpoint(FabricRefs fabric, String iqn) {
        for (String member : Json.members(get(fabric.endpointsPath()), "Endpoint collection " + fabric.endpointsPath())) {
            if (durableName(get(member), member, "iQN").filter(iqn::equalsIgnoreCase).isPresent()) {
                return Optional.of(member);
            }
        }
        return Optional.empty();
    }

    private String createInitiatorEndpoint(FabricRefs fabric, String iqn, String host) {
        ObjectNode body = client.newObject();
        body.put("Name", host);
        body.put("EndpointProtocol", "iSCSI");
        body.putArray("Identifiers").addObject().put("DurableName", iqn).put("DurableNameFormat", "iQN");
        body.putArray("ConnectedEntities").addObject().put("EntityRole", "Initiator");
        RedfishClient.Response response = finish(client.send("POST", fabric.endpointsPath(), body,
                client.newDeadline()), "registering initiator '" + iqn + "'");
        return createdAt(response, "Endpoint")
                .or(() -> findInitiatorEndpoint(fabric, iqn))
                .orElseThrow(() -> new SwordfishProtocolException("Swordfish service at " + settings.authority()
                        + " created initiator endpoint '" + iqn + "' but does not list it", "Location", null));
    }

    /** Connections that export {@code volumePath}, to {@code initiatorEndpoint} or to anyone. */
    private List<String> findConnections(FabricRefs fabric, String volumePath, Optional<String> initiatorEndpoint) {
        List<String> found = new ArrayList<>();
        for (String member : Json.members(get(fabric.connectionsPath()), "Connection collection "
                + fabric.connectionsPath())) {
            RedfishClient.Response response = client.send("GET", member, null, client.newDeadline());
            if (!response.isSuccess()) {
                continue; // removed while we listed
            }
            String resource = "Connection " + member;
            boolean volumeMatches = volumeInfo(response.body(), volumePath, resource).isPresent();
            boolean initiatorMatches = initiatorEndpoint.isEmpty()
                    || Json.links(response.body(), "Links.InitiatorEndpoints", resource).contains(initiatorEndpoint.get());
            if (volumeMatches && initiatorMatches) {
                found.add(member);
            }
        }
        return found;
    }

    private JsonNode createConnection(FabricRefs fabric, Volume volume, String volumePath, String initiatorEndpoint) {
        ObjectNode body = client.newObject();
        body.put("Name", "cinder-" + volume.id());
        body.put("ConnectionType", "Storage");
        ObjectNode info = body.putArray("VolumeInfo").addObject();
        info.putObject("Volume").put("@odata.id", volumePath);
        info.putArray("AccessCapabilities").add("Read").add("Write");
        body.putObject("Links").putArray("InitiatorEndpoints").addObject().put("@odata.id", initiatorEndpoint);
        String doing = "exporting volume '" + volume.name() + "'";
        RedfishClient.Response response = finish(client.send("POST", fabric.connectionsPath(), body,
                client.newDeadline()), doing);
        if (Json.at(response.body(), "Links.TargetEndpoints") != null) {
            return response.body();
        }
        Optional<String> location = createdAt(response, "Connection");
        if (location.isPresent()) {
            return get(location.get());
        }
        return findConnections(fabric, volumePath, Optional.of(initiatorEndpoint)).stream().findFirst().map(this::get)
                .orElseThrow(() -> new SwordfishProtocolException("Swordfish service at " + settings.authority()
                        + " reported success " + doing + " but lists no such connection", "Location", null));
    }

    private ConnectionInfo connectionInfo(JsonNode connection, Volume volume, String volumePath) {
        String resource = "Connection " + Json.optionalText(connection, "@odata.id", "Connection").orElse("");
        List<String> targets = Json.links(connection, "Links.TargetEndpoints", resource);
        if (targets.isEmpty()) {
            throw Json.missing(resource, "Links.TargetEndpoints");
        }
        String targetPath = targets.get(0);
        JsonNode target = get(targetPath);
        String targetResource = "Endpoint " + targetPath;
        String iqn = durableName(target, targetPath, "iQN")
                .orElseThrow(() -> Json.missing(targetResource, "Identifiers[DurableNameFormat=iQN].DurableName"));
        String portal = settings.portalOverride().orElseGet(() -> portal(target, targetResource));
        int lun = volumeInfo(connection, volumePath, resource)
                .map(v -> Json.optionalLong(v, "LUN", resource + " VolumeInfo"))
                .filter(OptionalLong::isPresent)
                .map(l -> Math.toIntExact(l.getAsLong()))
                .orElse(0);
        ConnectionInfo.IscsiBuilder builder;
        try {
            builder = ConnectionInfo.iscsi(iqn, portal, lun);
        } catch (IllegalArgumentException e) {
            throw new SwordfishProtocolException(targetResource + ": " + e.getMessage(), "Identifiers", e);
        }
        Optional<String> chapUser = Json.optionalText(connection, "ConnectionKeys.CHAP.CHAPUsername", resource);
        String chapType = Json.optionalText(connection, "ConnectionKeys.CHAP.CHAPType", resource).orElse("OneWay");
        if (chapUser.isPresent() && !chapType.equals("None")) {
            String secret = Json.optionalText(connection, "ConnectionKeys.CHAP.CHAPPassword", resource)
                    .orElseThrow(() -> Json.missing(resource, "ConnectionKeys.CHAP.CHAPPassword"));
            builder.chap(chapUser.get(), secret);
        }
        return builder.volumeId(volume.id()).accessMode("rw").build();
    }

    private static Optional<JsonNode> volumeInfo(JsonNode connection, String volumePath, String resource) {
        JsonNode infos = Json.at(connection, "VolumeInfo");
        if (infos == null || !infos.isArray()) {
            return Optional.empty();
        }
        for (JsonNode info : infos) {
            if (Json.optionalLink(info, "Volume", resource + " VolumeInfo").filter(volumePath::equals).isPresent()) {
                return Optional.of(info);
            }
        }
        return Optional.empty();
    }

    private static Optional<String> durableName(JsonNode endpoint, String path, String format) {
        JsonNode identifiers = Json.at(endpoint, "Identifiers");
        if (identifiers == null || !identifiers.isArray()) {
            return Optional.empty();
        }
        for (JsonNode identifier : identifiers) {
            if (format.equalsIgnoreCase(identifier.path("DurableNameFormat").asText(""))) {
                return Json.optionalText(identifier, "DurableName", "Endpoint " + path);
            }
        }
        return Optional.empty();
    }

    private static String portal(JsonNode target, String resource) {
        JsonNode details = Json.at(target, "IPTransportDetails");
        if (details == null || !details.isArray() || details.size() == 0) {
            throw Json.missing(resource, "IPTransportDetails");
        }
        JsonNode first = details.get(0);
        Optional<String> v4 = Json.optionalText(first, "IPv4Address.Address", resource);
        Optional<String> v6 = Json.optionalText(first, "IPv6Address.Address", resource);
        String host = v4.or(() -> v6.map(a -> "[" + a + "]"))
                .orElseThrow(() -> Json.missing(resource, "IPTransportDetails[0].IPv4Address.Address"));
        long port = Json.optionalLong(first, "Port", resource).orElse(DEFAULT_ISCSI_PORT);
        return host + ":" + port;
    }

    // ---------------------------------------------------------------- helpers

    private JsonNode get(String path) {
        return client.get(path, client.newDeadline());
    }

    private static List<String> ids(List<String> paths) {
        return paths.stream().map(Json::lastSegment).toList();
    }

    private static String quoted(List<String> values) {
        return "'" + String.join("', '", values) + "'";
    }

    @Override
    public void close() {
        client.close();
    }
}
