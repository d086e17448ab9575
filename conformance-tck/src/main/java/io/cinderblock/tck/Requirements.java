package io.cinderblock.tck;

import io.cinderblock.sdk.ApiStatus;
import io.cinderblock.sdk.spi.Capability;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The catalogue of {@code REQUIREMENTS.md}, for reports and {@code --list}. The kit's own tests check
 * that this list, the document and the tests' tags name the same ids.
 *
 * @since 0.1
 */
@ApiStatus(value = ApiStatus.Status.STABLE, since = "0.1")
public final class Requirements {
    /** The groups, in report order; each is also a JUnit tag. */
    public static final List<String> GROUPS = List.of("discovery", "descriptor", "configuration", "stats", "state",
            "faults", "capabilities", "provisioning", "connections", "resources", "secrets", "push");

    /** Every requirement, in document order. */
    public static final List<Requirement> ALL = List.of(
            core("DISC-1", "discovery", "Registered for ServiceLoader with a public no-argument constructor; the only provider of its id"),
            core("DISC-2", "discovery", "descriptor() never throws, returns within a second, and is equal on every call"),
            core("DESC-1", "descriptor", "The id is lower-case ([a-z][a-z0-9-]*), at most 64 characters"),
            core("DESC-2", "descriptor", "Vendor name not blank; driver version is a version"),
            core("DESC-3", "descriptor", "Storage protocol is a Cinder constant; SPI version hosted by this SDK"),
            core("DESC-4", "descriptor", "Options are described; the device address is declared as proxyable endpoint options"),
            core("CONF-1", "configuration", "The fixture's configuration opens a driver with the provider's descriptor"),
            sdk("CONF-2", "configuration", "A missing required option fails with InvalidConfigException naming it"),
            sdk("CONF-3", "configuration", "A value of the wrong type fails with InvalidConfigException naming the option"),
            core("CONF-4", "configuration", "Unset optional or out-of-range values open or fail typed, naming the option, in time"),
            core("CONF-5", "configuration", "Hostile or malformed values of every option, STRING included, open or fail typed, naming the option"),
            core("STATS-1", "stats", "collectStats() returns in time, without an exception, with backend_state up"),
            core("STATS-2", "stats", "The six required keys are present; vendor, version and protocol match the descriptor"),
            core("STATS-3", "stats", "volume_backend_name equals the configured backend name"),
            core("STATS-4", "stats", "Capacities are numbers >= 0 or infinite/unknown"),
            core("STATS-5", "stats", "Free capacity never exceeds total capacity"),
            core("STATS-6", "stats", "At least one pool; pool names unique"),
            core("STATS-7", "stats", "reserved_percentage is 0-100; max_over_subscription_ratio >= 1"),
            core("STATS-8", "stats", "Thin/thick flags consistent with over-subscription and provisioned capacity"),
            core("STATS-9", "stats", "Two calls in a row agree within the capacity tolerance"),
            gated("STATS-10", "stats", Capability.CREATE_VOLUME, "Free capacity drops by about N after a create of N GiB and returns after delete"),
            core("STATE-1", "state", "backendState() is UP with a reason while the device is reachable"),
            core("STATE-2", "state", "backendState() returns within its declared deadline (0 < deadline <= 120 s)"),
            core("STATE-3", "state", "State and stats called from several threads at once stay correct"),
            core("STATE-4", "state", "State, stats and pool numbers from concurrent calls agree when healthy, faulted and healed"),
            core("FAULT-1", "faults", "Through the healthy fault proxy the driver reports UP"),
            core("FAULT-2", "faults", "Connection refused: DOWN with a reason within the deadline; stats down or DeviceUnavailableException"),
            core("FAULT-3", "faults", "Connection reset: DOWN with a reason within the deadline; stats down or DeviceUnavailableException"),
            core("FAULT-4", "faults", "Stall: DOWN with a reason within the deadline; no call blocks past it"),
            core("FAULT-5", "faults", "Slow device (latency below the timeout): stays UP, stats succeed"),
            core("FAULT-6", "faults", "After the path heals, the state returns to UP"),
            core("FAULT-7", "faults", "open() does not need the device: DOWN while unreachable, UP once back"),
            core("FAULT-8", "faults", "Device-level faults from the fixture's hooks are reported DOWN, then UP when healed"),
            core("FAULT-9", "faults", "Wrong credentials: DOWN saying authentication failed, never UP; UP with the right ones"),
            core("FAULT-10", "faults", "After the device closed idle connections: still UP, the next call succeeds"),
            core("FAULT-11", "faults", "Half-open connections: DOWN with a reason within the deadline, UP when healed"),
            core("CAP-1", "capabilities", "Undeclared capabilities throw NotSupportedException naming the capability"),
            core("CAP-2", "capabilities", "Offered capabilities are within the declared ones and follow Capability.requires()"),
            core("CAP-3", "capabilities", "The driver declares and offers exactly the capabilities the vendor expects"),
            gated("CAP-4", "capabilities", Capability.CREATE_VOLUME, "Every operation of an offered capability works: none answers NotSupportedException"),
            gated("PROV-1", "provisioning", Capability.CREATE_VOLUME, "createVolume returns the requested volume in a reported pool"),
            gated("PROV-2", "provisioning", Capability.CREATE_VOLUME, "deleteVolume is idempotent"),
            gated("PROV-3", "provisioning", Capability.EXTEND_VOLUME, "extendVolume grows; a size not larger fails typed"),
            gated("PROV-4", "provisioning", Capability.SNAPSHOT, "createSnapshot works; deleteSnapshot is idempotent"),
            gated("PROV-5", "provisioning", Capability.VOLUME_FROM_SNAPSHOT, "createVolumeFromSnapshot returns a volume at least as large as the snapshot"),
            gated("PROV-6", "provisioning", Capability.CLONE_VOLUME, "cloneVolume returns a volume at least as large as its source"),
            gated("PROV-7", "provisioning", Capability.CREATE_VOLUME, "A volume larger than a thick pool's free capacity fails with INSUFFICIENT_CAPACITY"),
            gated("CONN-1", "connections", Capability.CONNECTION, "initializeConnection returns well-formed connection info"),
            gated("CONN-2", "connections", Capability.CONNECTION, "terminateConnection is idempotent"),
            core("RES-1", "resources", "Threads and file descriptors do not grow with calls or open/close cycles; close() ends the driver's threads"),
            core("SEC-1", "secrets", "Credential options are declared secret; shown configuration masks them"),
            core("SEC-2", "secrets", "Secret values never appear in toString(), exception messages or logs"),
            core("PUSH-1", "push", "After a device fault, a pushed DOWN arrives within the push bound"),
            core("PUSH-2", "push", "A push channel that breaks or goes silent is reported with pushLost"),
            core("PUSH-3", "push", "A burst of device flaps gives a bounded number of listener calls"),
            core("PUSH-4", "push", "Nothing reaches the listener after close() returned"));

    private static final Map<String, Requirement> BY_ID = ALL.stream()
            .collect(Collectors.toMap(Requirement::id, r -> r, (a, b) -> a, LinkedHashMap::new));

    private Requirements() {}

    private static Requirement core(String id, String group, String text) {
        return new Requirement(id, group, Optional.empty(), text, false);
    }

    private static Requirement sdk(String id, String group, String text) {
        return new Requirement(id, group, Optional.empty(), text, true);
    }

    private static Requirement gated(String id, String group, Capability capability, String text) {
        return new Requirement(id, group, Optional.of(capability), text, false);
    }

    /**
     * The requirement with this id, if any.
     *
     * @param id a requirement id, e.g. {@code STATE-2}
     * @return the requirement, or empty when no requirement has that id
     * @since 0.1
     */
    public static Optional<Requirement> byId(String id) {
        return Optional.ofNullable(BY_ID.get(id));
    }

    /**
     * Whether {@code tag} is a requirement id (as opposed to a group or capability tag).
     *
     * @param tag a JUnit tag of one of the kit's tests
     * @return true for a requirement id
     * @since 0.1
     */
    public static boolean isRequirementId(String tag) {
        return BY_ID.containsKey(tag);
    }
}
