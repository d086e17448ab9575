package io.cinderblock.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.cinderblock.sdk.error.DeviceUnavailableException;
import io.cinderblock.sdk.error.NotSupportedException;
import io.cinderblock.sdk.spi.BackendState;
import io.cinderblock.sdk.spi.BackendStats;
import io.cinderblock.sdk.spi.Capability;
import io.cinderblock.sdk.spi.ConfigOption;
import io.cinderblock.sdk.spi.DriverDescriptor;
import io.cinderblock.sdk.spi.PoolStats;
import io.cinderblock.sdk.spi.Snapshot;
import io.cinderblock.sdk.spi.SnapshotSpec;
import io.cinderblock.sdk.spi.Volume;
import io.cinderblock.sdk.spi.VolumeDriver;
import io.cinderblock.sdk.spi.VolumeSpec;
import io.cinderblock.tck.proxy.DeviceProxies;
import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * What every group of {@link VolumeDriverConformanceKit} shares: the session, bounded driver calls,
 * tracked creation, polling and the "one defect, one red requirement" blocking rules. Each group's
 * checks extend it; the kit's nested classes only carry JUnit's annotations and delegate.
 */
abstract class KitChecks {
    static final Pattern VERSION = Pattern.compile("\\d+(\\.\\d+)*([-+.~][0-9A-Za-z.+~-]+)?");
    static final Pattern DRIVER_ID = Pattern.compile("[a-z][a-z0-9-]*");
    static final Pattern CREDENTIAL_NAME = Pattern.compile(
            "(?!.*_(file|path|dir)$).*(password|passwd|secret|token|passphrase|credential|community|access_key|api_key).*");
    static final Duration POLL = Duration.ofMillis(50);
    /** What a reason says when the device refused the driver's credentials (FAULT-9). */
    static final Pattern AUTHENTICATION = Pattern.compile("(?i)(auth|credential|password|passphrase|secret|"
            + "access.?key|api.?key|community|token|log.?in|log.?on|unauthori[sz]ed|forbidden|denied|\\b401\\b|\\b403\\b|permission)");

    private final Supplier<KitSession> session;

    KitChecks(Supplier<KitSession> session) {
        this.session = session;
    }

    /** The run's session; throws when the run has not started (fixture() failed). */
    final KitSession s() {
        return session.get();
    }

    DriverDescriptor descriptor() {
        return s().descriptor();
    }

    VolumeDriver driver() {
        return s().sharedDriver();
    }

    Outcome<BackendState> probe(VolumeDriver driver) {
        return s().call("backendState()", s().stateLimit(driver), driver::backendState);
    }

    Outcome<BackendStats> collect(VolumeDriver driver) {
        return s().call("collectStats()", s().statsLimit(), driver::collectStats);
    }

    /** A state probe that must return, within the deadline, without throwing. */
    BackendState state(VolumeDriver driver) {
        Outcome<BackendState> outcome = probe(driver);
        if (outcome.timedOut()) {
            fail("backendState() did not return within its deadline plus grace (" + Kit.millis(s().stateLimit(driver))
                    + ")");
        }
        return outcome.orFail();
    }

    /**
     * The shared driver's stats for a check of {@code requirement}. If the driver could not build
     * stats, the test of the requirement its failure breaks fails, and the others are skipped
     * pointing at it: one defect, one red requirement.
     */
    BackendStats statsFor(String requirement) {
        Outcome<BackendStats> outcome = collect(driver());
        if (outcome.returned() && outcome.value().isPresent()) {
            return outcome.value().get();
        }
        String broken = outcome.thrown().flatMap(StatsRefusals::requirementOf).orElse("STATS-1");
        if (broken.equals(requirement)) {
            return fail(requirement + ": the driver could not produce valid stats: " + outcome.account());
        }
        throw new BlockedException(broken, "no stats to check; " + outcome.account());
    }

