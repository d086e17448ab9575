package io.cinderblock.driver.iscsi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cinderblock.sdk.error.CinderblockException;
import io.cinderblock.sdk.error.ErrorCode;
import io.cinderblock.sdk.spi.ConnectionInfo;
import io.cinderblock.sdk.spi.Connector;
import io.cinderblock.sdk.spi.Volume;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Exports volumes over iSCSI through Swordfish {@code Endpoint}s and {@code Connection}s: registers
 * the host's initiator endpoint, creates (or reuses) the connection naming the array's target
 * endpoints, and reads the target's IQN, portal, LUN and CHAP keys back from it. Targets are read
 * from {@code Links.TargetEndpoints}, else from the {@code Links.Endpoints} of the connection's
 * {@code Links.TargetEndpointGroups}.
 */
final class Exports {
    private static final int DEFAULT_ISCSI_PORT = 3260;

    private final SwordfishSettings settings;
    private final RedfishClient client;
    private final Topology topology;
    private final Volumes volumes;
    private final Tasks tasks;

    Exports(SwordfishSettings settings, RedfishClient client, Topology topology, Volumes volumes, Tasks tasks) {
        this.settings = settings;
        this.client = client;
        this.topology = topology;
        this.volumes = volumes;
        this.tasks = tasks;
    }

    /** The fabric's endpoints seen in one pass: the initiator's, if registered, and the array's iSCSI targets. */
    private record EndpointScan(Optional<String> initiator, List<String> targets) {}

    ConnectionInfo initialize(Volume volume, Connector connector) {
        String initiator = initiator(connector);
        String volumePath = volumes.path(volume).orElseThrow(() -> volumes.notFound(volume));
        Topology.FabricRefs fabric = topology.fabricRefs();
        EndpointScan scan = scanEndpoints(fabric, initiator);
        String initiatorEndpoint = scan.initiator()
                .orElseGet(() -> createInitiatorEndpoint(fabric, initiator, connector.host()));
        JsonNode connection = findConnections(fabric, volumePath, Optional.of(initiatorEndpoint)).stream().findFirst()
                .map(this::get)
                .orElseGet(() -> createConnection(fabric, volume, volumePath, initiatorEndpoint, scan.targets()));
        return connectionInfo(connection, volume, volumePath);
    }

