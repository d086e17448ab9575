package io.cinderblock.tck.runner;

import io.cinderblock.sdk.spi.Capability;
import io.cinderblock.sdk.spi.ConfigOption;
import io.cinderblock.sdk.spi.DriverDescriptor;
import io.cinderblock.sdk.spi.Transport;
import io.cinderblock.tck.Requirement;
import io.cinderblock.tck.Requirements;
import io.cinderblock.tck.proxy.DeviceProxies;
import java.io.PrintStream;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What {@code --list} prints: each requirement and whether it will run for this driver and command
 * line, read from the descriptor and the configuration only (nothing is opened). Three outcomes,
 * counted at the end: it applies; it needs the device fault commands ({@code
 * --break-device}/{@code --heal-device}) and is skipped without them; it is skipped for the driver's
 * capabilities, endpoints or configuration (with the reason the run's skip will give).
 */
final class RequirementList {
    /** The requirements that need device-level fault hooks; without them the run skips them. */
    static final Set<String> NEED_FAULT_HOOKS = Set.of("FAULT-8", "PUSH-1", "PUSH-3", "PUSH-4");

    private RequirementList() {}

    /** One requirement's fate: empty when it applies, else the kind and the reason. */
    record Fate(Kind kind, String reason) {}

    /** Why a requirement will not run. */
    enum Kind {
        /** Needs {@code --break-device}/{@code --heal-device}, which were not given. */
        NEEDS_HOOKS,
        /** Not for this driver: a capability it does not declare, its endpoints, its configuration. */
        SKIPPED
    }

    static void print(DriverDescriptor descriptor, Optional<Map<String, String>> config, String source,
            PrintStream out, boolean expectationStated, boolean deviceFaultCommands) {
        out.println("Driver '" + descriptor.id() + "' " + descriptor.driverVersion() + " by " + descriptor.vendorName()
                + " (" + source + "), capabilities " + descriptor.capabilities().stream().sorted()
                        .map(Capability::wireName).collect(Collectors.toList()));
        int applies = 0;
        int needHooks = 0;
        int skipped = 0;
        for (Requirement requirement : Requirements.ALL) {
            Optional<Fate> fate = fate(requirement, descriptor, config, expectationStated, deviceFaultCommands);
            String status;
            if (fate.isEmpty()) {
                applies++;
                status = "applies";
            } else if (fate.get().kind() == Kind.NEEDS_HOOKS) {
                needHooks++;
                status = "needs-hooks";
            } else {
                skipped++;
                status = "skipped";
            }
            String note = fate.map(f -> " [" + f.reason() + "]").orElse(requirement.group().equals("push")
                    ? " [if the opened driver pushes: BackendStatePublisher, publishTo true]" : "");
            out.printf("%-9s %-13s %-11s %s%s%n", requirement.id(), requirement.group(), status, requirement.text(),
                    note);
        }
        out.println(applies + " of " + Requirements.ALL.size() + " requirements apply; " + needHooks
                + " need the device fault commands (--break-device/--heal-device) and will be skipped without them; "
                + skipped + " skipped for capabilities, endpoints or configuration");
    }

    /** Why a requirement will not run for this driver and command line; empty when it applies. */
    static Optional<Fate> fate(Requirement requirement, DriverDescriptor descriptor,
            Optional<Map<String, String>> config, boolean expectationStated, boolean deviceFaultCommands) {
        String id = requirement.id();
        Optional<Capability> needed = requirement.capability();
        if (needed.isPresent() && !descriptor.supports(needed.get())) {
            return skip("'" + needed.get().wireName() + "' not declared");
        }
        if (requirement.group().equals("faults") && !DeviceProxies.canProxy(descriptor)) {
            return skip("no endpoint option to proxy");
        }
        boolean udp = descriptor.options().stream()
                .anyMatch(o -> o.endpoint().isPresent() && o.transport() == Transport.UDP);
        if (udp && Set.of("FAULT-3", "FAULT-10", "FAULT-11").contains(id)) {
            return skip("a UDP endpoint: no connection to reset, close or leave half-open");
        }
        if (NEED_FAULT_HOOKS.contains(id) && !deviceFaultCommands) {
            return Optional.of(new Fate(Kind.NEEDS_HOOKS, "no --break-device/--heal-device commands given"));
        }
        if (id.equals("CAP-1") && descriptor.capabilities().size() == Capability.values().length) {
            return skip("every capability declared");
        }
        if (id.equals("CAP-3") && !expectationStated) {
            return skip("no --expect-capabilities given");
        }
        boolean secretDeclared = descriptor.options().stream().anyMatch(ConfigOption::secret);
        boolean secretSet = config.isPresent() && descriptor.options().stream()
                .anyMatch(o -> o.secret() && config.get().containsKey(o.name()));
        if ((id.equals("FAULT-9") || id.equals("SEC-2")) && !secretDeclared) {
            return skip("no secret option declared");
        }
        if ((id.equals("FAULT-9") || id.equals("SEC-2")) && !secretSet) {
            return skip("no secret option set in the configuration");
        }
        return Optional.empty();
    }

    private static Optional<Fate> skip(String reason) {
        return Optional.of(new Fate(Kind.SKIPPED, reason));
    }
}