    /**
     * Stats the driver returned while its device is healthy, for a check outside the stats group: a
     * refusal by the SDK's stats types blocks the check (the stats requirement it breaks fails);
     * anything else that goes wrong fails {@code requirement}.
     */
    BackendStats healthyStats(Outcome<BackendStats> outcome, String requirement, String situation) {
        blockIfStatsRefused(outcome.thrown().orElse(null));
        if (!outcome.returned() || outcome.value().isEmpty()) {
            // If the shared driver cannot produce stats either, the defect is in stats, not here.
            Outcome<BackendStats> direct = collect(driver());
            if (!direct.returned() || direct.value().isEmpty()) {
                blockIfStatsRefused(direct.thrown().orElse(null));
                throw new BlockedException("STATS-1", "collectStats() fails on a healthy device too: "
                        + direct.account());
            }
            return fail(requirement + ": collectStats() " + situation + ": " + outcome.account());
        }
        return outcome.value().get();
    }

    /** Blocks the current test when {@code thrown} is the SDK refusing the stats a driver built. */
    static void blockIfStatsRefused(Throwable thrown) {
        Optional<String> broken = Optional.ofNullable(thrown).flatMap(StatsRefusals::requirementOf);
        if (broken.isPresent()) {
            throw new BlockedException(broken.get(), "the SDK refused the driver's stats: " + Kit.describe(thrown));
        }
    }

    void requireCapability(Capability... capabilities) {
        for (Capability capability : capabilities) {
            assumeTrue(offered().contains(capability), "driver '" + descriptor().id()
                    + "' does not offer '" + capability.wireName() + "' with this configuration");
        }
    }

    /**
     * What the opened driver offers with the fixture's configuration: its {@code capabilities()},
     * within what the descriptor declares (CAP-2 checks it never claims more).
     */
    Set<Capability> offered() {
        Set<Capability> offered = EnumSet.noneOf(Capability.class);
        driver().capabilities().stream().filter(descriptor()::supports).forEach(offered::add);
        return offered;
    }

    <T> T operation(String what, Callable<T> action) {
        Outcome<T> outcome = s().call(what, s().operationLimit(), action);
        blockIfOfferedButRefused(outcome);
        return outcome.orFail();
    }

    void voidOperation(String what, KitSession.ThrowingAction action) {
        Outcome<Boolean> outcome = s().run(what, s().operationLimit(), action);
        blockIfOfferedButRefused(outcome);
        outcome.orFail();
    }

    /**
     * An operation of a capability the driver offers that answers "not supported" is CAP-4's defect:
     * the operation's own requirement is blocked by it rather than failed (one defect, one red requirement).
     */
    void blockIfOfferedButRefused(Outcome<?> outcome) {
        Optional<Throwable> thrown = outcome.thrown();
        if (thrown.isPresent() && thrown.get() instanceof NotSupportedException) {
            Capability capability = ((NotSupportedException) thrown.get()).capability();
            if (capability != null && offered().contains(capability)) {
                throw new BlockedException("CAP-4", "the driver offers '" + capability.wireName()
                        + "' but " + outcome.account());
            }
        }
    }

    /** Creates a volume under the run prefix; it is deleted at the end of the run even if this fails. */
    Volume createVolume(long sizeGib, Optional<String> pool) {
        VolumeSpec base = VolumeSpec.of(s().newId("vol"), sizeGib);
        VolumeSpec spec = pool.map(base::inPool).orElse(base);
        return createTracked(spec, "createVolume(" + spec.name() + ")", () -> driver().createVolume(spec));
    }

    Volume createTracked(VolumeSpec spec, String what, Callable<Volume> action) {
        VolumeDriver driver = driver();
        AtomicReference<Volume> created = new AtomicReference<>(spec.toVolume(spec.pool().orElse("unknown"),
                Optional.empty()));
        s().cleanup("deleteVolume(" + spec.name() + ")", () -> driver.deleteVolume(created.get()));
        Volume volume = operation(what, action);
        created.set(volume);
        return volume;
    }

