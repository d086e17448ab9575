package io.cinderblock.tck;

import io.cinderblock.sdk.ApiStatus;
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
 *
 * @since 0.1
 */
@ApiStatus(value = ApiStatus.Status.STABLE, since = "0.1")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestClassOrder(ClassOrderer.OrderAnnotation.class)
@DisplayName("cinderblock driver conformance")
public abstract class VolumeDriverConformanceKit {
    private KitSession session;

    /** For subclasses. */
    protected VolumeDriverConformanceKit() {}

    /**
     * The driver to certify and how to reach its device. Called once, before the first test; a
     * fixture may start a device here and hand it to {@link TckFixture.Builder#closeAfterRun}.
     *
     * @return the fixture; an exception here fails the whole run before any test
     * @since 0.1
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

    private KitSession s() {
        if (session == null) {
            throw new IllegalStateException("The conformance run has not started: fixture() failed or was not called");
        }
        return session;
    }

    @Nested
    @Order(1)
    @DisplayName("Discovery")
    @TestMethodOrder(MethodOrderer.DisplayName.class)
    @Tag("discovery")
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class Discovery {
        private final DiscoveryChecks checks = new DiscoveryChecks(VolumeDriverConformanceKit.this::s);

        @Test
        @Tag("DISC-1")
        @DisplayName("DISC-1 the provider is registered for ServiceLoader, is public, and is the only one of its id")
        void providerIsRegistered() throws Exception { checks.providerIsRegistered(); }

        @Test
        @Tag("DISC-2")
        @DisplayName("DISC-2 descriptor() is fast, never throws, and is equal on every call")
        void descriptorIsStable() { checks.descriptorIsStable(); }
    }

    @Nested
    @Order(2)
    @DisplayName("Descriptor")
    @TestMethodOrder(MethodOrderer.DisplayName.class)
    @Tag("descriptor")
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class Descriptor {
        private final DescriptorChecks checks = new DescriptorChecks(VolumeDriverConformanceKit.this::s);

        @Test
        @Tag("DESC-1")
        @DisplayName("DESC-1 the id is lower-case and at most 64 characters")
        void idIsLowerCase() { checks.idIsLowerCase(); }

        @Test
        @Tag("DESC-2")
        @DisplayName("DESC-2 the vendor name is set and the driver version is a version")
        void vendorAndVersion() { checks.vendorAndVersion(); }

        @Test
        @Tag("DESC-3")
        @DisplayName("DESC-3 the storage protocol is a Cinder constant and the SPI version is hosted")
        void protocolAndSpi() { checks.protocolAndSpi(); }

        @Test
        @Tag("DESC-4")
        @DisplayName("DESC-4 options are described and the device address is declared as endpoints")
        void optionsAndEndpoints() { checks.optionsAndEndpoints(); }
    }

    @Nested
    @Order(3)
    @DisplayName("Configuration")
    @TestMethodOrder(MethodOrderer.DisplayName.class)
    @Tag("configuration")
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class Configuration {
        private final ConfigurationChecks checks = new ConfigurationChecks(VolumeDriverConformanceKit.this::s);

        @Test
        @Tag("CONF-1")
        @DisplayName("CONF-1 the fixture's configuration opens a driver with the provider's descriptor")
        void fixtureConfigOpens() { checks.fixtureConfigOpens(); }

        @Test
        @Tag("CONF-2")
        @DisplayName("CONF-2 a missing required option fails with InvalidConfigException naming it")
        void missingRequiredOption() { checks.missingRequiredOption(); }

        @Test
        @Tag("CONF-3")
        @DisplayName("CONF-3 a value of the wrong type fails with InvalidConfigException naming the option")
        void wrongType() { checks.wrongType(); }

        @Test
        @Tag("CONF-4")
        @DisplayName("CONF-4 unset optional and out-of-range values open or fail typed, naming the option")
        void optionalAndOutOfRange() { checks.optionalAndOutOfRange(); }

        @Test
        @Tag("CONF-5")
        @DisplayName("CONF-5 hostile or malformed values of every option open or fail typed, naming the option")
        void hostileValues() { checks.hostileValues(); }
    }

    @Nested
    @Order(4)
    @DisplayName("Stats")
    @TestMethodOrder(MethodOrderer.DisplayName.class)
    @Tag("stats")
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class Stats {
        private final StatsChecks checks = new StatsChecks(VolumeDriverConformanceKit.this::s);

        @Test
        @Tag("STATS-1")
        @DisplayName("STATS-1 collectStats() returns in time, without an exception, with backend_state up")
        void statsReturn() { checks.statsReturn(); }

        @Test
        @Tag("STATS-2")
        @DisplayName("STATS-2 the six required keys are present and match the descriptor")
        void requiredKeys() { checks.requiredKeys(); }

        @Test
        @Tag("STATS-3")
        @DisplayName("STATS-3 volume_backend_name equals the configured backend name")
        void backendName() { checks.backendName(); }

        @Test
        @Tag("STATS-4")
        @DisplayName("STATS-4 capacities are numbers >= 0 or infinite/unknown")
        void capacitiesValid() { checks.capacitiesValid(); }

        @Test
        @Tag("STATS-5")
        @DisplayName("STATS-5 free capacity never exceeds total capacity")
        void freeWithinTotal() { checks.freeWithinTotal(); }

        @Test
        @Tag("STATS-6")
        @DisplayName("STATS-6 at least one pool, with unique names")
        void poolsUnique() { checks.poolsUnique(); }

        @Test
        @Tag("STATS-7")
        @DisplayName("STATS-7 reserved_percentage is 0-100 and max_over_subscription_ratio >= 1")
        void reservedAndRatio() { checks.reservedAndRatio(); }

        @Test
        @Tag("STATS-8")
        @DisplayName("STATS-8 thin/thick flags are consistent")
        void thinThickConsistent() { checks.thinThickConsistent(); }

        @Test
        @Tag("STATS-9")
        @DisplayName("STATS-9 two calls in a row agree within the capacity tolerance")
        void repeatable() { checks.repeatable(); }

        @Test
        @Tag("STATS-10")
        @Tag("create_volume")
        @DisplayName("STATS-10 free capacity drops by about N after a create of N GiB and returns after delete")
        void capacityFollowsVolumes() { checks.capacityFollowsVolumes(); }
    }

    @Nested
    @Order(5)
    @DisplayName("State")
    @TestMethodOrder(MethodOrderer.DisplayName.class)
    @Tag("state")
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class State {
        private final StateChecks checks = new StateChecks(VolumeDriverConformanceKit.this::s);

        @Test
        @Tag("STATE-1")
        @DisplayName("STATE-1 backendState() is UP with a reason while the device is reachable")
        void upWhileReachable() { checks.upWhileReachable(); }

        @Test
        @Tag("STATE-2")
        @DisplayName("STATE-2 backendState() returns within its declared deadline")
        void withinDeadline() { checks.withinDeadline(); }

        @Test
        @Tag("STATE-3")
        @DisplayName("STATE-3 state and stats called from several threads at once stay correct")
        void concurrentCalls() throws Exception { checks.concurrentCalls(); }

        @Test
        @Tag("STATE-4")
        @DisplayName("STATE-4 state, stats and pool numbers from concurrent calls agree when healthy, faulted and healed")
        void agreement() { checks.agreement(); }
    }

    @Nested
    @Order(6)
    @DisplayName("Faults")
    @TestMethodOrder(MethodOrderer.DisplayName.class)
    @Tag("faults")
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class Faults {
        private final FaultChecks checks = new FaultChecks(VolumeDriverConformanceKit.this::s);

        @Test
        @Tag("FAULT-1")
        @DisplayName("FAULT-1 through the healthy fault proxy the driver reports UP")
        void upThroughProxy() { checks.upThroughProxy(); }

        @Test
        @Tag("FAULT-2")
        @DisplayName("FAULT-2 connection refused: DOWN with a reason within the deadline, stats show it")
        void refused() { checks.refused(); }

        @Test
        @Tag("FAULT-3")
        @DisplayName("FAULT-3 connection reset: DOWN with a reason within the deadline, stats show it")
        void reset() { checks.reset(); }

        @Test
        @Tag("FAULT-4")
        @DisplayName("FAULT-4 stall: DOWN with a reason within the deadline, no call blocks past it")
        void stall() { checks.stall(); }

        @Test
        @Tag("FAULT-5")
        @DisplayName("FAULT-5 slow device: stays UP and stats succeed")
        void slow() { checks.slow(); }

        @Test
        @Tag("FAULT-6")
        @DisplayName("FAULT-6 after the path heals, the state returns to UP")
        void recovers() { checks.recovers(); }

        @Test
        @Tag("FAULT-7")
        @DisplayName("FAULT-7 open() does not need the device: DOWN while unreachable, UP once back")
        void opensWhileUnreachable() { checks.opensWhileUnreachable(); }

        @Test
        @Tag("FAULT-9")
        @DisplayName("FAULT-9 wrong credentials: DOWN saying authentication failed, never UP; UP again with the right one")
        void wrongCredentials() { checks.wrongCredentials(); }

        @Test
        @Tag("FAULT-10")
        @DisplayName("FAULT-10 after the device closed idle connections: still UP, the next call succeeds")
        void idleConnectionsClosed() { checks.idleConnectionsClosed(); }

        @Test
        @Tag("FAULT-11")
        @DisplayName("FAULT-11 half-open connections: DOWN with a reason within the deadline, UP when healed")
        void halfOpen() { checks.halfOpen(); }

        @Test
        @Tag("FAULT-8")
        @DisplayName("FAULT-8 device-level faults from the fixture's hooks are reported DOWN, then UP")
        void deviceFaults() throws Exception { checks.deviceFaults(); }
    }

    @Nested
    @Order(7)
    @DisplayName("Capabilities")
    @TestMethodOrder(MethodOrderer.DisplayName.class)
    @Tag("capabilities")
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class Capabilities {
        private final CapabilityChecks checks = new CapabilityChecks(VolumeDriverConformanceKit.this::s);

        @Test
        @Tag("CAP-1")
        @DisplayName("CAP-1 undeclared capabilities throw NotSupportedException naming the capability")
        void undeclaredRefused() { checks.undeclaredRefused(); }

        @Test
        @Tag("CAP-3")
        @DisplayName("CAP-3 the driver declares and offers exactly the capabilities the vendor expects")
        void asExpected() { checks.asExpected(); }

        @Test
        @Tag("CAP-2")
        @DisplayName("CAP-2 capability declarations are coherent")
        void coherent() { checks.coherent(); }

        @Test
        @Tag("CAP-4")
        @Tag("create_volume")
        @DisplayName("CAP-4 every operation of an offered capability works: none answers NotSupportedException")
        void offeredOperationsWork() { checks.offeredOperationsWork(); }
    }

    @Nested
    @Order(8)
    @DisplayName("Provisioning")
    @TestMethodOrder(MethodOrderer.DisplayName.class)
    @Tag("provisioning")
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class Provisioning {
        private final ProvisioningChecks checks = new ProvisioningChecks(VolumeDriverConformanceKit.this::s);

        @Test
        @Tag("PROV-1")
        @Tag("create_volume")
        @DisplayName("PROV-1 createVolume returns the requested volume in a reported pool")
        void create() { checks.create(); }

        @Test
        @Tag("PROV-2")
        @Tag("create_volume")
        @DisplayName("PROV-2 deleteVolume is idempotent")
        void deleteTwice() { checks.deleteTwice(); }

        @Test
        @Tag("PROV-3")
        @Tag("extend_volume")
        @DisplayName("PROV-3 extendVolume grows; a size that is not larger fails typed")
        void extend() { checks.extend(); }

        @Test
        @Tag("PROV-4")
        @Tag("snapshot")
        @DisplayName("PROV-4 createSnapshot works and deleteSnapshot is idempotent")
        void snapshot() { checks.snapshot(); }

        @Test
        @Tag("PROV-5")
        @Tag("volume_from_snapshot")
        @DisplayName("PROV-5 createVolumeFromSnapshot returns a volume at least as large as the snapshot")
        void fromSnapshot() { checks.fromSnapshot(); }

        @Test
        @Tag("PROV-6")
        @Tag("clone_volume")
        @DisplayName("PROV-6 cloneVolume returns a volume at least as large as its source")
        void cloneVolume() { checks.cloneVolume(); }

        @Test
        @Tag("PROV-7")
        @Tag("create_volume")
        @DisplayName("PROV-7 a volume larger than a thick pool's free capacity fails with INSUFFICIENT_CAPACITY")
        void tooLarge() { checks.tooLarge(); }
    }

    @Nested
    @Order(9)
    @DisplayName("Connections")
    @TestMethodOrder(MethodOrderer.DisplayName.class)
    @Tag("connections")
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class Connections {
        private final ConnectionChecks checks = new ConnectionChecks(VolumeDriverConformanceKit.this::s);

        @Test
        @Tag("CONN-1")
        @Tag("connection")
        @DisplayName("CONN-1 initializeConnection returns well-formed connection info")
        void initialize() { checks.initialize(); }

        @Test
        @Tag("CONN-2")
        @Tag("connection")
        @DisplayName("CONN-2 terminateConnection is idempotent")
        void terminateTwice() { checks.terminateTwice(); }
    }

    @Nested
    @Order(11)
    @DisplayName("Resources")
    @TestMethodOrder(MethodOrderer.DisplayName.class)
    @Tag("resources")
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class Resources {
        private final ResourceChecks checks = new ResourceChecks(VolumeDriverConformanceKit.this::s);

        @Test
        @Tag("RES-1")
        @DisplayName("RES-1 threads and file descriptors do not grow with calls or open/close cycles; close() ends the driver's threads")
        void noLeaks() throws Exception { checks.noLeaks(); }
    }

    @Nested
    @Order(12)
    @DisplayName("Secrets")
    @TestMethodOrder(MethodOrderer.DisplayName.class)
    @Tag("secrets")
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class Secrets {
        private final SecretChecks checks = new SecretChecks(VolumeDriverConformanceKit.this::s);

        @Test
        @Tag("SEC-1")
        @DisplayName("SEC-1 credential options are declared secret and masked in the shown configuration")
        void credentialsDeclaredSecret() { checks.credentialsDeclaredSecret(); }

        @Test
        @Tag("SEC-2")
        @DisplayName("SEC-2 secret values never appear in toString(), exception messages or logs")
        void secretsNeverShown() { checks.secretsNeverShown(); }
    }

    @Nested
    @Order(13)
    @DisplayName("Push")
    @TestMethodOrder(MethodOrderer.DisplayName.class)
    @Tag("push")
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class Push {
        private final PushChecks checks = new PushChecks(VolumeDriverConformanceKit.this::s);

        @Test
        @Tag("PUSH-1")
        @DisplayName("PUSH-1 after a device fault, a pushed DOWN arrives within the push bound")
        void pushedDown() { checks.pushedDown(); }

        @Test
        @Tag("PUSH-2")
        @DisplayName("PUSH-2 a push channel that breaks or goes silent is reported with pushLost")
        void pushLost() { checks.pushLost(); }

        @Test
        @Tag("PUSH-3")
        @DisplayName("PUSH-3 a burst of device flaps gives a bounded number of listener calls")
        void noStorm() { checks.noStorm(); }

        @Test
        @Tag("PUSH-4")
        @DisplayName("PUSH-4 nothing reaches the listener after close() returned")
        void quietAfterClose() { checks.quietAfterClose(); }
    }
}
