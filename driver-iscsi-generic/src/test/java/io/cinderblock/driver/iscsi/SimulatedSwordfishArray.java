package io.cinderblock.driver.iscsi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * A <b>simulated</b> Swordfish array, not a real device: an in-memory resource tree loaded from
 * the hand-written fixture {@code swordfish/array.json} and served by WireMock through this
 * transformer. It is stateful: sessions open and close, created volumes appear in the collections
 * and their capacity leaves the pool, connections get LUNs and (optionally) CHAP keys, and
 * operations may run as Redfish tasks (HTTP 202 and a task monitor).
 */
final class SimulatedSwordfishArray implements ResponseDefinitionTransformerV2 {
    static final String NAME = "simulated-swordfish-array";
    static final String ROOT = "/redfish/v1/";
    static final String SESSIONS = "/redfish/v1/SessionService/Sessions";
    static final String VOLUMES = "/redfish/v1/Storage/S1/Volumes";
    static final String POOLS = "/redfish/v1/Storage/S1/StoragePools";
    static final String STORAGE = "/redfish/v1/Storage/S1";
    static final String ENDPOINTS = "/redfish/v1/Fabrics/ISCSI/Endpoints";
    static final String CONNECTIONS = "/redfish/v1/Fabrics/ISCSI/Connections";
    static final String TARGET = ENDPOINTS + "/TARGET0";

    private final ObjectMapper mapper = new ObjectMapper();
    private final String user;
    private final String password;
    private final Map<String, ObjectNode> resources = new LinkedHashMap<>();
    private final Map<String, String> sessions = new LinkedHashMap<>();
    private final Map<String, Integer> taskPolls = new LinkedHashMap<>();
    private final Map<String, ResponseDefinition> taskResults = new LinkedHashMap<>();
    private int nextId = 100;
    private int nextLun = 1;
    private int logins;
    private int deletedSessions;
    private boolean asyncOperations;
    private boolean tasksEndAsTaskResources;
    private String chapUser;
    private String chapSecret;

    SimulatedSwordfishArray(String user, String password) {
        this.user = user;
        this.password = password;
        reset();
    }