    Snapshot createSnapshot(Volume volume) {
        VolumeDriver driver = driver();
        SnapshotSpec spec = SnapshotSpec.of(s().newId("snap"), volume);
        AtomicReference<Snapshot> created = new AtomicReference<>(Snapshot.of(spec, Optional.empty()));
        s().cleanup("deleteSnapshot(" + spec.name() + ")", () -> driver.deleteSnapshot(created.get()));
        Snapshot snapshot = operation("createSnapshot(" + spec.name() + ")", () -> driver.createSnapshot(spec));
        created.set(snapshot);
        return snapshot;
    }

    /** Polls {@code backendState()} until {@code wanted} holds or {@code within} passes; every probe must return in time. */
    BackendState awaitState(VolumeDriver driver, Predicate<BackendState> wanted, Duration within,
            String requirement, String situation) {
        long end = System.nanoTime() + within.toNanos();
        while (true) {
            Outcome<BackendState> outcome = probe(driver);
            if (outcome.timedOut()) {
                fail(requirement + ": backendState() blocked past its deadline (" + Kit.millis(s().stateLimit(driver))
                        + ") " + situation);
            }
            if (outcome.thrown().isPresent()) {
                fail(requirement + ": backendState() threw " + situation + " (it must never throw): "
                        + Kit.describe(outcome.thrown().get()));
            }
            BackendState state = outcome.value().orElseThrow(
                    () -> new AssertionError(requirement + ": backendState() returned null " + situation));
            if (wanted.test(state)) {
                return state;
            }
            if (System.nanoTime() > end) {
                return fail(requirement + ": backendState() was still " + state.status() + " (\"" + state.reason()
                        + "\") " + Kit.millis(within) + " " + situation);
            }
            sleep(POLL);
        }
    }

    /** While the device is unreachable or broken: stats report down or throw DeviceUnavailableException, in time. */
    void assertStatsShowDown(VolumeDriver driver, String requirement, String situation) {
        Outcome<BackendStats> outcome = collect(driver);
        if (outcome.timedOut()) {
            fail(requirement + ": collectStats() blocked past the stats timeout (" + Kit.millis(s().statsLimit())
                    + ") " + situation);
        }
        if (outcome.thrown().isPresent()) {
            Throwable thrown = outcome.thrown().get();
            if (!(thrown instanceof DeviceUnavailableException)) {
                fail(requirement + ": collectStats() " + situation + " must report down or throw "
                        + "DeviceUnavailableException, but threw " + Kit.describe(thrown));
            }
            return;
        }
        BackendStats stats = outcome.value().orElseThrow(() -> new AssertionError(requirement
                + ": collectStats() returned null " + situation));
        assertThat(stats.backendState())
                .as(requirement + ": collectStats() " + situation + " returned stats with backend_state")
                .isEqualTo(BackendState.Status.DOWN);
    }

    /** The values of declared secret options set in {@code config}. */
    Map<String, String> secretValuesIn(Map<String, String> config) {
        Map<String, String> secrets = new LinkedHashMap<>();
        for (ConfigOption option : descriptor().options()) {
            String value = config.get(option.name());
            if (option.secret() && value != null && !value.isEmpty()) {
                secrets.put(option.name(), value);
            }
        }
        return secrets;
    }

    Map<String, String> configWith(String option, String value) {
        Map<String, String> config = new LinkedHashMap<>(s().fixture().config());
        config.put(option, value);
        return config;
    }

    Map<String, String> configWithout(String option) {
        Map<String, String> config = new LinkedHashMap<>(s().fixture().config());
        config.remove(option);
        return config;
    }

    static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    static Optional<PoolStats> pool(BackendStats stats, String name) {
        return stats.pools().stream().filter(p -> p.poolName().equals(name)).findFirst();
    }

    /** Fault proxies in front of the device; a driver whose endpoints cannot be routed is blocked by DESC-4. */
    DeviceProxies placeProxies() {
        if (!DeviceProxies.canProxy(descriptor())) {
            throw new BlockedException("DESC-4", "the driver declares no endpoint option the fault proxy could route");
        }
        try {
            return s().proxies();
        } catch (IllegalArgumentException e) {
            throw new BlockedException("DESC-4", "cannot place the fault proxy: " + e.getMessage());
        }
    }

}