    void terminate(Volume volume, Connector connector) {
        Optional<String> volumePath = volumes.path(volume);
        if (volumePath.isEmpty()) {
            return;
        }
        Topology.FabricRefs fabric = topology.fabricRefs();
        Optional<String> initiatorEndpoint = Optional.empty();
        if (connector.initiator().isPresent()) {
            initiatorEndpoint = scanEndpoints(fabric, connector.initiator().get()).initiator();
            if (initiatorEndpoint.isEmpty()) {
                return; // the array never knew this initiator: nothing is exported to it
            }
        }
        for (String connection : findConnections(fabric, volumePath.get(), initiatorEndpoint)) {
            RedfishClient.Response response = client.send("DELETE", connection, null, client.newDeadline());
            if (response.status() != 404) {
                tasks.finish(response, "removing connection " + connection);
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

    /**
     * One GET per endpoint: the endpoint whose iQN identifier is {@code iqn}, and the target
     * endpoints of this storage (a {@code ConnectedEntities} entry with {@code EntityRole} Target
     * whose {@code EntityLink}, if any, is the storage or below it) that carry an iQN.
     */
    private EndpointScan scanEndpoints(Topology.FabricRefs fabric, String iqn) {
        String storagePath = topology.storageRefs().path();
        Optional<String> initiator = Optional.empty();
        List<String> targets = new ArrayList<>();
        for (String member : Json.members(get(fabric.endpointsPath()), "Endpoint collection " + fabric.endpointsPath())) {
            RedfishClient.Response response = client.send("GET", member, null, client.newDeadline());
            if (!response.isSuccess()) {
                continue; // removed while we listed
            }
            JsonNode endpoint = response.body();
            Optional<String> name = durableName(endpoint, member, "iQN");
            if (initiator.isEmpty() && name.filter(iqn::equalsIgnoreCase).isPresent()) {
                initiator = Optional.of(member);
            } else if (name.isPresent() && isTargetOf(endpoint, storagePath)) {
                targets.add(member);
            }
        }
        return new EndpointScan(initiator, targets);
    }

    private static boolean isTargetOf(JsonNode endpoint, String storagePath) {
        JsonNode entities = Json.at(endpoint, "ConnectedEntities");
        if (entities == null || !entities.isArray()) {
            return false;
        }
        for (JsonNode entity : entities) {
            if (!"Target".equals(entity.path("EntityRole").asText(""))) {
                continue;
            }
            String link = entity.path("EntityLink").path("@odata.id").asText("");
            if (link.isEmpty() || link.equals(storagePath) || link.startsWith(storagePath + "/")) {
                return true;
            }
        }
        return false;
    }

    private String createInitiatorEndpoint(Topology.FabricRefs fabric, String iqn, String host) {
        ObjectNode body = client.newObject();
        body.put("Name", host);
        body.put("EndpointProtocol", "iSCSI");
        body.putArray("Identifiers").addObject().put("DurableName", iqn).put("DurableNameFormat", "iQN");
        body.putArray("ConnectedEntities").addObject().put("EntityRole", "Initiator");
        RedfishClient.Response response = tasks.finish(client.send("POST", fabric.endpointsPath(), body,
                client.newDeadline()), "registering initiator '" + iqn + "'");
        return tasks.createdAt(response, "Endpoint")
                .or(() -> scanEndpoints(fabric, iqn).initiator())
                .orElseThrow(() -> new SwordfishProtocolException("Swordfish service at " + settings.authority()
                        + " created initiator endpoint '" + iqn + "' but does not list it", "Location", null));
    }

    /** Connections that export {@code volumePath}, to {@code initiatorEndpoint} or to anyone. */
    private List<String> findConnections(Topology.FabricRefs fabric, String volumePath,
            Optional<String> initiatorEndpoint) {
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

    /**
     * POSTs the connection. It names the array's target endpoints when the fabric lists any: an
     * array that assigns targets itself may ignore them, one that does not needs them.
     */
    private JsonNode createConnection(Topology.FabricRefs fabric, Volume volume, String volumePath,
            String initiatorEndpoint, List<String> targets) {
        ObjectNode body = client.newObject();
        body.put("Name", "cinder-" + volume.id());
        body.put("ConnectionType", "Storage");
        ObjectNode info = body.putArray("VolumeInfo").addObject();
        info.putObject("Volume").put("@odata.id", volumePath);
        info.putArray("AccessCapabilities").add("Read").add("Write");
        ObjectNode links = body.putObject("Links");
        links.putArray("InitiatorEndpoints").addObject().put("@odata.id", initiatorEndpoint);
        if (!targets.isEmpty()) {
            ArrayNode named = links.putArray("TargetEndpoints");
            targets.forEach(t -> named.addObject().put("@odata.id", t));
        }
        String doing = "exporting volume '" + volume.name() + "'";
        RedfishClient.Response response = tasks.finish(client.send("POST", fabric.connectionsPath(), body,
                client.newDeadline()), doing);
        if (Json.at(response.body(), "Links.TargetEndpoints") != null
                || Json.at(response.body(), "Links.TargetEndpointGroups") != null) {
            return response.body();
        }
        Optional<String> location = tasks.createdAt(response, "Connection");
        if (location.isPresent()) {
            return get(location.get());
        }
        return findConnections(fabric, volumePath, Optional.of(initiatorEndpoint)).stream().findFirst().map(this::get)
                .orElseThrow(() -> new SwordfishProtocolException("Swordfish service at " + settings.authority()
                        + " reported success " + doing + " but lists no such connection", "Location", null));
    }

    /** The connection's target endpoints: {@code Links.TargetEndpoints}, else those of its target endpoint groups. */
    private List<String> targets(JsonNode connection, String resource) {
        List<String> direct = Json.links(connection, "Links.TargetEndpoints", resource);
        if (!direct.isEmpty()) {
            return direct;
        }
        Set<String> fromGroups = new LinkedHashSet<>();
        for (String group : Json.links(connection, "Links.TargetEndpointGroups", resource)) {
            JsonNode node = get(group);
            String groupResource = "EndpointGroup " + group;
            // EndpointGroup 1.3+ lists them under Links.Endpoints; earlier versions at the top level.
            List<String> endpoints = Json.links(node, "Links.Endpoints", groupResource);
            fromGroups.addAll(endpoints.isEmpty() ? Json.links(node, "Endpoints", groupResource) : endpoints);
        }
        return new ArrayList<>(fromGroups);
    }

    private ConnectionInfo connectionInfo(JsonNode connection, Volume volume, String volumePath) {
        String resource = "Connection " + Json.optionalText(connection, "@odata.id", "Connection").orElse("");
        List<String> targets = targets(connection, resource);
        if (targets.isEmpty()) {
            throw Json.missing(resource, "Links.TargetEndpoints (or Links.TargetEndpointGroups)");
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

    private JsonNode get(String path) {
        return client.get(path, client.newDeadline());
    }
}
