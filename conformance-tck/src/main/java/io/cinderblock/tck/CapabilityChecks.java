package io.cinderblock.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.cinderblock.sdk.error.ErrorCode;
import io.cinderblock.sdk.error.NotSupportedException;
import io.cinderblock.sdk.spi.Capability;
import io.cinderblock.sdk.spi.Snapshot;
import io.cinderblock.sdk.spi.SnapshotSpec;
import io.cinderblock.sdk.spi.Volume;
import io.cinderblock.sdk.spi.VolumeDriver;
import io.cinderblock.sdk.spi.VolumeSpec;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/** The bodies of the kit's {@code Capabilities} group; {@link VolumeDriverConformanceKit.Capabilities} delegates here. */
final class CapabilityChecks extends KitChecks {

    CapabilityChecks(Supplier<KitSession> session) {
        super(session);
    }

    void undeclaredRefused() {
        Set<Capability> undeclared = EnumSet.allOf(Capability.class);
        undeclared.removeAll(offered());
        assumeTrue(!undeclared.isEmpty(), "driver offers every capability");
        Volume volume = offered().contains(Capability.CREATE_VOLUME)
                ? createVolume(s().fixture().volumeSizeGib(), Optional.empty())
                : new Volume(s().newId("absent"), "volume-absent", 1, "absent", Optional.empty());
        Snapshot snapshot = Snapshot.of(SnapshotSpec.of(s().newId("absent"), volume), Optional.empty());
        VolumeDriver driver = driver();
        List<String> problems = new ArrayList<>();
        for (Capability capability : undeclared) {
            Map<String, Callable<Object>> calls = new LinkedHashMap<>();
            VolumeSpec spec = VolumeSpec.of(s().newId("cap"), s().fixture().volumeSizeGib());
            switch (capability) {
                case CREATE_VOLUME:
                    calls.put("createVolume", () -> driver.createVolume(spec));
                    calls.put("deleteVolume", () -> {
                        driver.deleteVolume(volume);
                        return "returned";
                    });
                    break;
                case EXTEND_VOLUME:
                    calls.put("extendVolume", () -> driver.extendVolume(volume, volume.sizeGib() + 1));
                    break;
                case SNAPSHOT:
                    calls.put("createSnapshot", () -> {
                        Snapshot made = driver.createSnapshot(SnapshotSpec.of(s().newId("cap"), volume));
                        s().cleanup("deleteSnapshot(" + made.name() + ")", () -> driver.deleteSnapshot(made));
                        return made;
                    });
                    calls.put("deleteSnapshot", () -> {
                        driver.deleteSnapshot(snapshot);
                        return "returned";
                    });
                    break;
                case VOLUME_FROM_SNAPSHOT:
                    calls.put("createVolumeFromSnapshot", () -> driver.createVolumeFromSnapshot(spec, snapshot));
                    break;
                case CLONE_VOLUME:
                    calls.put("cloneVolume", () -> {
                        Volume made = driver.cloneVolume(spec, volume);
                        s().cleanup("deleteVolume(" + made.name() + ")", () -> driver.deleteVolume(made));
                        return made;
                    });
                    break;
                case CONNECTION:
                    calls.put("initializeConnection", () -> driver.initializeConnection(volume,
                            s().fixture().connector()));
                    calls.put("terminateConnection", () -> {
                        driver.terminateConnection(volume, s().fixture().connector());
                        return "returned";
                    });
                    break;
                default:
                    throw new IllegalStateException("Unhandled capability " + capability);
            }
            calls.forEach((name, action) -> {
                Outcome<Object> outcome = s().call(name + "()", s().operationLimit(), action);
                Optional<Throwable> thrown = outcome.thrown();
                boolean refused = thrown.isPresent() && thrown.get() instanceof NotSupportedException
                        && ((NotSupportedException) thrown.get()).capability() == capability
                        && ((NotSupportedException) thrown.get()).code() == ErrorCode.NOT_SUPPORTED;
                if (!refused) {
                    problems.add("undeclared '" + capability.wireName() + "': " + outcome.account());
                }
            });
        }
        assertThat(problems).as("operations of undeclared capabilities that did not throw NotSupportedException")
                .isEmpty();
    }

    void asExpected() {
        Optional<Set<Capability>> expected = s().fixture().expectedCapabilities();
        assumeTrue(expected.isPresent(), "the fixture states no expected capabilities");
        Set<Capability> want = expected.get();
        List<String> problems = new ArrayList<>();
        compare("declares", descriptor().capabilities(), want, problems);
        compare("offers with this configuration", offered(), want, problems);
        assertThat(problems).as("capabilities against the vendor's expectation %s", wireNames(want)).isEmpty();
    }

    private void compare(String what, Set<Capability> actual, Set<Capability> want, List<String> problems) {
        Set<Capability> missing = EnumSet.noneOf(Capability.class);
        want.stream().filter(c -> !actual.contains(c)).forEach(missing::add);
        Set<Capability> extra = EnumSet.noneOf(Capability.class);
        actual.stream().filter(c -> !want.contains(c)).forEach(extra::add);
        if (!missing.isEmpty()) {
            problems.add("driver " + what + " without expected " + wireNames(missing));
        }
        if (!extra.isEmpty()) {
            problems.add("driver " + what + " unexpected " + wireNames(extra));
        }
    }

    private List<String> wireNames(Set<Capability> capabilities) {
        return capabilities.stream().sorted().map(Capability::wireName).collect(Collectors.toList());
    }