    /** Back to the fixture's state: no sessions, no created volumes, healthy, synchronous. */
    synchronized void reset() {
        resources.clear();
        sessions.clear();
        taskPolls.clear();
        taskResults.clear();
        asyncOperations = false;
        tasksEndAsTaskResources = false;
        chapUser = null;
        chapSecret = null;
        nextLun = 1;
        try (InputStream in = SimulatedSwordfishArray.class.getResourceAsStream("/swordfish/array.json")) {
            JsonNode all = mapper.readTree(in);
            for (Map.Entry<String, JsonNode> entry : all.properties()) {
                if (!entry.getKey().startsWith("_")) {
                    resources.put(entry.getKey(), (ObjectNode) entry.getValue());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String getName() {
        return NAME;
    }

    @Override
    public boolean applyGlobally() {
        return false; // only the catch-all stub uses it, so fault stubs stay faults
    }

    // ------------------------------------------------------------------ controls for tests

    synchronized void setStorageStatus(String state, String health) {
        ObjectNode status = (ObjectNode) resources.get(STORAGE).get("Status");
        status.put("State", state).put("Health", health);
    }

    synchronized void setTarget(String iqn, String host, int port) {
        ObjectNode target = resources.get(TARGET);
        ((ObjectNode) target.get("Identifiers").get(0)).put("DurableName", iqn);
        ObjectNode transport = (ObjectNode) target.get("IPTransportDetails").get(0);
        ((ObjectNode) transport.get("IPv4Address")).put("Address", host);
        transport.put("Port", port);
    }

    synchronized void enableChap(String username, String secret) {
        this.chapUser = username;
        this.chapSecret = secret;
    }

    synchronized void asyncOperations(boolean value) {
        this.asyncOperations = value;
    }

    /**
     * Whether a finished task monitor answers with the Task resource ({@code TaskState: Completed},
     * Location = the monitor) instead of the operation's own response; both are allowed by Redfish.
     */
    synchronized void tasksEndAsTaskResources(boolean value) {
        this.tasksEndAsTaskResources = value;
    }

    /** Forgets every session token, as an array does after a restart. */
    synchronized void expireSessions() {
        sessions.clear();
    }

    synchronized int logins() {
        return logins;
    }

    synchronized int openSessions() {
        return sessions.size();
    }

    synchronized int deletedSessions() {
        return deletedSessions;
    }

    synchronized ObjectNode resource(String path) {
        ObjectNode node = resources.get(path);
        return node == null ? null : node.deepCopy();
    }

    synchronized void putResource(String path, ObjectNode node) {
        resources.put(path, node);
    }

    synchronized long consumedBytes(String poolId) {
        return resources.get(POOLS + "/" + poolId).get("Capacity").get("Data").get("ConsumedBytes").asLong();
    }

    synchronized Optional<ObjectNode> volumeNamed(String name) {
        return resources.entrySet().stream()
                .filter(e -> e.getKey().startsWith(VOLUMES + "/") && name.equals(e.getValue().path("Name").asText()))
                .map(e -> e.getValue().deepCopy())
                .findFirst();
    }

    synchronized int connectionCount() {
        return resources.get(CONNECTIONS).get("Members").size();
    }

    // ------------------------------------------------------------------ HTTP

    @Override
    public ResponseDefinition transform(ServeEvent event) {
        ResponseDefinition result = answer(event);
        // Keep a delay the stub asked for (the fixture's slow-array fault), which a new definition would drop.
        Integer delay = event.getResponseDefinition().getFixedDelayMilliseconds();
        return delay == null ? result : ResponseDefinitionBuilder.like(result).withFixedDelay(delay).build();
    }

    private synchronized ResponseDefinition answer(ServeEvent event) {
        Request request = event.getRequest();
        String method = request.getMethod().getName();
        String path = URI.create(request.getUrl()).getPath();
        if (path.equals("/redfish/v1")) {
            path = ROOT;
        }
        if (method.equals("POST") && path.equals(SESSIONS)) {
            return login(request);
        }
        if (!(method.equals("GET") && path.equals(ROOT)) && !authorized(request)) {
            return error(401, "Base.1.8.NoValidSession", "No valid session or credentials");
        }
        try {
            switch (method) {
                case "GET":
                    return get(path);
                case "POST":
                    return post(path, body(request));
                case "PATCH":
                    return patch(path, body(request));
                case "DELETE":
                    return delete(path);
                default:
                    return error(405, "Base.1.8.OperationNotAllowed", "Method " + method + " not allowed");
            }
        } catch (IOException e) {
            return error(400, "Base.1.8.MalformedJSON", "Request body is not JSON");
        }
    }

    private boolean authorized(Request request) {
        String token = request.getHeader("X-Auth-Token");
        if (token != null && sessions.containsKey(token)) {
            return true;
        }
        String basic = request.getHeader("Authorization");
        String expected = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password)
                .getBytes(StandardCharsets.UTF_8));
        return expected.equals(basic);
    }

    private ResponseDefinition login(Request request) {
        JsonNode body;
        try {
            body = body(request);
        } catch (IOException e) {
            return error(400, "Base.1.8.MalformedJSON", "Request body is not JSON");
        }
        if (!user.equals(body.path("UserName").asText()) || !password.equals(body.path("Password").asText())) {
            return error(401, "Base.1.8.ResourceAtUriUnauthorized", "Invalid user name or password");
        }
        logins++;
        String token = UUID.randomUUID().toString();
        String sessionPath = SESSIONS + "/" + nextId++;
        sessions.put(token, sessionPath);
        ObjectNode session = mapper.createObjectNode().put("@odata.id", sessionPath).put("Id", Json.lastSegment(sessionPath))
                .put("UserName", user);
        return new ResponseDefinitionBuilder().withStatus(201).withHeader("X-Auth-Token", token)
                .withHeader("Location", sessionPath).withHeader("Content-Type", "application/json")
                .withBody(session.toString()).build();
    }

    private ResponseDefinition get(String path) {
        if (taskPolls.containsKey(path)) {
            int left = taskPolls.get(path);
            if (left > 0) {
                taskPolls.put(path, left - 1);
                ObjectNode task = mapper.createObjectNode().put("@odata.id", path).put("TaskState", "Running");
                return new ResponseDefinitionBuilder().withStatus(202).withHeader("Location", path)
                        .withHeader("Retry-After", "0").withHeader("Content-Type", "application/json")
                        .withBody(task.toString()).build();
            }
            taskPolls.remove(path);
            ResponseDefinition result = taskResults.remove(path);
            if (tasksEndAsTaskResources) {
                ObjectNode task = mapper.createObjectNode().put("@odata.id", path).put("TaskState", "Completed")
                        .put("TaskStatus", "OK");
                return new ResponseDefinitionBuilder().withStatus(200).withHeader("Location", path)
                        .withHeader("Content-Type", "application/json").withBody(task.toString()).build();
            }
            return result;
        }
        ObjectNode resource = resources.get(path);
        if (resource == null) {
            return error(404, "Base.1.8.ResourceMissingAtURI", "No resource at " + path);
        }
        return json(200, resource);
    }

    private ResponseDefinition post(String path, JsonNode body) {
        switch (path) {
            case VOLUMES:
                return maybeAsync(createVolume(body));
            case ENDPOINTS:
                return maybeAsync(create(ENDPOINTS, "I", (ObjectNode) body.deepCopy()));
            case CONNECTIONS:
                return maybeAsync(createConnection(body));
            default:
                return error(405, "Base.1.8.OperationNotAllowed", "Cannot POST to " + path);
        }
    }

    private ResponseDefinition createVolume(JsonNode body) {
        if (!body.path("Name").isTextual()) {
            return error(400, "Base.1.8.PropertyMissing", "The property Name is required");
        }
        if (!body.path("CapacityBytes").canConvertToLong() || body.path("CapacityBytes").asLong() <= 0) {
            return error(400, "Base.1.8.PropertyMissing", "The property CapacityBytes is required");
        }
        String poolPath = body.path("CapacitySources").path(0).path("ProvidingPools").path("Members").path(0)
                .path("@odata.id").asText("");
        ObjectNode pool = resources.get(poolPath);
        if (pool == null || !poolPath.startsWith(POOLS + "/")) {
            return error(400, "Base.1.8.PropertyValueNotInList", "Unknown providing pool '" + poolPath + "'");
        }
        long size = body.path("CapacityBytes").asLong();
        if (!consume(pool, size)) {
            return error(400, "Swordfish.1.0.7.InsufficientCapacity", "Pool lacks " + size + " bytes");
        }
        ObjectNode volume = mapper.createObjectNode();
        volume.put("@odata.type", "#Volume.v1_9_0.Volume");
        volume.put("Name", body.path("Name").asText());
        volume.putObject("Status").put("State", "Enabled").put("Health", "OK");
        volume.put("CapacityBytes", size);
        volume.put("ProvisioningPolicy", pool.path("SupportedProvisioningPolicies").path(0).asText("Thick"));
        volume.set("CapacitySources", body.path("CapacitySources").deepCopy());
        ResponseDefinition created = create(VOLUMES, "", volume);
        addMember(pool.path("AllocatedVolumes").path("@odata.id").asText(), volume.path("@odata.id").asText());
        return created;
    }

    private ResponseDefinition createConnection(JsonNode body) {
        ObjectNode connection = (ObjectNode) body.deepCopy();
        for (JsonNode info : connection.path("VolumeInfo")) {
            if (!resources.containsKey(info.path("Volume").path("@odata.id").asText())) {
                return error(400, "Base.1.8.ResourceNotFound", "Unknown volume in VolumeInfo");
            }
            ((ObjectNode) info).put("LUN", nextLun++);
        }
        ObjectNode links = connection.withObjectProperty("Links");
        links.putArray("TargetEndpoints").addObject().put("@odata.id", TARGET);
        if (chapUser != null) {
            connection.putObject("ConnectionKeys").putObject("CHAP").put("CHAPType", "OneWay")
                    .put("CHAPUsername", chapUser).put("CHAPPassword", chapSecret);
        }
        return create(CONNECTIONS, "C", connection);
    }

    private ResponseDefinition patch(String path, JsonNode body) {
        ObjectNode volume = resources.get(path);
        if (volume == null || !path.startsWith(VOLUMES + "/")) {
            return error(404, "Base.1.8.ResourceMissingAtURI", "No volume at " + path);
        }
        if (body.has("CapacityBytes")) {
            long size = body.path("CapacityBytes").asLong();
            long old = volume.path("CapacityBytes").asLong();
            if (size < old) {
                return error(400, "Base.1.8.PropertyValueError", "Volumes cannot shrink");
            }
            ObjectNode pool = resources.get(poolOf(volume));
            if (!consume(pool, size - old)) {
                return error(400, "Swordfish.1.0.7.InsufficientCapacity", "Pool lacks " + (size - old) + " bytes");
            }
            volume.put("CapacityBytes", size);
        }
        return maybeAsync(json(200, volume));
    }

    private ResponseDefinition delete(String path) {
        if (path.startsWith(SESSIONS + "/")) {
            if (!sessions.values().remove(path)) {
                return error(404, "Base.1.8.ResourceMissingAtURI", "No session at " + path);
            }
            deletedSessions++;
            return new ResponseDefinitionBuilder().withStatus(204).build();
        }
        ObjectNode resource = resources.get(path);
        if (resource == null) {
            return error(404, "Base.1.8.ResourceMissingAtURI", "No resource at " + path);
        }
        if (path.startsWith(VOLUMES + "/")) {
            ObjectNode pool = resources.get(poolOf(resource));
            consume(pool, -resource.path("CapacityBytes").asLong());
            removeMember(pool.path("AllocatedVolumes").path("@odata.id").asText(), path);
            removeMember(VOLUMES, path);
        } else if (path.startsWith(CONNECTIONS + "/")) {
            removeMember(CONNECTIONS, path);
        } else {
            return error(405, "Base.1.8.OperationNotAllowed", "Cannot delete " + path);
        }
        resources.remove(path);
        return maybeAsync(new ResponseDefinitionBuilder().withStatus(204).build());
    }

    private String poolOf(JsonNode volume) {
        return volume.path("CapacitySources").path(0).path("ProvidingPools").path("Members").path(0)
                .path("@odata.id").asText();
    }

    /** Moves bytes into (or, negative, out of) a pool's consumed space; false if a pool lacks the room. */
    private boolean consume(ObjectNode pool, long bytes) {
        ObjectNode data = (ObjectNode) pool.get("Capacity").get("Data");
        long total = data.has("AllocatedBytes") ? data.get("AllocatedBytes").asLong() : data.get("ProvisionedBytes").asLong();
        long consumed = data.get("ConsumedBytes").asLong() + bytes;
        if (consumed > total) {
            return false;
        }
        data.put("ConsumedBytes", consumed);
        pool.put("RemainingCapacityPercent", Math.round(100.0 * (total - consumed) / total));
        return true;
    }

    private ResponseDefinition create(String collection, String prefix, ObjectNode resource) {
        String path = collection + "/" + prefix + nextId++;
        resource.put("@odata.id", path);
        resource.put("Id", Json.lastSegment(path));
        resources.put(path, resource);
        addMember(collection, path);
        return new ResponseDefinitionBuilder().withStatus(201).withHeader("Location", path)
                .withHeader("Content-Type", "application/json").withBody(resource.toString()).build();
    }

    /** Runs the finished operation as a task when asked: 202 with a monitor, which answers 202 once, then the result. */
    private ResponseDefinition maybeAsync(ResponseDefinition result) {
        if (!asyncOperations || result.getStatus() >= 300) {
            return result;
        }
        String monitor = "/redfish/v1/TaskService/TaskMonitors/" + nextId++;
        taskPolls.put(monitor, 1);
        taskResults.put(monitor, result);
        return new ResponseDefinitionBuilder().withStatus(202).withHeader("Location", monitor)
                .withHeader("Retry-After", "0").build();
    }

    private void addMember(String collection, String member) {
        ObjectNode node = resources.get(collection);
        ArrayNode members = (ArrayNode) node.get("Members");
        members.addObject().put("@odata.id", member);
        node.put("Members@odata.count", members.size());
    }

    private void removeMember(String collection, String member) {
        ObjectNode node = resources.get(collection);
        ArrayNode members = (ArrayNode) node.get("Members");
        for (int i = members.size() - 1; i >= 0; i--) {
            if (member.equals(members.get(i).path("@odata.id").asText())) {
                members.remove(i);
            }
        }
        node.put("Members@odata.count", members.size());
    }

    private JsonNode body(Request request) throws IOException {
        String text = request.getBodyAsString();
        return text == null || text.isEmpty() ? mapper.createObjectNode() : mapper.readTree(text);
    }

    private ResponseDefinition json(int status, JsonNode body) {
        return new ResponseDefinitionBuilder().withStatus(status).withHeader("Content-Type", "application/json")
                .withBody(body.toString()).build();
    }

    private ResponseDefinition error(int status, String messageId, String message) {
        ObjectNode body = mapper.createObjectNode();
        ObjectNode error = body.putObject("error");
        error.put("code", messageId).put("message", message);
        error.putArray("@Message.ExtendedInfo").addObject().put("MessageId", messageId).put("Message", message);
        return json(status, body);
    }
}
