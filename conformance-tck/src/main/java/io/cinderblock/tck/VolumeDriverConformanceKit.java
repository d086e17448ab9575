package io.cinderblock.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.cinderblock.sdk.error.CinderblockException;
import io.cinderblock.sdk.error.DeviceUnavailableException;
import io.cinderblock.sdk.error.ErrorCode;
import io.cinderblock.sdk.error.InvalidConfigException;
import io.cinderblock.sdk.error.NotSupportedException;
import io.cinderblock.sdk.spi.BackendState;
import io.cinderblock.sdk.spi.BackendStateListener;
import io.cinderblock.sdk.spi.BackendStatePublisher;
import io.cinderblock.sdk.spi.BackendStats;
import io.cinderblock.sdk.spi.Capability;
import io.cinderblock.sdk.spi.Capacity;
import io.cinderblock.sdk.spi.ConfigOption;
import io.cinderblock.sdk.spi.ConnectionInfo;
import io.cinderblock.sdk.spi.DriverConfig;
import io.cinderblock.sdk.spi.DriverDescriptor;
import io.cinderblock.sdk.spi.EndpointRole;
import io.cinderblock.sdk.spi.OptionType;
import io.cinderblock.sdk.spi.PoolStats;
import io.cinderblock.sdk.spi.Snapshot;
import io.cinderblock.sdk.spi.SnapshotSpec;
import io.cinderblock.sdk.spi.SpiVersion;
import io.cinderblock.sdk.spi.StorageProtocol;
import io.cinderblock.sdk.spi.Volume;
import io.cinderblock.sdk.spi.VolumeDriver;
import io.cinderblock.sdk.spi.VolumeDriverProvider;
import io.cinderblock.sdk.spi.VolumeSpec;
import io.cinderblock.sdk.support.SecretScrubber;
import io.cinderblock.tck.proxy.DeviceProxies;
import io.cinderblock.tck.proxy.FaultMode;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestClassOrder;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The cinderblock driver conformance kit. Extend it in a test of your driver's build and return a
 * fixture that reaches a live (or simulated) device:
 *
 * <pre>{@code
 * class MyArrayConformanceTest extends VolumeDriverConformanceKit {
 *     @Override
 *     protected TckFixture fixture() {
 *         return TckFixture.forDriver("my-array").config(Map.of("san_ip", "127.0.0.1", ...)).build();
 *     }
 * }
 * }</pre>
 *
 * <p>Surefire runs it as any JUnit 5 test class. Each group below is a {@link Nested} class tagged
 * with its group name, and each test with the requirement ids of {@code REQUIREMENTS.md} it checks,
 * so {@code -Dgroups=faults} or {@code -DexcludedGroups=PROV-7} select by either. Tests of optional
 * operations are tagged with the capability's wire name and skipped, with the reason, when the
 * driver does not declare it; undeclared capabilities are checked to fail cleanly instead.
 *
 * <p>{@link #fixture()} is called once per class; everything the kit creates on the device is
 * named with a random run prefix and deleted, newest first, after the last test.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestClassOrder(ClassOrderer.OrderAnnotation.class)
@DisplayName("cinderblock driver conformance")
public abstract class VolumeDriverConformanceKit {
    private static final Pattern VERSION = Pattern.compile("\\d+(\\.\\d+)*([-+.~][0-9A-Za-z.+~-]+)?");
    private static final Pattern DRIVER_ID = Pattern.compile("[a-z][a-z0-9-]*");
    private static final Pattern CREDENTIAL_NAME = Pattern.compile(
            "(?!.*_(file|path|dir)$).*(password|passwd|secret|token|passphrase|credential|community|access_key|api_key).*");
    private static final Duration POLL = Duration.ofMillis(50);
    /** What a reason says when the device refused the driver's credentials (FAULT-9). */
    private static final Pattern AUTHENTICATION = Pattern.compile("(?i)(auth|credential|password|passphrase|secret|"
            + "access.?key|api.?key|community|token|log.?in|log.?on|unauthori[sz]ed|forbidden|denied|\\b401\\b|\\b403\\b|permission)");

    private KitSession session;

    /** For subclasses. */
    protected VolumeDriverConformanceKit() {}

    /**
     * The driver to certify and how to reach its device. Called once, before the first test; a
     * fixture may start a device here and hand it to {@link TckFixture.Builder#closeAfterRun}.
     */
    protected abstract TckFixture fixture();

    @BeforeAll
    final void startConformanceRun() {
        session = new KitSession(fixture());
        io.cinderblock.tck.runner.EmbeddedReports.fixtureReady(getClass(), session.fixture()); // for the reports
    }

    @AfterAll
    final void finishConformanceRun() {
        if (session != null) {
            session.close();
            session = null;
        }
    }

    // =================================================================== shared helpers

    private KitSession s() {
        if (session == null) {
            throw new IllegalStateException("The conformance run has not started: fixture() failed or was not called");
        }
        return session;
    }

    private DriverDescriptor descriptor() {
        return s().descriptor();
    }

    private VolumeDriver driver() {
        return s().sharedDriver();
    }

    private Outcome<BackendState> probe(VolumeDriver driver) {
        return s().call("backendState()", s().stateLimit(driver), driver::backendState);
    }

    private Outcome<BackendStats> collect(VolumeDriver driver) {
        return s().call("collectStats()", s().statsLimit(), driver::collectStats);
    }

    /** A state probe that must return, within the deadline, without throwing. */
    private BackendState state(VolumeDriver driver) {
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
    private BackendStats statsFor(String requirement) {
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
    private BackendStats healthyStats(Outcome<BackendStats> outcome, String requirement, String situation) {
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
    private static void blockIfStatsRefused(Throwable thrown) {
        Optional<String> broken = Optional.ofNullable(thrown).flatMap(StatsRefusals::requirementOf);
        if (broken.isPresent()) {
            throw new BlockedException(broken.get(), "the SDK refused the driver's stats: " + Kit.describe(thrown));
        }
    }

    private void requireCapability(Capability... capabilities) {
        for (Capability capability : capabilities) {
            assumeTrue(offered().contains(capability), "driver '" + descriptor().id()
                    + "' does not offer '" + capability.wireName() + "' with this configuration");
        }
    }

    /**
     * What the opened driver offers with the fixture's configuration: its {@code capabilities()},
     * within what the descriptor declares (CAP-2 checks it never claims more).
     */
    private Set<Capability> offered() {
        Set<Capability> offered = EnumSet.noneOf(Capability.class);
        driver().capabilities().stream().filter(descriptor()::supports).forEach(offered::add);
        return offered;
    }

    private <T> T operation(String what, Callable<T> action) {
        return s().call(what, s().operationLimit(), action).orFail();
    }

    private void voidOperation(String what, KitSession.ThrowingAction action) {
        s().run(what, s().operationLimit(), action).orFail();
    }

    /** Creates a volume under the run prefix; it is deleted at the end of the run even if this fails. */
    private Volume createVolume(long sizeGib, Optional<String> pool) {
        VolumeSpec base = VolumeSpec.of(s().newId("vol"), sizeGib);
        VolumeSpec spec = pool.map(base::inPool).orElse(base);
        return createTracked(spec, "createVolume(" + spec.name() + ")", () -> driver().createVolume(spec));
    }

    private Volume createTracked(VolumeSpec spec, String what, Callable<Volume> action) {
        VolumeDriver driver = driver();
        AtomicReference<Volume> created = new AtomicReference<>(spec.toVolume(spec.pool().orElse("unknown"),
                Optional.empty()));
        s().cleanup("deleteVolume(" + spec.name() + ")", () -> driver.deleteVolume(created.get()));
        Volume volume = operation(what, action);
        created.set(volume);
        return volume;
    }

    private Snapshot createSnapshot(Volume volume) {
        VolumeDriver driver = driver();
        SnapshotSpec spec = SnapshotSpec.of(s().newId("snap"), volume);
        AtomicReference<Snapshot> created = new AtomicReference<>(Snapshot.of(spec, Optional.empty()));
        s().cleanup("deleteSnapshot(" + spec.name() + ")", () -> driver.deleteSnapshot(created.get()));
        Snapshot snapshot = operation("createSnapshot(" + spec.name() + ")", () -> driver.createSnapshot(spec));
        created.set(snapshot);
        return snapshot;
    }

    /** Polls {@code backendState()} until {@code wanted} holds or {@code within} passes; every probe must return in time. */
    private BackendState awaitState(VolumeDriver driver, Predicate<BackendState> wanted, Duration within,
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
    private void assertStatsShowDown(VolumeDriver driver, String requirement, String situation) {
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
    private Map<String, String> secretValuesIn(Map<String, String> config) {
        Map<String, String> secrets = new LinkedHashMap<>();
        for (ConfigOption option : descriptor().options()) {
            String value = config.get(option.name());
            if (option.secret() && value != null && !value.isEmpty()) {
                secrets.put(option.name(), value);
            }
        }
        return secrets;
    }

    private Map<String, String> configWith(String option, String value) {
        Map<String, String> config = new LinkedHashMap<>(s().fixture().config());
        config.put(option, value);
        return config;
    }

    private Map<String, String> configWithout(String option) {
        Map<String, String> config = new LinkedHashMap<>(s().fixture().config());
        config.remove(option);
        return config;
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private static Optional<PoolStats> pool(BackendStats stats, String name) {
        return stats.pools().stream().filter(p -> p.poolName().equals(name)).findFirst();
    }

    /** Fault proxies in front of the device; a driver whose endpoints cannot be routed is blocked by DESC-4. */
    private DeviceProxies placeProxies() {
        if (!DeviceProxies.canProxy(descriptor())) {
            throw new BlockedException("DESC-4", "the driver declares no endpoint option the fault proxy could route");
        }
        try {
            return s().proxies();
        } catch (IllegalArgumentException e) {
            throw new BlockedException("DESC-4", "cannot place the fault proxy: " + e.getMessage());
        }
    }

    // =================================================================== discovery

    @Nested
    @Order(1)
    @DisplayName("Discovery")
    @TestMethodOrder(MethodOrderer.DisplayName.class)
    @Tag("discovery")
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class Discovery {

        @Test
        @Tag("DISC-1")
        @DisplayName("DISC-1 the provider is registered for ServiceLoader, is public, and is the only one of its id")
        void providerIsRegistered() throws Exception {
            Class<? extends VolumeDriverProvider> type = s().provider().getClass();
            assertThat(Modifier.isPublic(type.getModifiers())).as("provider class %s is public", type.getName()).isTrue();
            assertThat(Modifier.isPublic(type.getConstructor().getModifiers()))
                    .as("provider %s has a public no-argument constructor", type.getName()).isTrue();
            int registered = 0;
            List<String> sameId = new ArrayList<>();
            Iterator<ServiceLoader.Provider<VolumeDriverProvider>> providers =
                    ServiceLoader.load(VolumeDriverProvider.class, type.getClassLoader()).stream().iterator();
            while (providers.hasNext()) {
                ServiceLoader.Provider<VolumeDriverProvider> candidate;
                try {
                    candidate = providers.next();
                } catch (ServiceConfigurationError e) {
                    continue; // another jar's broken entry is that jar's problem
                }
                if (candidate.type() == type) {
                    registered++;
                } else if (candidate.type().getClassLoader() == type.getClassLoader()) {
                    VolumeDriverProvider other = candidate.get();
                    if (other.descriptor().id().equals(descriptor().id())) {
                        sameId.add(candidate.type().getName());
                    }
                }
            }
            assertThat(registered).as("registrations of %s in META-INF/services/%s", type.getName(),
                    VolumeDriverProvider.class.getName()).isGreaterThanOrEqualTo(1);
            assertThat(sameId).as("other providers of id '%s'", descriptor().id()).isEmpty();
        }

        @Test
        @Tag("DISC-2")
        @DisplayName("DISC-2 descriptor() is fast, never throws, and is equal on every call")
        void descriptorIsStable() {
            for (int i = 0; i < 3; i++) {
                DriverDescriptor again = s().call("descriptor()", Duration.ofSeconds(1), s().provider()::descriptor)
                        .orFail();
                assertThat(again).as("descriptor() call %d", i + 2).isEqualTo(descriptor());
            }
        }
    }

    // =================================================================== descriptor

    @Nested
    @Order(2)
    @DisplayName("Descriptor")
    @TestMethodOrder(MethodOrderer.DisplayName.class)
    @Tag("descriptor")
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class Descriptor {

        @Test
        @Tag("DESC-1")
        @DisplayName("DESC-1 the id is lower-case and at most 64 characters")
        void idIsLowerCase() {
            assertThat(descriptor().id()).matches(DRIVER_ID).hasSizeLessThanOrEqualTo(64);
        }

        @Test
        @Tag("DESC-2")
        @DisplayName("DESC-2 the vendor name is set and the driver version is a version")
        void vendorAndVersion() {
            assertThat(descriptor().vendorName()).as("vendor name").isNotBlank();
            assertThat(descriptor().driverVersion()).as("driver version").matches(VERSION);
        }

        @Test
        @Tag("DESC-3")
        @DisplayName("DESC-3 the storage protocol is a Cinder constant and the SPI version is hosted")
        void protocolAndSpi() {
            assertThat(StorageProtocol.fromWireValue(descriptor().storageProtocol().wireValue()))
                    .as("storage protocol").contains(descriptor().storageProtocol());
            assertThat(SpiVersion.CURRENT.canHost(descriptor().spiVersion()))
                    .as("SPI %s hosted by this SDK's SPI %s", descriptor().spiVersion(), SpiVersion.CURRENT).isTrue();
        }

        @Test
        @Tag("DESC-4")
        @DisplayName("DESC-4 options are described and the device address is declared as endpoints")
        void optionsAndEndpoints() {
            assertThat(descriptor().options()).as("options without a description")
                    .filteredOn(o -> o.description().isBlank()).extracting(ConfigOption::name).isEmpty();
            assertThat(DeviceProxies.canProxy(descriptor()))
                    .as("driver declares endpoint options (EndpointRole HOST+PORT or URL)").isTrue();
            try (DeviceProxies proxies = DeviceProxies.insert(descriptor(), s().fixture().config())) {
                assertThat(proxies.proxies()).isNotEmpty();
            } catch (IllegalArgumentException e) {
                fail("The endpoint options cannot be routed: " + e.getMessage());
            }
        }
    }

    // =================================================================== configuration

    @Nested
    @Order(3)
    @DisplayName("Configuration")
    @TestMethodOrder(MethodOrderer.DisplayName.class)
    @Tag("configuration")
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class Configuration {

        @Test
        @Tag("CONF-1")
        @DisplayName("CONF-1 the fixture's configuration opens a driver with the provider's descriptor")
        void fixtureConfigOpens() {
            VolumeDriver opened = s().open(s().fixture().config(), s().operationLimit()).orFail();
            DriverDescriptor reported = s().call("descriptor()", Duration.ofSeconds(1), opened::descriptor).orFail();
            assertThat(reported).isEqualTo(descriptor());
        }

        @Test
        @Tag("CONF-2")
        @DisplayName("CONF-2 a missing required option fails with InvalidConfigException naming it")
        void missingRequiredOption() {
            List<ConfigOption> required = descriptor().options().stream().filter(ConfigOption::required)
                    .collect(Collectors.toList());
            assumeTrue(!required.isEmpty(), "driver declares no required option");
            for (ConfigOption option : required) {
                assertRefusedNaming(option, configWithout(option.name()), "without required option");
            }
        }

        @Test
        @Tag("CONF-3")
        @DisplayName("CONF-3 a value of the wrong type fails with InvalidConfigException naming the option")
        void wrongType() {
            Set<OptionType> typed = EnumSet.of(OptionType.INTEGER, OptionType.DECIMAL, OptionType.BOOLEAN,
                    OptionType.DURATION, OptionType.CHOICE);
            List<ConfigOption> options = descriptor().options().stream().filter(o -> typed.contains(o.type()))
                    .collect(Collectors.toList());
            assumeTrue(!options.isEmpty(), "driver declares no typed option");
            for (ConfigOption option : options) {
                assertRefusedNaming(option, configWith(option.name(), "not-a-" + option.type().name().toLowerCase()),
                        "with a value of the wrong type for");
            }
        }

        @Test
        @Tag("CONF-4")
        @DisplayName("CONF-4 unset optional and out-of-range values open or fail typed, naming the option")
        void optionalAndOutOfRange() {
            List<Map.Entry<ConfigOption, Map<String, String>>> cases = new ArrayList<>();
            for (ConfigOption option : descriptor().options()) {
                if (!option.required() && option.defaultValue().isEmpty()
                        && s().fixture().config().containsKey(option.name())) {
                    cases.add(Map.entry(option, configWithout(option.name())));
                }
                if (option.type() == OptionType.INTEGER) {
                    cases.add(Map.entry(option, configWith(option.name(), "-1")));
                }
                if (option.endpoint().filter(r -> r == EndpointRole.PORT).isPresent()) {
                    cases.add(Map.entry(option, configWith(option.name(), "0")));
                    cases.add(Map.entry(option, configWith(option.name(), "70000")));
                }
            }
            assumeTrue(!cases.isEmpty(), "driver declares no optional or integer option");
            for (Map.Entry<ConfigOption, Map<String, String>> c : cases) {
                ConfigOption option = c.getKey();
                Outcome<VolumeDriver> outcome = s().open(c.getValue(), s().operationLimit());
                String shown = c.getValue().containsKey(option.name())
                        ? "'" + option.name() + "' = " + (option.secret() ? "(secret)" : c.getValue().get(option.name()))
                        : "'" + option.name() + "' unset";
                assertThat(outcome.timedOut()).as("open() with %s hung: %s", shown, outcome.account()).isFalse();
                outcome.thrown().ifPresent(thrown -> {
                    assertThat(thrown).as("open() with %s must open or throw InvalidConfigException, got %s", shown,
                            Kit.describe(thrown)).isInstanceOf(InvalidConfigException.class);
                    assertThat(((InvalidConfigException) thrown).option()).as("option named by the error for %s", shown)
                            .isEqualTo(option.name());
                });
            }
        }

        @Test
        @Tag("CONF-5")
        @DisplayName("CONF-5 hostile or malformed values of every option open or fail typed, naming the option")
        void hostileValues() {
            List<String> problems = new ArrayList<>();
            int tried = 0;
            for (ConfigOption option : descriptor().options()) {
                for (Map.Entry<String, String> hostile : hostileValues(option).entrySet()) {
                    tried++;
                    String shown = "'" + option.name() + "' = " + hostile.getKey();
                    Outcome<VolumeDriver> outcome = s().openAndClose(configWith(option.name(), hostile.getValue()),
                            s().operationLimit());
                    if (outcome.timedOut()) {
                        problems.add("open() with " + shown + " hung: " + outcome.account());
                    } else if (outcome.thrown().isPresent()) {
                        Throwable thrown = outcome.thrown().get();
                        if (!(thrown instanceof InvalidConfigException)) {
                            problems.add("open() with " + shown + " threw " + Kit.describe(thrown)
                                    + " (must open or throw InvalidConfigException naming the option)");
                        } else if (!option.name().equals(((InvalidConfigException) thrown).option())) {
                            problems.add("open() with " + shown + " names option '"
                                    + ((InvalidConfigException) thrown).option() + "'");
                        }
                    }
                }
            }
            assumeTrue(tried > 0, "driver declares no option");
            assertThat(problems).as("hostile option values not handled (%d tried)", tried).isEmpty();
        }

        /** Values a careless parser breaks on, labelled for messages (never the secret itself). */
        private Map<String, String> hostileValues(ConfigOption option) {
            Map<String, String> values = new LinkedHashMap<>();
            values.put("\"\" (empty)", "");
            values.put("whitespace", " \t ");
            values.put("10 000 characters", "x".repeat(10_000));
            values.put("non-ASCII text", "\u00fcn\u00efc\u00f8d\u00e9-\u2713-\u65e5\u672c");
            values.put("a shell injection", "'; rm -rf /");
            values.put("text in a number's or path's place", "not a number, not a path: %s %n \\0 ../..");
            values.put("a negative number", "-1");
            values.put("a number beyond 64 bits", "99999999999999999999999");
            return values;
        }

        private void assertRefusedNaming(ConfigOption option, Map<String, String> config, String situation) {
            Outcome<VolumeDriver> outcome = s().open(config, s().operationLimit());
            assertThat(outcome.thrown()).as("open() %s '%s': %s", situation, option.name(), outcome.account())
                    .containsInstanceOf(InvalidConfigException.class);
            assertThat(((InvalidConfigException) outcome.thrown().get()).option())
                    .as("option named by the error %s '%s'", situation, option.name()).isEqualTo(option.name());
        }
    }

    // =================================================================== stats

    @Nested
    @Order(4)
    @DisplayName("Stats")
    @TestMethodOrder(MethodOrderer.DisplayName.class)
    @Tag("stats")
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class Stats {

        @Test
        @Tag("STATS-1")
        @DisplayName("STATS-1 collectStats() returns in time, without an exception, with backend_state up")
        void statsReturn() {
            BackendStats stats = statsFor("STATS-1");
            assertThat(stats.backendState()).as("backend_state while the device is up").isEqualTo(BackendState.Status.UP);
        }

        @Test
        @Tag("STATS-2")
        @DisplayName("STATS-2 the six required keys are present and match the descriptor")
        void requiredKeys() {
            BackendStats stats = statsFor("STATS-2");
            Map<String, Object> map = stats.toCinderMap();
            assertThat(map).containsKeys("volume_backend_name", "vendor_name", "driver_version", "storage_protocol",
                    "total_capacity_gb", "free_capacity_gb");
            assertThat(stats.vendorName()).as("vendor_name").isEqualTo(descriptor().vendorName());
            assertThat(stats.driverVersion()).as("driver_version").isEqualTo(descriptor().driverVersion());
            assertThat(stats.storageProtocol()).as("storage_protocol")
                    .isEqualTo(descriptor().storageProtocol().wireValue());
        }

        @Test
        @Tag("STATS-3")
        @DisplayName("STATS-3 volume_backend_name equals the configured backend name")
        void backendName() {
            assertThat(statsFor("STATS-3").backendName()).isEqualTo(s().fixture().backendName());
        }

        @Test
        @Tag("STATS-4")
        @DisplayName("STATS-4 capacities are numbers >= 0 or infinite/unknown")
        void capacitiesValid() {
            for (PoolStats pool : statsFor("STATS-4").pools()) {
                for (Capacity capacity : List.of(pool.totalCapacity(), pool.freeCapacity())) {
                    if (capacity.isKnown()) {
                        assertThat(capacity.gib()).as("pool '%s' capacity", pool.poolName()).isFinite()
                                .isGreaterThanOrEqualTo(0);
                    }
                }
            }
        }

        @Test
        @Tag("STATS-5")
        @DisplayName("STATS-5 free capacity never exceeds total capacity")
        void freeWithinTotal() {
            BackendStats stats = statsFor("STATS-5");
            for (PoolStats pool : stats.pools()) {
                if (pool.totalCapacity().isKnown() && pool.freeCapacity().isKnown()) {
                    assertThat(pool.freeCapacity().gib()).as("pool '%s' free vs total", pool.poolName())
                            .isLessThanOrEqualTo(pool.totalCapacity().gib());
                }
            }
            if (stats.totalCapacity().isKnown() && stats.freeCapacity().isKnown()) {
                assertThat(stats.freeCapacity().gib()).as("backend free vs total")
                        .isLessThanOrEqualTo(stats.totalCapacity().gib());
            }
        }

        @Test
        @Tag("STATS-6")
        @DisplayName("STATS-6 at least one pool, with unique names")
        void poolsUnique() {
            List<String> names = statsFor("STATS-6").pools().stream().map(PoolStats::poolName)
                    .collect(Collectors.toList());
            assertThat(names).isNotEmpty().doesNotHaveDuplicates();
        }

        @Test
        @Tag("STATS-7")
        @DisplayName("STATS-7 reserved_percentage is 0-100 and max_over_subscription_ratio >= 1")
        void reservedAndRatio() {
            for (PoolStats pool : statsFor("STATS-7").pools()) {
                assertThat(pool.reservedPercentage()).as("pool '%s' reserved_percentage", pool.poolName())
                        .isBetween(0, 100);
                pool.maxOverSubscriptionRatio().ifPresent(ratio -> assertThat(ratio)
                        .as("pool '%s' max_over_subscription_ratio", pool.poolName()).isGreaterThanOrEqualTo(1));
            }
        }

        @Test
        @Tag("STATS-8")
        @DisplayName("STATS-8 thin/thick flags are consistent")
        void thinThickConsistent() {
            for (PoolStats pool : statsFor("STATS-8").pools()) {
                assertThat(pool.thinProvisioningSupport() || pool.thickProvisioningSupport())
                        .as("pool '%s' supports thin or thick provisioning", pool.poolName()).isTrue();
                if (!pool.thinProvisioningSupport()) {
                    pool.maxOverSubscriptionRatio().ifPresent(ratio -> assertThat(ratio)
                            .as("pool '%s' is thick-only, so its max_over_subscription_ratio", pool.poolName())
                            .isEqualTo(1.0));
                    if (pool.totalCapacity().isKnown() && pool.provisionedCapacityGib().isPresent()) {
                        assertThat(pool.provisionedCapacityGib().getAsDouble())
                                .as("pool '%s' is thick-only, so provisioned_capacity_gb vs total", pool.poolName())
                                .isLessThanOrEqualTo(pool.totalCapacity().gib() + s().fixture().capacityToleranceGib());
                    }
                }
            }
        }

        @Test
        @Tag("STATS-9")
        @DisplayName("STATS-9 two calls in a row agree within the capacity tolerance")
        void repeatable() {
            BackendStats first = statsFor("STATS-9");
            BackendStats second = statsFor("STATS-9");
            double tolerance = s().fixture().capacityToleranceGib();
            assertThat(second.pools().stream().map(PoolStats::poolName))
                    .as("pool names of the second call").containsExactlyElementsOf(
                            first.pools().stream().map(PoolStats::poolName).collect(Collectors.toList()));
            for (PoolStats a : first.pools()) {
                PoolStats b = pool(second, a.poolName()).orElseThrow();
                assertClose(a.poolName(), "total_capacity_gb", a.totalCapacity(), b.totalCapacity(), tolerance);
                assertClose(a.poolName(), "free_capacity_gb", a.freeCapacity(), b.freeCapacity(), tolerance);
            }
        }

        private void assertClose(String pool, String key, Capacity a, Capacity b, double tolerance) {
            assertThat(b.kind()).as("pool '%s' %s kind on the second call", pool, key).isEqualTo(a.kind());
            if (a.isKnown()) {
                assertThat(Math.abs(a.gib() - b.gib())).as("pool '%s' %s changed from %s to %s between two calls",
                        pool, key, a, b).isLessThanOrEqualTo(tolerance);
            }
        }

        @Test
        @Tag("STATS-10")
        @Tag("create_volume")
        @DisplayName("STATS-10 free capacity drops by about N after a create of N GiB and returns after delete")
        void capacityFollowsVolumes() {
            requireCapability(Capability.CREATE_VOLUME);
            double tolerance = s().fixture().capacityToleranceGib();
            long size = Math.max(s().fixture().volumeSizeGib(), (long) Math.ceil(2 * tolerance) + 1);
            BackendStats before = statsFor("STATS-10");
            PoolStats target = before.pools().stream()
                    .filter(p -> p.freeCapacity().isKnown() && p.freeCapacity().gib() >= size + tolerance)
                    .findFirst()
                    .orElseGet(() -> abort("no pool reports a known free capacity of at least " + size + " GiB"));
            boolean thinOnly = target.thinProvisioningSupport() && !target.thickProvisioningSupport();
            if (thinOnly && target.provisionedCapacityGib().isEmpty()) {
                abort("pool '" + target.poolName() + "' is thin and reports no provisioned_capacity_gb to follow");
            }
            Volume volume = createVolume(size, Optional.of(target.poolName()));
            assertThat(volume.poolName()).as("pool the volume was placed in").isEqualTo(target.poolName());
            awaitCapacity(target, size, thinOnly, "after creating " + size + " GiB");
            voidOperation("deleteVolume(" + volume.name() + ")", () -> driver().deleteVolume(volume));
            awaitCapacity(target, 0, thinOnly, "after deleting the volume again");
        }

        /** Polls until the pool's free capacity (thin pools: provisioned capacity) moved by {@code expected} GiB. */
        private void awaitCapacity(PoolStats before, long expected, boolean thinOnly, String situation) {
            double tolerance = s().fixture().capacityToleranceGib();
            long end = System.nanoTime() + s().fixture().settleTimeout().toNanos();
            double moved;
            while (true) {
                PoolStats now = pool(statsFor("STATS-10"), before.poolName()).orElseGet(
                        () -> fail("pool '" + before.poolName() + "' disappeared from the stats " + situation));
                moved = thinOnly
                        ? now.provisionedCapacityGib().orElse(0) - before.provisionedCapacityGib().orElse(0)
                        : before.freeCapacity().gib() - now.freeCapacity().gib();
                if (Math.abs(moved - expected) <= tolerance) {
                    return;
                }
                if (System.nanoTime() > end) {
                    break;
                }
                sleep(Duration.ofMillis(200));
            }
            fail("STATS-10: pool '" + before.poolName() + "' " + (thinOnly ? "provisioned" : "free") + " capacity moved by "
                    + moved + " GiB " + situation + ", expected " + expected + " GiB (tolerance " + tolerance
                    + " GiB, waited " + Kit.millis(s().fixture().settleTimeout()) + ")");
        }
    }

    // =================================================================== state

    @Nested
    @Order(5)
    @DisplayName("State")
    @TestMethodOrder(MethodOrderer.DisplayName.class)
    @Tag("state")
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class State {

        @Test
        @Tag("STATE-1")
        @DisplayName("STATE-1 backendState() is UP with a reason while the device is reachable")
        void upWhileReachable() {
            Instant before = Instant.now();
            BackendState state = state(driver());
            Instant after = Instant.now();
            assertThat(state.status()).as("state while reachable (reason \"%s\")", state.reason())
                    .isEqualTo(BackendState.Status.UP);
            assertThat(state.reason()).isNotBlank();
            assertThat(state.observedAt()).as("observedAt").isBetween(before.minusSeconds(1), after.plusSeconds(1));
        }

        @Test
        @Tag("STATE-2")
        @DisplayName("STATE-2 backendState() returns within its declared deadline")
        void withinDeadline() {
            Duration deadline = s().stateDeadline();
            assertThat(deadline).as("stateDeadline()").isPositive().isLessThanOrEqualTo(Duration.ofSeconds(120));
            for (int i = 0; i < 5; i++) {
                state(driver());
            }
        }

        @Test
        @Tag("STATE-3")
        @DisplayName("STATE-3 state and stats called from several threads at once stay correct")
        void concurrentCalls() throws Exception {
            VolumeDriver driver = driver();
            BackendStats reference = statsFor("STATE-3");
            int threads = 8;
            ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
                Thread t = new Thread(r, "tck-concurrency");
                t.setDaemon(true);
                return t;
            });
            try {
                CountDownLatch start = new CountDownLatch(1);
                List<Future<String>> results = new ArrayList<>();
                for (int i = 0; i < threads; i++) {
                    boolean stats = i % 2 == 0;
                    results.add(pool.submit(() -> {
                        start.await();
                        StringBuilder problems = new StringBuilder();
                        for (int round = 0; round < 3; round++) {
                            if (stats) {
                                BackendStats got = driver.collectStats();
                                if (got.backendState() != BackendState.Status.UP || !poolNames(got).equals(
                                        poolNames(reference))) {
                                    problems.append("stats ").append(got.backendState()).append(' ')
                                            .append(poolNames(got)).append("; ");
                                }
                            } else {
                                BackendState state = driver.backendState();
                                if (!state.isUp()) {
                                    problems.append("state DOWN: ").append(state.reason()).append("; ");
                                }
                            }
                        }
                        return problems.toString();
                    }));
                }
                start.countDown();
                long limitMillis = s().statsLimit().multipliedBy(3).plus(s().stateLimit(driver).multipliedBy(3)).toMillis();
                for (Future<String> result : results) {
                    String problems;
                    try {
                        problems = result.get(limitMillis, TimeUnit.MILLISECONDS);
                    } catch (java.util.concurrent.ExecutionException e) {
                        s().observe("concurrent call exception and cause chain", Kit.chainText(e.getCause()));
                        blockIfStatsRefused(e.getCause());
                        throw new AssertionError("A concurrent call threw " + Kit.describe(e.getCause()), e.getCause());
                    } catch (java.util.concurrent.TimeoutException e) {
                        throw new AssertionError("Concurrent calls did not finish within " + limitMillis + " ms");
                    }
                    assertThat(problems).as("results of concurrent calls").isEmpty();
                }
            } finally {
                pool.shutdownNow();
            }
        }

        private List<String> poolNames(BackendStats stats) {
            return stats.pools().stream().map(PoolStats::poolName).collect(Collectors.toList());
        }

        @Test
        @Tag("STATE-4")
        @DisplayName("STATE-4 state, stats and pool numbers from concurrent calls agree when healthy, faulted and healed")
        void agreement() {
            List<String> problems = new ArrayList<>();
            VolumeDriver shared = driver();
            // Stats that differ between two calls in a row are STATS-9's defect; concurrency adds nothing to it.
            List<String> sequential = new ArrayList<>();
            comparePools(statsFor("STATE-4"), statsFor("STATE-4"), s().fixture().capacityToleranceGib(),
                    "two calls in a row", sequential);
            if (!sequential.isEmpty()) {
                throw new BlockedException("STATS-9", String.join("; ", sequential));
            }
            agree(shared, BackendState.Status.UP, "healthy", problems);
            if (DeviceProxies.canProxy(descriptor())) {
                DeviceProxies proxies;
                try {
                    proxies = s().proxies();
                } catch (IllegalArgumentException e) {
                    throw new BlockedException("DESC-4", "cannot place the fault proxy: " + e.getMessage());
                }
                try {
                    Outcome<VolumeDriver> opened = s().open(proxies.config(), s().operationLimit());
                    if (!opened.returned() || opened.value().isEmpty()) {
                        throw new BlockedException("FAULT-1", "cannot open the driver through the fault proxy: "
                                + opened.account());
                    }
                    VolumeDriver proxied = opened.value().get();
                    if (probe(proxied).value().filter(BackendState::isUp).isEmpty() || proxies.arrivals() == 0) {
                        throw new BlockedException("FAULT-1", "not UP through the healthy fault proxy, or its traffic"
                                + " does not pass the proxy");
                    }
                    collect(proxied); // as a host would have: stats served before the fault must not outlive it
                    proxies.mode(FaultMode.REFUSE);
                    faulted(proxied, "FAULT-2", "while the device refuses connections", problems);
                    proxies.heal();
                    healed(proxied, "FAULT-6", "after connections are accepted again", problems);
                } finally {
                    proxies.close();
                }
            }
            for (DeviceFault fault : s().fixture().deviceFaults()) {
                try {
                    try {
                        fault.breakDevice();
                    } catch (Exception e) {
                        throw new AssertionError("The fixture's device fault '" + fault.name() + "' failed to break: "
                                + e, e);
                    }
                    faulted(shared, "FAULT-8", "during device fault '" + fault.name() + "'", problems);
                } finally {
                    try {
                        fault.healDevice();
                    } catch (Exception e) {
                        problems.add("the fixture's device fault '" + fault.name() + "' failed to heal: " + e);
                    }
                }
                healed(shared, "FAULT-8", "after device fault '" + fault.name() + "' healed", problems);
            }
            assertThat(problems).as("STATE-4: disagreements between concurrent state and stats calls").isEmpty();
        }

        /** Once the state is DOWN and one stats call shows it (else the fault's own requirement fails), concurrent calls agree. */
        private void faulted(VolumeDriver driver, String faultRequirement, String situation, List<String> problems) {
            long end = System.nanoTime() + s().stateLimit(driver).toNanos();
            while (probe(driver).value().filter(st -> !st.isUp()).isEmpty()) {
                if (System.nanoTime() > end) {
                    throw new BlockedException(faultRequirement, "backendState() not DOWN within the deadline " + situation);
                }
                sleep(POLL);
            }
            Outcome<BackendStats> one = collect(driver);
            boolean down = one.thrown().filter(t -> t instanceof DeviceUnavailableException).isPresent()
                    || one.value().filter(st -> st.backendState() == BackendState.Status.DOWN).isPresent();
            if (!down) {
                throw new BlockedException(faultRequirement, "collectStats() does not show DOWN " + situation + ": "
                        + one.account());
            }
            agree(driver, BackendState.Status.DOWN, situation, problems);
        }

        /** Once the state is UP again (else the recovery requirement fails), concurrent calls agree. */
        private void healed(VolumeDriver driver, String recoveryRequirement, String situation, List<String> problems) {
            long end = System.nanoTime() + s().fixture().recoveryTimeout(s().stateDeadline()).toNanos();
            while (probe(driver).value().filter(BackendState::isUp).isEmpty()) {
                if (System.nanoTime() > end) {
                    throw new BlockedException(recoveryRequirement, "backendState() not UP within the recovery timeout "
                            + situation);
                }
                sleep(POLL);
            }
            agree(driver, BackendState.Status.UP, situation, problems);
        }

        /**
         * Four threads call {@code backendState()} and four {@code collectStats()}, twice each, all at
         * once: every state and every stats' {@code backend_state} (a DeviceUnavailableException counts
         * as down) must be {@code expected}, and stats that are up must name the same pools with the
         * same capacities within the tolerance.
         */
        private void agree(VolumeDriver driver, BackendState.Status expected, String situation, List<String> problems) {
            int threads = 8;
            ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
                Thread t = new Thread(r, "tck-agreement");
                t.setDaemon(true);
                return t;
            });
            List<Object> results = java.util.Collections.synchronizedList(new ArrayList<>());
            try {
                CountDownLatch start = new CountDownLatch(1);
                List<Future<?>> futures = new ArrayList<>();
                for (int i = 0; i < threads; i++) {
                    boolean stats = i % 2 == 0;
                    futures.add(pool.submit(() -> {
                        start.await();
                        for (int round = 0; round < 2; round++) {
                            try {
                                results.add(stats ? driver.collectStats() : driver.backendState());
                            } catch (RuntimeException e) {
                                results.add(e);
                            }
                        }
                        return null;
                    }));
                }
                start.countDown();
                long limitMillis = s().statsLimit().multipliedBy(2).plus(s().stateLimit(driver).multipliedBy(2))
                        .toMillis();
                for (Future<?> future : futures) {
                    try {
                        future.get(limitMillis, TimeUnit.MILLISECONDS);
                    } catch (java.util.concurrent.TimeoutException e) {
                        problems.add(situation + ": concurrent calls did not finish within " + limitMillis + " ms");
                        return;
                    } catch (java.util.concurrent.ExecutionException e) {
                        problems.add(situation + ": " + Kit.describe(e.getCause()));
                        return;
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new AssertionError("interrupted", e);
                    }
                }
            } finally {
                pool.shutdownNow();
            }
            BackendStats reference = null;
            double tolerance = s().fixture().capacityToleranceGib();
            for (Object result : List.copyOf(results)) {
                if (result instanceof BackendState) {
                    BackendState state = (BackendState) result;
                    s().observe("backendState() reason", state.reason());
                    if (state.status() != expected) {
                        if (situation.equals("healthy")) {
                            // Concurrent probes of a healthy device that say DOWN are STATE-3's defect.
                            throw new BlockedException("STATE-3", "backendState() " + state.status()
                                    + " on a healthy device under concurrent calls: " + state.reason());
                        }
                        problems.add(situation + ": backendState() " + state.status() + " (\"" + state.reason()
                                + "\") while it was " + expected + " just before");
                    }
                } else if (result instanceof BackendStats) {
                    BackendStats stats = (BackendStats) result;
                    s().observe("collectStats() toString()", stats.toString());
                    if (stats.backendState() != expected) {
                        problems.add(situation + ": collectStats() says backend_state " + stats.backendState()
                                + " while the state is " + expected);
                    } else if (expected == BackendState.Status.UP) {
                        if (reference == null) {
                            reference = stats;
                        } else {
                            comparePools(reference, stats, tolerance, situation, problems);
                        }
                    }
                } else {
                    Throwable thrown = (Throwable) result;
                    s().observe("concurrent call exception and cause chain", Kit.chainText(thrown));
                    blockIfStatsRefused(thrown);
                    if (!(thrown instanceof DeviceUnavailableException) || expected == BackendState.Status.UP) {
                        problems.add(situation + ": a concurrent call threw " + Kit.describe(thrown)
                                + " while the state is " + expected);
                    }
                }
            }
        }

        private void comparePools(BackendStats a, BackendStats b, double tolerance, String situation,
                List<String> problems) {
            if (!poolNames(a).equals(poolNames(b))) {
                problems.add(situation + ": concurrent stats name pools " + poolNames(a) + " and " + poolNames(b));
                return;
            }
            for (PoolStats pa : a.pools()) {
                PoolStats pb = pool(b, pa.poolName()).orElseThrow();
                for (String key : List.of("total_capacity_gb", "free_capacity_gb")) {
                    Capacity ca = key.startsWith("total") ? pa.totalCapacity() : pa.freeCapacity();
                    Capacity cb = key.startsWith("total") ? pb.totalCapacity() : pb.freeCapacity();
                    if (ca.kind() != cb.kind() || (ca.isKnown() && Math.abs(ca.gib() - cb.gib()) > tolerance)) {
                        problems.add(situation + ": pool '" + pa.poolName() + "' " + key + " is " + ca + " and " + cb
                                + " in concurrent stats (tolerance " + tolerance + " GiB)");
                    }
                }
            }
        }
    }

    // =================================================================== faults

    @Nested
    @Order(6)
    @DisplayName("Faults")
    @TestMethodOrder(MethodOrderer.DisplayName.class)
    @Tag("faults")
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class Faults {

        /** A driver whose device traffic goes through fault proxies. */
        private final class Proxied implements AutoCloseable {
            final DeviceProxies proxies;
            final VolumeDriver driver;

            /** For FAULT-1, which judges the proxied driver itself; every other fault test is blocked by it. */
            Proxied(boolean judged) {
                proxies = placeProxies();
                Outcome<VolumeDriver> opened = s().open(proxies.config(), s().operationLimit());
                if (!judged && !opened.returned()) {
                    throw new BlockedException("FAULT-1", "cannot open the driver through the fault proxy: "
                            + opened.account());
                }
                driver = opened.orFail();
                if (!judged) {
                    Outcome<BackendState> state = probe(driver);
                    if (!state.returned() || state.value().filter(BackendState::isUp).isEmpty()) {
                        throw new BlockedException("FAULT-1", "not UP through the healthy fault proxy: "
                                + state.account());
                    }
                }
            }

            Proxied() {
                this(false);
            }

            Duration deadline() {
                return s().stateLimit(driver);
            }

            @Override
            public void close() {
                // The driver first, while the proxy still carries its goodbye (a session logout).
                driver.close();
                proxies.close();
            }
        }

        @Test
        @Tag("FAULT-1")
        @DisplayName("FAULT-1 through the healthy fault proxy the driver reports UP")
        void upThroughProxy() {
            try (Proxied p = new Proxied(true)) {
                BackendState state = state(p.driver);
                assertThat(state.status()).as("state through the proxy (reason \"%s\")", state.reason())
                        .isEqualTo(BackendState.Status.UP);
                assertThat(healthyStats(collect(p.driver), "FAULT-1", "through the healthy proxy").backendState())
                        .as("stats through the proxy").isEqualTo(BackendState.Status.UP);
                // UP alone proves nothing if the driver reached its device some other way (a cached address).
                assertThat(p.proxies.arrivals()).as("connections or datagrams that reached the fault proxy while the"
                        + " driver opened, probed and collected stats through it (its endpoint options point there)")
                        .isPositive();
            }
        }

        @Test
        @Tag("FAULT-2")
        @DisplayName("FAULT-2 connection refused: DOWN with a reason within the deadline, stats show it")
        void refused() {
            checkFault(FaultMode.REFUSE, "FAULT-2", "while the device refuses connections");
        }

        @Test
        @Tag("FAULT-3")
        @DisplayName("FAULT-3 connection reset: DOWN with a reason within the deadline, stats show it")
        void reset() {
            checkFault(FaultMode.RESET, "FAULT-3", "while the device resets connections");
        }

        @Test
        @Tag("FAULT-4")
        @DisplayName("FAULT-4 stall: DOWN with a reason within the deadline, no call blocks past it")
        void stall() {
            checkFault(FaultMode.STALL, "FAULT-4", "while the device stalls");
        }

        private void checkFault(FaultMode mode, String requirement, String situation) {
            try (Proxied p = new Proxied()) {
                assumeTrue(p.proxies.supports(mode), "the driver's transport cannot simulate " + mode);
                collect(p.driver); // as a host would have: a driver must not serve these stats once the device fails
                p.proxies.mode(mode);
                BackendState down = awaitState(p.driver, st -> !st.isUp(), p.deadline(), requirement,
                        "within the deadline " + situation);
                assertThat(down.reason()).as(requirement + ": reason of the DOWN state").isNotBlank();
                assertStatsShowDown(p.driver, requirement, situation);
                p.proxies.heal();
            }
        }

        @Test
        @Tag("FAULT-5")
        @DisplayName("FAULT-5 slow device: stays UP and stats succeed")
        void slow() {
            try (Proxied p = new Proxied()) {
                Duration latency = s().fixture().slowLatency(s().stateDeadline());
                p.proxies.latency(latency);
                p.proxies.mode(FaultMode.SLOW);
                for (int i = 0; i < 3; i++) {
                    BackendState state = state(p.driver);
                    assertThat(state.status()).as("state with %s latency (reason \"%s\")", Kit.millis(latency),
                            state.reason()).isEqualTo(BackendState.Status.UP);
                }
                BackendStats stats = healthyStats(collect(p.driver), "FAULT-5", "with " + Kit.millis(latency)
                        + " latency");
                assertThat(stats.backendState()).as("stats with latency").isEqualTo(BackendState.Status.UP);
            }
        }

        @Test
        @Tag("FAULT-6")
        @DisplayName("FAULT-6 after the path heals, the state returns to UP")
        void recovers() {
            try (Proxied p = new Proxied()) {
                Duration recovery = s().fixture().recoveryTimeout(s().stateDeadline());
                for (FaultMode mode : List.of(FaultMode.REFUSE, FaultMode.RESET, FaultMode.STALL)) {
                    if (!p.proxies.supports(mode)) {
                        continue;
                    }
                    p.proxies.mode(mode);
                    probe(p.driver); // let the driver see the fault; FAULT-2..4 judge what it reports
                    collect(p.driver);
                    p.proxies.heal();
                    awaitState(p.driver, BackendState::isUp, recovery, "FAULT-6",
                            "after the " + mode + " fault healed (recovery timeout)");
                    healthyStats(collect(p.driver), "FAULT-6", "after the " + mode + " fault healed");
                }
            }
        }

        @Test
        @Tag("FAULT-7")
        @DisplayName("FAULT-7 open() does not need the device: DOWN while unreachable, UP once back")
        void opensWhileUnreachable() {
            DeviceProxies proxies = placeProxies();
            Outcome<VolumeDriver> opened = null;
            try {
                proxies.mode(FaultMode.REFUSE);
                Duration limit = s().stateDeadline().plus(s().fixture().deadlineGrace());
                opened = s().open(proxies.config(), limit);
                assertThat(opened.timedOut()).as("open() while the device is unreachable: %s", opened.account())
                        .isFalse();
                if (opened.thrown().isPresent()) {
                    assertThat(opened.thrown().get()).as("open() while unreachable: %s", opened.account())
                            .isInstanceOf(DeviceUnavailableException.class);
                    return;
                }
                VolumeDriver driver = opened.value().orElseThrow(() -> new AssertionError("open() returned null"));
                awaitState(driver, st -> !st.isUp(), s().stateLimit(driver), "FAULT-7",
                        "after opening while the device is unreachable");
                proxies.heal();
                awaitState(driver, BackendState::isUp, s().fixture().recoveryTimeout(s().stateDeadline()), "FAULT-7",
                        "after the device came back");
            } finally {
                if (opened != null) {
                    opened.value().ifPresent(VolumeDriver::close);
                }
                proxies.close();
            }
        }

        @Test
        @Tag("FAULT-9")
        @DisplayName("FAULT-9 wrong credentials: DOWN saying authentication failed, never UP; UP again with the right one")
        void wrongCredentials() {
            Map<String, String> wrong = wrongCredentialConfig();
            List<String> secrets = new ArrayList<>();
            secretValuesIn(s().fixture().config()).values().forEach(secrets::add);
            secretValuesIn(wrong).values().forEach(secrets::add);
            SecretScrubber scrubber = SecretScrubber.of(secrets);
            Outcome<VolumeDriver> opened = s().open(wrong, s().operationLimit());
            assertThat(opened.timedOut()).as("FAULT-9: open() with a wrong credential hung: %s", opened.account())
                    .isFalse();
            if (opened.thrown().isPresent()) {
                // Refusing at open is allowed, typed and saying why.
                Throwable thrown = opened.thrown().get();
                assertThat(thrown).as("FAULT-9: open() with a wrong credential: %s", opened.account())
                        .isInstanceOfAny(DeviceUnavailableException.class, InvalidConfigException.class);
                assertAuthenticationReason(String.valueOf(thrown.getMessage()), scrubber, "open()'s error");
            } else {
                VolumeDriver driver = opened.value().orElseThrow(() -> new AssertionError("open() returned null"));
                String situation = "with a wrong credential";
                BackendState down = awaitState(driver, st -> !st.isUp(), s().stateLimit(driver), "FAULT-9",
                        "within the deadline " + situation);
                assertAuthenticationReason(down.reason(), scrubber, "the DOWN state's reason");
                assertStatsShowDown(driver, "FAULT-9", situation);
                for (int i = 0; i < 3; i++) {
                    BackendState again = state(driver);
                    assertThat(again.status()).as("FAULT-9: state %s, probe %d (reason \"%s\")", situation, i + 2,
                            scrubber.scrub(again.reason())).isNotEqualTo(BackendState.Status.UP);
                }
            }
            VolumeDriver right = s().open(s().fixture().config(), s().operationLimit()).orFail();
            awaitState(right, BackendState::isUp, s().fixture().recoveryTimeout(s().stateDeadline()), "FAULT-9",
                    "for a new driver opened with the right credential");
        }

        /** The fixture's configuration with a wrong credential; skips when the driver has none. */
        private Map<String, String> wrongCredentialConfig() {
            if (s().fixture().wrongCredentials().isPresent()) {
                return Map.copyOf(s().fixture().wrongCredentials().get().apply(Map.copyOf(s().fixture().config())));
            }
            List<ConfigOption> secretOptions = descriptor().options().stream().filter(ConfigOption::secret)
                    .collect(Collectors.toList());
            assumeTrue(!secretOptions.isEmpty(), "driver declares no secret option (and the fixture says no other way"
                    + " to make a wrong credential)");
            Map<String, String> wrong = new LinkedHashMap<>(s().fixture().config());
            boolean changed = false;
            for (ConfigOption option : secretOptions) {
                if (wrong.containsKey(option.name())) {
                    wrong.put(option.name(), "tck-wrong-" + s().newId("secret"));
                    changed = true;
                }
            }
            assumeTrue(changed, "the fixture's configuration sets none of the secret options "
                    + secretOptions.stream().map(ConfigOption::name).collect(Collectors.toList()));
            return wrong;
        }

        private void assertAuthenticationReason(String reason, SecretScrubber scrubber, String what) {
            assertThat(scrubber.findIn(reason)).as("FAULT-9: %s names a secret (masked: \"%s\")", what,
                    scrubber.scrub(reason)).isEmpty();
            assertThat(AUTHENTICATION.matcher(reason).find()).as("FAULT-9: %s \"%s\" says authentication failed"
                    + " (words such as authentication, credential, password, key, unauthorized, 401/403, denied)",
                    what, reason).isTrue();
        }

        @Test
        @Tag("FAULT-10")
        @DisplayName("FAULT-10 after the device closed idle connections: still UP, the next call succeeds")
        void idleConnectionsClosed() {
            try (Proxied p = new Proxied()) {
                assumeTrue(p.proxies.supports(FaultMode.IDLE_CLOSE), "the driver's transport has no connections to close");
                Duration idle = s().fixture().idleTimeout();
                p.proxies.idleTimeout(idle);
                p.proxies.mode(FaultMode.IDLE_CLOSE);
                state(p.driver); // connections a driver pools are open now
                collect(p.driver);
                Duration gap = idle.multipliedBy(2).plusMillis(200);
                sleep(gap);
                String situation = "after an idle gap of " + Kit.millis(gap) + " on a healthy device that closes"
                        + " connections idle for " + Kit.millis(idle);
                BackendState state = state(p.driver);
                assertThat(state.status()).as("FAULT-10: state %s (reason \"%s\"): a closed idle connection must be"
                        + " reopened, not reported DOWN", situation, state.reason()).isEqualTo(BackendState.Status.UP);
                assertThat(healthyStats(collect(p.driver), "FAULT-10", situation).backendState())
                        .as("FAULT-10: stats %s", situation).isEqualTo(BackendState.Status.UP);
                sleep(gap);
                BackendStats next = healthyStats(collect(p.driver), "FAULT-10", "as the first call " + situation);
                assertThat(next.backendState()).as("FAULT-10: stats as the first call %s", situation)
                        .isEqualTo(BackendState.Status.UP);
            }
        }

        @Test
        @Tag("FAULT-11")
        @DisplayName("FAULT-11 half-open connections: DOWN with a reason within the deadline, UP when healed")
        void halfOpen() {
            try (Proxied p = new Proxied()) {
                assumeTrue(p.proxies.supports(FaultMode.HALF_OPEN), "the driver's transport has no connections");
                collect(p.driver); // connections a driver pools are established now, and go silent below
                state(p.driver);
                p.proxies.mode(FaultMode.HALF_OPEN);
                String situation = "while established connections are half-open (silent, no FIN or RST) and new ones"
                        + " are accepted but never answered";
                BackendState down = awaitState(p.driver, st -> !st.isUp(), p.deadline(), "FAULT-11",
                        "within the deadline " + situation);
                assertThat(down.reason()).as("FAULT-11: reason of the DOWN state").isNotBlank();
                assertStatsShowDown(p.driver, "FAULT-11", situation);
                p.proxies.heal();
                awaitState(p.driver, BackendState::isUp, s().fixture().recoveryTimeout(s().stateDeadline()), "FAULT-11",
                        "after the half-open path healed (recovery timeout)");
                healthyStats(collect(p.driver), "FAULT-11", "after the half-open path healed");
            }
        }

        @Test
        @Tag("FAULT-8")
        @DisplayName("FAULT-8 device-level faults from the fixture's hooks are reported DOWN, then UP")
        void deviceFaults() throws Exception {
            List<DeviceFault> faults = s().fixture().deviceFaults();
            assumeTrue(!faults.isEmpty(), "the fixture offers no device-level fault hooks");
            VolumeDriver driver = driver();
            for (DeviceFault fault : faults) {
                if (!state(driver).isUp()) {
                    throw new BlockedException("STATE-1", "not UP before device fault '" + fault.name() + "'");
                }
                collect(driver); // as a host would have: a driver must not serve these stats once the device fails
                try {
                    fault.breakDevice();
                    String situation = "during device fault '" + fault.name() + "'";
                    BackendState down = awaitState(driver, st -> !st.isUp(), s().stateLimit(driver), "FAULT-8",
                            "within the deadline " + situation);
                    assertThat(down.reason()).as("reason of the DOWN state " + situation).isNotBlank();
                    assertStatsShowDown(driver, "FAULT-8", situation);
                } finally {
                    fault.healDevice();
                }
                awaitState(driver, BackendState::isUp, s().fixture().recoveryTimeout(s().stateDeadline()), "FAULT-8",
                        "after device fault '" + fault.name() + "' healed");
            }
        }
    }

    // =================================================================== capabilities

    @Nested
    @Order(7)
    @DisplayName("Capabilities")
    @TestMethodOrder(MethodOrderer.DisplayName.class)
    @Tag("capabilities")
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class Capabilities {

        @Test
        @Tag("CAP-1")
        @DisplayName("CAP-1 undeclared capabilities throw NotSupportedException naming the capability")
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

        @Test
        @Tag("CAP-3")
        @DisplayName("CAP-3 the driver declares and offers exactly the capabilities the vendor expects")
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

        @Test
        @Tag("CAP-2")
        @DisplayName("CAP-2 capability declarations are coherent")
        void coherent() {
            assertThat(driver().capabilities())
                    .as("capabilities() of the opened driver may narrow the descriptor's, never widen them")
                    .isSubsetOf(descriptor().capabilities());
            Set<Capability> declared = offered();
            if (!declared.isEmpty()) {
                assertThat(declared).as("optional capabilities need create_volume").contains(Capability.CREATE_VOLUME);
            }
            if (declared.contains(Capability.VOLUME_FROM_SNAPSHOT)) {
                assertThat(declared).as("volume_from_snapshot needs snapshot").contains(Capability.SNAPSHOT);
            }
        }
    }

    // =================================================================== provisioning

    @Nested
    @Order(8)
    @DisplayName("Provisioning")
    @TestMethodOrder(MethodOrderer.DisplayName.class)
    @Tag("provisioning")
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class Provisioning {

        @Test
        @Tag("PROV-1")
        @Tag("create_volume")
        @DisplayName("PROV-1 createVolume returns the requested volume in a reported pool")
        void create() {
            requireCapability(Capability.CREATE_VOLUME);
            long size = s().fixture().volumeSizeGib();
            VolumeSpec spec = VolumeSpec.of(s().newId("vol"), size);
            Volume volume = createTracked(spec, "createVolume(" + spec.name() + ")", () -> driver().createVolume(spec));
            assertThat(volume.id()).as("id").isEqualTo(spec.id());
            assertThat(volume.name()).as("name").isEqualTo(spec.name());
            assertThat(volume.sizeGib()).as("size").isEqualTo(size);
            assertThat(statsFor("PROV-1").pools()).extracting(PoolStats::poolName).as("reported pools")
                    .contains(volume.poolName());
        }

        @Test
        @Tag("PROV-2")
        @Tag("create_volume")
        @DisplayName("PROV-2 deleteVolume is idempotent")
        void deleteTwice() {
            requireCapability(Capability.CREATE_VOLUME);
            Volume volume = createVolume(s().fixture().volumeSizeGib(), Optional.empty());
            voidOperation("deleteVolume(" + volume.name() + ")", () -> driver().deleteVolume(volume));
            voidOperation("deleteVolume(" + volume.name() + ") a second time", () -> driver().deleteVolume(volume));
        }

        @Test
        @Tag("PROV-3")
        @Tag("extend_volume")
        @DisplayName("PROV-3 extendVolume grows; a size that is not larger fails typed")
        void extend() {
            requireCapability(Capability.CREATE_VOLUME, Capability.EXTEND_VOLUME);
            Volume volume = createVolume(s().fixture().volumeSizeGib(), Optional.empty());
            double tolerance = s().fixture().capacityToleranceGib();
            // Grow by more than twice the tolerance, so that the capacity it takes shows in stats.
            long visible = (long) Math.ceil(2 * tolerance) + 1;
            // The effect is read back through a second driver on the same device, not taken on the driver's word.
            VolumeDriver second = s().open(s().fixture().config(), s().operationLimit()).orFail();
            // Pools without room for a visible growth (small test volume groups) keep the 1 GiB step, unread.
            Optional<PoolStats> before = thickPoolWithRoom(second, volume.poolName(), 2 * visible + tolerance);
            long growth = before.isPresent() ? visible : 1;
            long bigger = volume.sizeGib() + growth;
            Volume extended = operation("extendVolume(" + volume.name() + ", " + bigger + ")",
                    () -> driver().extendVolume(volume, bigger));
            assertThat(extended.sizeGib()).as("size after extend").isEqualTo(bigger);
            before.ifPresent(pool -> awaitFreeDrop(second, pool, growth,
                    "after extending '" + volume.name() + "' by " + growth + " GiB"));
            Outcome<Volume> same = s().call("extendVolume(" + volume.name() + ", " + bigger + ") again",
                    s().operationLimit(), () -> driver().extendVolume(extended, bigger));
            assertThat(same.thrown()).as("extending to a size that is not larger: %s", same.account())
                    .containsInstanceOf(CinderblockException.class);
        }

        /** The pool as a second driver reports it, if it is thick-only with a known free capacity of at least {@code room}. */
        private Optional<PoolStats> thickPoolWithRoom(VolumeDriver reader, String poolName, double room) {
            Outcome<BackendStats> stats = collect(reader);
            if (!stats.returned() || stats.value().isEmpty()) {
                return Optional.empty(); // STATS-1 judges stats; without them the effect cannot be read back
            }
            return pool(stats.value().get(), poolName).filter(p -> p.thickProvisioningSupport()
                    && !p.thinProvisioningSupport() && p.freeCapacity().isKnown() && p.freeCapacity().gib() >= room);
        }

        /** Polls the second driver's stats until the pool's free capacity dropped by {@code gib} (within the tolerance). */
        private void awaitFreeDrop(VolumeDriver reader, PoolStats before, long gib, String situation) {
            double tolerance = s().fixture().capacityToleranceGib();
            long end = System.nanoTime() + s().fixture().settleTimeout().toNanos();
            String seen = "no stats";
            while (true) {
                Outcome<BackendStats> stats = collect(reader);
                Optional<PoolStats> now = stats.value().flatMap(st -> pool(st, before.poolName()));
                if (now.isPresent() && now.get().freeCapacity().isKnown()) {
                    double dropped = before.freeCapacity().gib() - now.get().freeCapacity().gib();
                    seen = "dropped by " + dropped + " GiB";
                    if (Math.abs(dropped - gib) <= tolerance) {
                        return;
                    }
                }
                if (System.nanoTime() > end) {
                    fail("PROV-3: a second driver on the same device sees pool '" + before.poolName() + "' free capacity "
                            + seen + " " + situation + ", expected " + gib + " GiB (tolerance " + tolerance
                            + " GiB, waited " + Kit.millis(s().fixture().settleTimeout()) + ")");
                }
                sleep(Duration.ofMillis(200));
            }
        }

        @Test
        @Tag("PROV-4")
        @Tag("snapshot")
        @DisplayName("PROV-4 createSnapshot works and deleteSnapshot is idempotent")
        void snapshot() {
            requireCapability(Capability.CREATE_VOLUME, Capability.SNAPSHOT);
            Volume volume = createVolume(s().fixture().volumeSizeGib(), Optional.empty());
            Snapshot snapshot = createSnapshot(volume);
            assertThat(snapshot.volumeId()).as("snapshot's volume id").isEqualTo(volume.id());
            assertThat(snapshot.sizeGib()).as("snapshot size").isEqualTo(volume.sizeGib());
            voidOperation("deleteSnapshot(" + snapshot.name() + ")", () -> driver().deleteSnapshot(snapshot));
            voidOperation("deleteSnapshot(" + snapshot.name() + ") a second time", () -> driver().deleteSnapshot(snapshot));
        }

        @Test
        @Tag("PROV-5")
        @Tag("volume_from_snapshot")
        @DisplayName("PROV-5 createVolumeFromSnapshot returns a volume at least as large as the snapshot")
        void fromSnapshot() {
            requireCapability(Capability.CREATE_VOLUME, Capability.SNAPSHOT, Capability.VOLUME_FROM_SNAPSHOT);
            Volume volume = createVolume(s().fixture().volumeSizeGib(), Optional.empty());
            Snapshot snapshot = createSnapshot(volume);
            VolumeSpec spec = VolumeSpec.of(s().newId("vol"), snapshot.sizeGib());
            Volume restored = createTracked(spec, "createVolumeFromSnapshot(" + spec.name() + ")",
                    () -> driver().createVolumeFromSnapshot(spec, snapshot));
            assertThat(restored.id()).isEqualTo(spec.id());
            assertThat(restored.sizeGib()).as("size").isGreaterThanOrEqualTo(snapshot.sizeGib());
        }

        @Test
        @Tag("PROV-6")
        @Tag("clone_volume")
        @DisplayName("PROV-6 cloneVolume returns a volume at least as large as its source")
        void cloneVolume() {
            requireCapability(Capability.CREATE_VOLUME, Capability.CLONE_VOLUME);
            Volume source = createVolume(s().fixture().volumeSizeGib(), Optional.empty());
            VolumeSpec spec = VolumeSpec.of(s().newId("vol"), source.sizeGib());
            Volume clone = createTracked(spec, "cloneVolume(" + spec.name() + ")", () -> driver().cloneVolume(spec, source));
            assertThat(clone.id()).isEqualTo(spec.id());
            assertThat(clone.sizeGib()).as("size").isGreaterThanOrEqualTo(source.sizeGib());
        }

        @Test
        @Tag("PROV-7")
        @Tag("create_volume")
        @DisplayName("PROV-7 a volume larger than a thick pool's free capacity fails with INSUFFICIENT_CAPACITY")
        void tooLarge() {
            requireCapability(Capability.CREATE_VOLUME);
            PoolStats thick = statsFor("PROV-7").pools().stream()
                    .filter(p -> p.thickProvisioningSupport() && !p.thinProvisioningSupport() && p.freeCapacity().isKnown())
                    .findFirst()
                    .orElseGet(() -> abort("no thick-only pool with a known free capacity"));
            long size = (long) Math.floor(thick.freeCapacity().gib() + s().fixture().capacityToleranceGib()) + 1;
            VolumeSpec spec = VolumeSpec.of(s().newId("vol"), size).inPool(thick.poolName());
            AtomicReference<Volume> created = new AtomicReference<>(spec.toVolume(thick.poolName(), Optional.empty()));
            VolumeDriver driver = driver();
            s().cleanup("deleteVolume(" + spec.name() + ")", () -> driver.deleteVolume(created.get()));
            Outcome<Volume> outcome = s().call("createVolume(" + size + " GiB in '" + thick.poolName() + "')",
                    s().operationLimit(), () -> driver.createVolume(spec));
            outcome.value().ifPresent(created::set);
            assertThat(outcome.thrown()).as("creating %d GiB with %s free: %s", size, thick.freeCapacity(),
                    outcome.account()).containsInstanceOf(CinderblockException.class);
            assertThat(((CinderblockException) outcome.thrown().get()).code()).as("error code")
                    .isEqualTo(ErrorCode.INSUFFICIENT_CAPACITY);
        }
    }

    // =================================================================== connections

    @Nested
    @Order(9)
    @DisplayName("Connections")
    @TestMethodOrder(MethodOrderer.DisplayName.class)
    @Tag("connections")
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class Connections {

        private ConnectionInfo connect(Volume volume) {
            VolumeDriver driver = driver();
            s().cleanup("terminateConnection(" + volume.name() + ")",
                    () -> driver.terminateConnection(volume, s().fixture().connector()));
            s().fixture().beforeConnect().accept(volume);
            return operation("initializeConnection(" + volume.name() + ")",
                    () -> driver.initializeConnection(volume, s().fixture().connector()));
        }

        @Test
        @Tag("CONN-1")
        @Tag("connection")
        @DisplayName("CONN-1 initializeConnection returns well-formed connection info")
        void initialize() {
            requireCapability(Capability.CREATE_VOLUME, Capability.CONNECTION);
            ConnectionInfo info = connect(createVolume(s().fixture().volumeSizeGib(), Optional.empty()));
            assertThat(info.driverVolumeType()).as("driver_volume_type").isNotBlank();
            if (info.driverVolumeType().equals("iscsi")) {
                Object iqn = info.data().get("target_iqn");
                Object portal = info.data().get("target_portal");
                Object lun = info.data().get("target_lun");
                assertThat(iqn).as("target_iqn").isInstanceOf(String.class);
                assertThat(ConnectionInfo.isValidIqn((String) iqn)).as("target_iqn '%s' is an IQN", iqn).isTrue();
                assertThat(portal).as("target_portal").isInstanceOf(String.class);
                assertThat(ConnectionInfo.isValidPortal((String) portal)).as("target_portal '%s' is host:port", portal)
                        .isTrue();
                assertThat(lun).as("target_lun is an integer").isInstanceOfAny(Integer.class, Long.class, Short.class);
                assertThat(((Number) lun).longValue()).as("target_lun").isGreaterThanOrEqualTo(0);
            }
        }

        @Test
        @Tag("CONN-2")
        @Tag("connection")
        @DisplayName("CONN-2 terminateConnection is idempotent")
        void terminateTwice() {
            requireCapability(Capability.CREATE_VOLUME, Capability.CONNECTION);
            Volume volume = createVolume(s().fixture().volumeSizeGib(), Optional.empty());
            connect(volume);
            voidOperation("terminateConnection(" + volume.name() + ")",
                    () -> driver().terminateConnection(volume, s().fixture().connector()));
            voidOperation("terminateConnection(" + volume.name() + ") a second time",
                    () -> driver().terminateConnection(volume, s().fixture().connector()));
        }
    }

    // =================================================================== resources

    @Nested
    @Order(11)
    @DisplayName("Resources")
    @TestMethodOrder(MethodOrderer.DisplayName.class)
    @Tag("resources")
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class Resources {
        private static final int CALLS = 40;
        private static final int CYCLES = 5;
        private static final int THREAD_SLACK = 2;
        private static final int FD_SLACK = 10;

        @Test
        @Tag("RES-1")
        @DisplayName("RES-1 threads and file descriptors do not grow with calls or open/close cycles; close() ends the driver's threads")
        void noLeaks() throws Exception {
            List<String> problems = new ArrayList<>();
            try (ResourceProbe probe = new ResourceProbe("tck-resources-" + s().newId("res"))) {
                ExecutorService calls = probe.calls();
                OptionalLong fdsAtStart = ResourceProbe.openFileDescriptors();
                VolumeDriver driver = within(calls, s().operationLimit(), "open()", () -> s().openUnmanaged(
                        s().fixture().config()));
                for (int i = 0; i < 3; i++) {
                    within(calls, s().stateLimit(driver), "backendState()", driver::backendState);
                }
                within(calls, s().statsLimit(), "collectStats()", driver::collectStats);
                List<String> warm = probe.driverThreads();
                OptionalLong fdsWarm = ResourceProbe.openFileDescriptors();
                for (int i = 0; i < CALLS; i++) {
                    within(calls, s().stateLimit(driver), "backendState()", driver::backendState);
                    if (i % 4 == 0) {
                        within(calls, s().statsLimit(), "collectStats()", driver::collectStats);
                    }
                }
                List<String> busy = probe.driverThreads();
                if (busy.size() > warm.size() + THREAD_SLACK) {
                    problems.add("live driver threads grew from " + warm.size() + " to " + busy.size() + " across "
                            + CALLS + " state and " + (CALLS / 4) + " stats calls: " + busy);
                }
                ResourceProbe.fileDescriptorsGrew(fdsWarm, ResourceProbe.openFileDescriptors(), FD_SLACK, "across " + CALLS + " state and " + (CALLS / 4) + " stats calls")
                        .ifPresent(problems::add);
                within(calls, s().operationLimit(), "close()", () -> {
                    driver.close();
                    return Boolean.TRUE;
                });
                for (int i = 0; i < CYCLES; i++) {
                    VolumeDriver cycled = within(calls, s().operationLimit(), "open()", () -> s().openUnmanaged(
                            s().fixture().config()));
                    within(calls, s().stateLimit(cycled), "backendState()", cycled::backendState);
                    within(calls, s().statsLimit(), "collectStats()", cycled::collectStats);
                    within(calls, s().operationLimit(), "close()", () -> {
                        cycled.close();
                        return Boolean.TRUE;
                    });
                }
                Duration bound = s().stateLimit(driver).compareTo(Duration.ofSeconds(2)) > 0
                        ? s().stateLimit(driver) : Duration.ofSeconds(2);
                List<String> alive = probe.awaitDriverThreadsGone(bound);
                if (!alive.isEmpty()) {
                    problems.add("threads the driver started still alive " + Kit.millis(bound)
                            + " after close(): " + alive);
                }
                ResourceProbe.fileDescriptorsGrew(fdsAtStart, ResourceProbe.openFileDescriptors(), FD_SLACK, "after " + (CYCLES + 1) + " open/close cycles")
                        .ifPresent(problems::add);
            }
            assertThat(problems).as("RES-1: resources the driver leaks").isEmpty();
        }

        private <T> T within(ExecutorService calls, Duration limit, String what, Callable<T> action) throws Exception {
            Future<T> future = calls.submit(action);
            try {
                return future.get(limit.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                return fail(what + " did not return within " + Kit.millis(limit));
            } catch (java.util.concurrent.ExecutionException e) {
                s().observe(what + " exception and cause chain", Kit.chainText(e.getCause()));
                // Failing stats or opens are their own requirements' defects; RES-1 cannot judge without them.
                blockIfStatsRefused(e.getCause());
                if (what.startsWith("collectStats")) {
                    throw new BlockedException("STATS-1", what + " threw " + Kit.describe(e.getCause()));
                }
                if (what.startsWith("open")) {
                    throw new BlockedException("CONF-1", what + " threw " + Kit.describe(e.getCause()));
                }
                return fail(what + " threw " + Kit.describe(e.getCause()), e.getCause());
            }
        }
    }

    // =================================================================== secrets

    @Nested
    @Order(12)
    @DisplayName("Secrets")
    @TestMethodOrder(MethodOrderer.DisplayName.class)
    @Tag("secrets")
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class Secrets {

        @Test
        @Tag("SEC-1")
        @DisplayName("SEC-1 credential options are declared secret and masked in the shown configuration")
        void credentialsDeclaredSecret() {
            List<ConfigOption> credentials = descriptor().options().stream()
                    .filter(o -> o.type() == OptionType.STRING && CREDENTIAL_NAME.matcher(o.name()).matches())
                    .collect(Collectors.toList());
            Map<String, String> secrets = secretValues(s().fixture().config());
            assumeTrue(!credentials.isEmpty() || !secrets.isEmpty(), "driver declares no credential option");
            assertThat(credentials).as("credential options not declared secret").filteredOn(o -> !o.secret())
                    .extracting(ConfigOption::name).isEmpty();
            DriverConfig config = DriverConfig.validate(descriptor(), s().fixture().backendName(), s().fixture().config());
            String shown = config.masked() + " " + config;
            secrets.forEach((name, value) -> assertThat(shown.contains(value))
                    .as("the value of secret option '%s' appears in the shown configuration", name).isFalse());
        }

        @Test
        @Tag("SEC-2")
        @DisplayName("SEC-2 secret values never appear in toString(), exception messages or logs")
        void secretsNeverShown() {
            Map<String, String> secrets = new LinkedHashMap<>(secretValues(s().fixture().config()));
            assumeTrue(!secrets.isEmpty(), "the fixture's configuration sets no secret option");
            secrets.values().removeIf(value -> value.length() < 6);
            assumeTrue(!secrets.isEmpty(), "the secret values are too short (< 6 characters) to search for");
            s().logs().captureEverything();
            try {
                workload(secrets);
            } finally {
                s().logs().restoreLevel();
            }
            List<KitSession.Observed> texts = s().observedTexts();
            List<String> leaks = new ArrayList<>();
            secrets.forEach((name, value) -> {
                // The SDK's one scrubber knows every form a secret takes on the way out: plain, Base64 (alone
                // and as user:secret), URL, JSON and Java escapes, hex.
                SecretScrubber scrubber = SecretScrubber.of(List.of(value));
                for (KitSession.Observed observed : texts) {
                    scrubber.findIn(observed.text()).ifPresent(form -> leaks.add("secret option '" + name + "' ("
                            + form.encoding() + " form) in " + observed.where() + ": "
                            + abbreviate(scrubber.scrub(observed.text()))));
                }
            });
            assertThat(leaks).as("secret leaks, each naming where (the secret masked), in %d captured texts",
                    texts.size()).isEmpty();
        }

        /** Makes the driver talk: normal calls, faults, and a wrong secret; every text lands in the session. */
        private void workload(Map<String, String> secrets) {
            VolumeDriver driver = driver();
            s().observe("driver toString()", String.valueOf(driver));
            s().observe("provider toString()", String.valueOf(s().provider()));
            s().observe("descriptor toString()", String.valueOf(descriptor()));
            probe(driver);
            collect(driver);
            if (DeviceProxies.canProxy(descriptor())) {
                DeviceProxies proxies = s().proxies();
                Outcome<VolumeDriver> opened = null;
                try {
                    opened = s().open(proxies.config(), s().operationLimit());
                    opened.value().ifPresent(proxied -> {
                        s().observe("proxied driver toString()", String.valueOf(proxied));
                        for (FaultMode mode : List.of(FaultMode.REFUSE, FaultMode.RESET)) {
                            if (proxies.supports(mode)) {
                                proxies.mode(mode);
                                probe(proxied);
                                collect(proxied);
                            }
                        }
                    });
                } finally {
                    if (opened != null) {
                        opened.value().ifPresent(VolumeDriver::close);
                    }
                    proxies.close();
                }
            }
            Map<String, String> wrong = new LinkedHashMap<>(s().fixture().config());
            // A copy: the loop adds the wrong values to 'secrets' as well.
            for (String name : List.copyOf(secrets.keySet())) {
                String other = "tck-wrong-" + s().newId("secret");
                wrong.put(name, other);
                secrets.put(name + " (wrong value)", other);
            }
            s().open(wrong, s().operationLimit()).value().ifPresent(wrongDriver -> {
                s().observe("driver with a wrong secret toString()", String.valueOf(wrongDriver));
                probe(wrongDriver);
                collect(wrongDriver);
            });
        }

        private String abbreviate(String text) {
            String line = text.replace('\n', ' ');
            return line.length() <= 240 ? line : line.substring(0, 240) + "...";
        }

        private Map<String, String> secretValues(Map<String, String> config) {
            Map<String, String> secrets = new LinkedHashMap<>();
            for (ConfigOption option : descriptor().options()) {
                String value = config.get(option.name());
                if (option.secret() && value != null && !value.isEmpty()) {
                    secrets.put(option.name(), value);
                }
            }
            return secrets;
        }
    }

    // =================================================================== push

    @Nested
    @Order(13)
    @DisplayName("Push")
    @TestMethodOrder(MethodOrderer.DisplayName.class)
    @Tag("push")
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class Push {
        private static final int FLAPS = 10;
        /** How long the kit listens after flaps, or after close(), for calls still to come. */
        private static final Duration SETTLE = Duration.ofSeconds(1);

        /** What the kit's listener heard, with when (System.nanoTime()). */
        private final class Recorder implements BackendStateListener {
            record Heard(long nanos, String kind, String detail, Optional<BackendState> state) {}

            final List<Heard> heard = new java.util.concurrent.CopyOnWriteArrayList<>();

            @Override
            public void stateChanged(BackendState state) {
                heard.add(new Heard(System.nanoTime(), "stateChanged", String.valueOf(state), Optional.ofNullable(state)));
                if (state != null) {
                    s().observe("pushed state reason", state.reason());
                }
            }

            @Override
            public void pushLost(String reason) {
                heard.add(new Heard(System.nanoTime(), "pushLost", String.valueOf(reason), Optional.empty()));
                s().observe("pushLost reason", String.valueOf(reason));
            }

            @Override
            public void pushRestored() {
                heard.add(new Heard(System.nanoTime(), "pushRestored", "", Optional.empty()));
            }

            /** Waits until something heard after {@code sinceNanos} matches, or {@code within} passes. */
            Optional<Heard> await(long sinceNanos, Predicate<Heard> wanted, Duration within) {
                long end = System.nanoTime() + within.toNanos();
                while (true) {
                    Optional<Heard> found = heard.stream().filter(h -> h.nanos() >= sinceNanos).filter(wanted).findFirst();
                    if (found.isPresent() || System.nanoTime() > end) {
                        return found;
                    }
                    sleep(Duration.ofMillis(20));
                }
            }

            long count(long sinceNanos, String kind) {
                return heard.stream().filter(h -> h.nanos() >= sinceNanos && h.kind().equals(kind)).count();
            }

            String since(long sinceNanos) {
                return heard.stream().filter(h -> h.nanos() >= sinceNanos)
                        .map(h -> h.kind() + "(" + h.detail() + ")").collect(Collectors.joining(", "));
            }
        }

        /** Opens a driver with {@code config} and starts its push to a fresh recorder; skips when it does not push. */
        private Recorder publish(VolumeDriver driver) {
            assumeTrue(driver instanceof BackendStatePublisher, "driver '" + descriptor().id()
                    + "' does not implement BackendStatePublisher (it does not push state changes)");
            Recorder recorder = new Recorder();
            Outcome<Boolean> published = s().call("publishTo()", s().stateLimit(driver),
                    () -> ((BackendStatePublisher) driver).publishTo(recorder));
            assertThat(published.timedOut()).as("publishTo() must return quickly: %s", published.account()).isFalse();
            assumeTrue(published.orFail(), "publishTo() returned false: push is off in this configuration");
            // A first announcement (the current state) shows the channel is up; a driver may also stay quiet.
            recorder.await(0, h -> true, s().fixture().pushBound());
            return recorder;
        }

        private VolumeDriver openShared() {
            Outcome<VolumeDriver> opened = s().open(s().fixture().config(), s().operationLimit());
            if (!opened.returned() || opened.value().isEmpty()) {
                throw new BlockedException("CONF-1", "the fixture's configuration does not open a driver: "
                        + opened.account());
            }
            return opened.value().get();
        }

        private DeviceFault firstDeviceFault() {
            List<DeviceFault> faults = s().fixture().deviceFaults();
            assumeTrue(!faults.isEmpty(), "the fixture offers no device-level fault hooks to make the device announce"
                    + " a change");
            return faults.get(0);
        }

        private void heal(DeviceFault fault) {
            try {
                fault.healDevice();
            } catch (Exception e) {
                throw new AssertionError("The fixture's device fault '" + fault.name() + "' failed to heal: " + e, e);
            }
        }

        private void breakDevice(DeviceFault fault) {
            try {
                fault.breakDevice();
            } catch (Exception e) {
                throw new AssertionError("The fixture's device fault '" + fault.name() + "' failed to break: " + e, e);
            }
        }

        @Test
        @Tag("PUSH-1")
        @DisplayName("PUSH-1 after a device fault, a pushed DOWN arrives within the push bound")
        void pushedDown() {
            DeviceFault fault = firstDeviceFault();
            Recorder recorder = publish(openShared());
            Duration bound = s().fixture().pushBound();
            try {
                long broken = System.nanoTime();
                breakDevice(fault);
                Optional<Recorder.Heard> down = recorder.await(broken, h -> h.state().filter(st -> !st.isUp()).isPresent(),
                        bound);
                assertThat(down).as("PUSH-1: a pushed DOWN within %s of device fault '%s'; heard: [%s]",
                        Kit.millis(bound), fault.name(), recorder.since(broken)).isPresent();
                assertThat(down.get().state().get().reason()).as("PUSH-1: reason of the pushed DOWN").isNotBlank();
            } finally {
                heal(fault);
            }
        }

        @Test
        @Tag("PUSH-2")
        @DisplayName("PUSH-2 a push channel that breaks or goes silent is reported with pushLost")
        void pushLost() {
            DeviceProxies proxies = placeProxies();
            List<String> problems = new ArrayList<>();
            try {
                for (FaultMode mode : List.of(FaultMode.RESET, FaultMode.HALF_OPEN)) {
                    if (!proxies.supports(mode)) {
                        continue;
                    }
                    Outcome<VolumeDriver> opened = s().open(proxies.config(), s().operationLimit());
                    if (!opened.returned() || opened.value().isEmpty()) {
                        throw new BlockedException("FAULT-1", "cannot open the driver through the fault proxy: "
                                + opened.account());
                    }
                    VolumeDriver driver = opened.value().get();
                    Recorder recorder = publish(driver);
                    boolean silent = mode == FaultMode.HALF_OPEN;
                    Duration bound = silent ? s().fixture().pushSilenceBound() : s().fixture().pushBound();
                    long broken = System.nanoTime();
                    proxies.mode(mode);
                    Optional<Recorder.Heard> lost = recorder.await(broken, h -> h.kind().equals("pushLost"), bound);
                    if (lost.isEmpty()) {
                        problems.add("no pushLost within " + Kit.millis(bound) + " after the push channel "
                                + (silent ? "went silent (half-open: no data, no FIN, no RST)" : "was reset")
                                + "; heard: [" + recorder.since(broken) + "]");
                    } else if (lost.get().detail().isBlank()) {
                        problems.add("pushLost without a reason");
                    }
                    proxies.heal();
                    s().run("close()", s().operationLimit(), driver::close);
                }
            } finally {
                proxies.close();
            }
            assertThat(problems).as("PUSH-2: lost push channels not reported").isEmpty();
        }

        @Test
        @Tag("PUSH-3")
        @DisplayName("PUSH-3 a burst of device flaps gives a bounded number of listener calls")
        void noStorm() {
            DeviceFault fault = firstDeviceFault();
            Recorder recorder = publish(openShared());
            long start = System.nanoTime();
            try {
                for (int i = 0; i < FLAPS; i++) {
                    breakDevice(fault);
                    sleep(Duration.ofMillis(20));
                    heal(fault);
                    sleep(Duration.ofMillis(20));
                }
            } finally {
                heal(fault);
            }
            sleep(SETTLE);
            long calls = recorder.count(start, "stateChanged");
            long bound = 2L * FLAPS + 2;
            assertThat(calls).as("PUSH-3: stateChanged calls for %d flaps of device fault '%s' (at most one per"
                    + " announced change: %d)", FLAPS, fault.name(), bound).isLessThanOrEqualTo(bound);
        }

        @Test
        @Tag("PUSH-4")
        @DisplayName("PUSH-4 nothing reaches the listener after close() returned")
        void quietAfterClose() {
            DeviceFault fault = firstDeviceFault();
            VolumeDriver driver = openShared();
            Recorder recorder = publish(driver);
            long closed;
            try {
                breakDevice(fault); // an announcement in flight while the driver closes
                sleep(Duration.ofMillis(150));
                s().run("close()", s().operationLimit(), driver::close).orFail();
                closed = System.nanoTime();
                heal(fault);
                breakDevice(fault);
                sleep(Duration.ofMillis(100));
            } finally {
                heal(fault);
            }
            Duration wait = SETTLE;
            sleep(wait);
            assertThat(recorder.since(closed)).as("PUSH-4: listener calls after close() returned (waited %s, the"
                    + " device changed state twice)", Kit.millis(wait)).isEmpty();
        }
    }
}