    void coherent() {
        assertThat(driver().capabilities())
                .as("capabilities() of the opened driver may narrow the descriptor's, never widen them")
                .isSubsetOf(descriptor().capabilities());
        // The SDK's rules (Capability.requires()), the same DriverDescriptor enforces on the declared set,
        // applied to what the opened driver offers: narrowing must not drop what an offered one needs.
        Set<Capability> offered = offered();
        List<String> problems = new ArrayList<>();
        for (Capability capability : offered) {
            Set<Capability> missing = EnumSet.noneOf(Capability.class);
            capability.requires().stream().filter(c -> !offered.contains(c)).forEach(missing::add);
            if (!missing.isEmpty()) {
                problems.add("'" + capability.wireName() + "' offered without " + wireNames(missing));
            }
        }
        assertThat(problems).as("offered capabilities %s against Capability.requires()", wireNames(offered)).isEmpty();
    }

    /**
     * CAP-4: calls every operation of every offered capability once, on volumes of its own; an answer
     * of {@code NotSupportedException} is the defect. Other failures are left to the operation's own
     * requirement (PROV-x, CONN-x), which judges them.
     */
    void offeredOperationsWork() {
        Set<Capability> offered = offered();
        assumeTrue(offered.contains(Capability.CREATE_VOLUME), "driver offers no operation (no 'create_volume')");
        VolumeDriver driver = driver();
        List<String> refused = new ArrayList<>();
        long size = s().fixture().volumeSizeGib();
        VolumeSpec spec = VolumeSpec.of(s().newId("vol"), size);
        Outcome<Volume> created = tracked(spec, "createVolume(" + spec.name() + ")", () -> driver.createVolume(spec));
        noteRefusal(created, refused);
        assumeTrue(created.returned() && created.value().isPresent(),
                "nothing to exercise the other operations on (PROV-1 judges it): " + created.account());
        Volume volume = created.value().get();
        Volume grown = volume;
        if (offered.contains(Capability.EXTEND_VOLUME)) {
            Outcome<Volume> extended = s().call("extendVolume(" + volume.name() + ")", s().operationLimit(),
                    () -> driver.extendVolume(volume, volume.sizeGib() + 1));
            noteRefusal(extended, refused);
            grown = extended.value().orElse(volume);
        }
        Volume current = grown;
        if (offered.contains(Capability.CLONE_VOLUME)) {
            VolumeSpec cloneSpec = VolumeSpec.of(s().newId("vol"), current.sizeGib());
            noteRefusal(tracked(cloneSpec, "cloneVolume(" + cloneSpec.name() + ")",
                    () -> driver.cloneVolume(cloneSpec, current)), refused);
        }
        if (offered.contains(Capability.SNAPSHOT)) {
            SnapshotSpec snapSpec = SnapshotSpec.of(s().newId("snap"), current);
            AtomicReference<Snapshot> made = new AtomicReference<>(Snapshot.of(snapSpec, Optional.empty()));
            s().cleanup("deleteSnapshot(" + snapSpec.name() + ")", () -> driver.deleteSnapshot(made.get()));
            Outcome<Snapshot> snapshot = s().call("createSnapshot(" + snapSpec.name() + ")", s().operationLimit(),
                    () -> driver.createSnapshot(snapSpec));
            snapshot.value().ifPresent(made::set);
            noteRefusal(snapshot, refused);
            if (offered.contains(Capability.VOLUME_FROM_SNAPSHOT) && snapshot.value().isPresent()) {
                VolumeSpec restoreSpec = VolumeSpec.of(s().newId("vol"), made.get().sizeGib());
                noteRefusal(tracked(restoreSpec, "createVolumeFromSnapshot(" + restoreSpec.name() + ")",
                        () -> driver.createVolumeFromSnapshot(restoreSpec, made.get())), refused);
            }
            noteRefusal(s().run("deleteSnapshot(" + snapSpec.name() + ")", s().operationLimit(),
                    () -> driver.deleteSnapshot(made.get())), refused);
        }
        if (offered.contains(Capability.CONNECTION)) {
            s().cleanup("terminateConnection(" + current.name() + ")",
                    () -> driver.terminateConnection(current, s().fixture().connector()));
            s().fixture().beforeConnect().accept(current);
            noteRefusal(s().call("initializeConnection(" + current.name() + ")", s().operationLimit(),
                    () -> driver.initializeConnection(current, s().fixture().connector())), refused);
            noteRefusal(s().run("terminateConnection(" + current.name() + ")", s().operationLimit(),
                    () -> driver.terminateConnection(current, s().fixture().connector())), refused);
        }
        noteRefusal(s().run("deleteVolume(" + current.name() + ")", s().operationLimit(),
                () -> driver.deleteVolume(current)), refused);
        assertThat(refused).as("operations of capabilities the driver offers (%s) that answered NotSupportedException",
                wireNames(offered)).isEmpty();
    }

    /** A volume-creating call under the run prefix, deleted at the end of the run whatever it answered. */
    private Outcome<Volume> tracked(VolumeSpec spec, String what, Callable<Volume> action) {
        VolumeDriver driver = driver();
        AtomicReference<Volume> made = new AtomicReference<>(spec.toVolume(spec.pool().orElse("unknown"),
                Optional.empty()));
        s().cleanup("deleteVolume(" + spec.name() + ")", () -> driver.deleteVolume(made.get()));
        Outcome<Volume> outcome = s().call(what, s().operationLimit(), action);
        outcome.value().ifPresent(made::set);
        return outcome;
    }

    private static void noteRefusal(Outcome<?> outcome, List<String> refused) {
        if (outcome.thrown().filter(NotSupportedException.class::isInstance).isPresent()) {
            refused.add(outcome.account());
        }
    }
}
