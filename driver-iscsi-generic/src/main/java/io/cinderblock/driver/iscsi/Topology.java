package io.cinderblock.driver.iscsi;

import com.fasterxml.jackson.databind.JsonNode;
import io.cinderblock.sdk.error.CinderblockException;
import io.cinderblock.sdk.error.ErrorCode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds and caches where things live on the array: the storage resource this backend manages, its
 * pools and volumes collections, and the iSCSI endpoints and connections. Also judges the storage's
 * {@code Status}. Pools are named by the last segment of their {@code @odata.id} everywhere (stats,
 * {@code swordfish_pools}, volume placement): it is unique and addressable by construction, while
 * {@code Id} is not reliably equal to it (SNIA's mockups have {@code .../StoragePools/P1} with
 * {@code "Id": "1"}).
 */
final class Topology {
    /** Where the storage resource and its collections live; every link but the resource's own is optional. */
    record StorageRefs(String path, String id, Optional<String> poolsPath, Optional<String> volumesPath,
            Optional<String> endpointsPath, Optional<String> connectionsPath) {}

    /** Where iSCSI endpoints and connections live. */
    record FabricRefs(String endpointsPath, String connectionsPath) {}

    /** The storage resource, freshly read. */
    record StorageView(StorageRefs refs, JsonNode node) {}

    /** Whether the storage's Status allows service, and why. */
    record Verdict(boolean up, String reason) {}

    private final SwordfishSettings settings;
    private final RedfishClient client;
    private volatile StorageRefs storageRefs;
    private volatile FabricRefs fabricRefs;

    Topology(SwordfishSettings settings, RedfishClient client) {
        this.settings = settings;
        this.client = client;
    }

    /** The storage resource: the cached one, rediscovered when the array answers 404 for it. */
    StorageView readStorage(Deadline deadline) {
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

    StorageRefs storageRefs() {
        StorageRefs refs = storageRefs;
        return refs != null ? refs : discoverStorage(client.newDeadline()).refs();
    }

    /**
     * The configured storage member, else the first one that links a {@code StoragePools}
     * collection: a service may list storage without pools first (SNIA's emulator lists NVMe
     * drives' storage before a pool-based array).
     */
    private StorageView discoverStorage(Deadline deadline) {
        JsonNode root = client.get("/redfish/v1/", deadline);
        Optional<String> collectionPath = Json.optionalLink(root, "Storage", "service root")
                .or(() -> Json.optionalLink(root, "StorageServices", "service root"));
        if (collectionPath.isEmpty()) {
            throw Json.missing("Service root /redfish/v1/", "Storage");
        }
        List<String> members = Json.members(client.get(collectionPath.get(), deadline),
                "Storage collection " + collectionPath.get());
        if (settings.storageId().isPresent()) {
            String wanted = settings.storageId().get();
            String chosen = members.stream().filter(m -> Json.lastSegment(m).equals(wanted)).findFirst()
                    .orElseThrow(() -> new CinderblockException(ErrorCode.OPERATION_FAILED, "Storage '" + wanted
                            + "' (option '" + SwordfishDriverProvider.STORAGE_ID + "') not found on "
                            + settings.authority() + " (it has: " + quotedOrNone(ids(members)) + ")"));
            return remember(chosen, client.get(chosen, deadline));
        }
        if (members.isEmpty()) {
            throw new CinderblockException(ErrorCode.OPERATION_FAILED, "Swordfish service at " + settings.authority()
                    + " lists no storage in " + collectionPath.get());
        }
        for (String member : members) {
            JsonNode node = client.get(member, deadline);
            if (Json.at(node, "StoragePools") != null) {
                return remember(member, node);
            }
        }
        throw new CinderblockException(ErrorCode.OPERATION_FAILED, "No storage on " + settings.authority()
                + " links a StoragePools collection (candidates: " + quotedOrNone(ids(members)) + "); set '"
                + SwordfishDriverProvider.STORAGE_ID + "' to the one to manage");
    }

    private StorageView remember(String path, JsonNode node) {
        String resource = "Storage " + path;
        StorageRefs refs = new StorageRefs(path, Json.lastSegment(path),
                Json.optionalLink(node, "StoragePools", resource),
                Json.optionalLink(node, "Volumes", resource),
                Json.optionalLink(node, "Endpoints", resource),
                Json.optionalLink(node, "Connections", resource));
        storageRefs = refs;
        return new StorageView(refs, node);
    }

    /** UP when {@code Status.State} is Enabled and {@code Health} (else {@code HealthRollup}) is OK or Warning. */
    Verdict verdict(StorageView storage) {
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

    /** Pool id (last URI segment) to path, in the array's order; empty when the storage links no pools. */
    Map<String, String> poolPaths(StorageRefs refs, Deadline deadline) {
        Map<String, String> pools = new LinkedHashMap<>();
        if (refs.poolsPath().isEmpty()) {
            return pools;
        }
        JsonNode collection = client.get(refs.poolsPath().get(), deadline);
        for (String member : Json.members(collection, "StoragePool collection " + refs.poolsPath().get())) {
            pools.put(Json.lastSegment(member), member);
        }
        return pools;
    }

    /** Why the configured pools are not all there, if they are not. */
    Optional<String> missingPools(Map<String, String> pools, StorageRefs refs) {
        List<String> missing = settings.pools().stream().filter(p -> !pools.containsKey(p)).toList();
        if (missing.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("Configured pool" + (missing.size() > 1 ? "s " : " ") + quoted(missing)
                + " not found in storage '" + refs.id() + "' on " + settings.authority() + " (it has: "
                + quotedOrNone(new ArrayList<>(pools.keySet())) + ")");
    }

    /** The configured pools, or all of them. */
    Map<String, String> selectedPools(Map<String, String> pools) {
        if (settings.pools().isEmpty()) {
            return pools;
        }
        Map<String, String> selected = new LinkedHashMap<>();
        settings.pools().forEach(id -> selected.put(id, pools.get(id)));
        return selected;
    }

    /**
     * Where iSCSI endpoints and connections live: the storage's own links, else the configured
     * fabric, else the first fabric of {@code FabricType} iSCSI.
     */
    FabricRefs fabricRefs() {
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

    private JsonNode get(String path) {
        return client.get(path, client.newDeadline());
    }

    private static List<String> ids(List<String> paths) {
        return paths.stream().map(Json::lastSegment).toList();
    }

    static String quoted(List<String> values) {
        return "'" + String.join("', '", values) + "'";
    }

    private static String quotedOrNone(List<String> values) {
        return values.isEmpty() ? "none" : quoted(values);
    }
}
