package io.cinderblock.sdk.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.cinderblock.sdk.error.CinderblockException;
import io.cinderblock.sdk.error.DeviceUnavailableException;
import io.cinderblock.sdk.error.ErrorCode;
import io.cinderblock.sdk.error.InvalidConfigException;
import io.cinderblock.sdk.host.metadata.InMemoryVolumeMetadataStore;
import io.cinderblock.sdk.host.metadata.RecordStatus;
import io.cinderblock.sdk.host.metadata.VolumeRecord;
import io.cinderblock.sdk.spi.BackendState;
import io.cinderblock.sdk.spi.BackendStats;
import io.cinderblock.sdk.spi.DriverConfig;
import io.cinderblock.sdk.spi.DriverContext;
import io.cinderblock.sdk.spi.DriverDescriptor;
import io.cinderblock.sdk.spi.Volume;
import io.cinderblock.sdk.spi.VolumeSpec;
import io.cinderblock.sdk.support.BoundedCalls;
import io.cinderblock.sdk.support.SecretScrubber;
import io.cinderblock.sdk.testing.FakeDriver;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Each of Backend's package-private parts on its own, over a fake driver (no device: simulated). */
@DisplayName("Backend's parts, one job each")
class BackendPartsTest {
    private static final DriverDescriptor DESCRIPTOR = FakeDriver.descriptorBuilder("parts").build();
    private final String password = "pw\"" + UUID.randomUUID();
    private final DriverConfig config = DriverConfig.validate(DESCRIPTOR, "parts-1", Map.of("password", password));
    private final Clock clock = Clock.fixed(Instant.parse("2026-12-05T08:00:00Z"), ZoneOffset.UTC);
    private final DriverContext context = DriverContext.of(clock, System.getLogger("parts"));
    private final DriverCallGuard guard = new DriverCallGuard("parts", config);
    private final BoundedCalls calls = BoundedCalls.builder("parts-1").maxThreads(2).build();

    /** What the next collectStats()/backendState() does; null means behave. */
    private final AtomicReference<RuntimeException> statsFailure = new AtomicReference<>();
    private final AtomicReference<RuntimeException> stateFailure = new AtomicReference<>();
    private final AtomicInteger statsReads = new AtomicInteger();
    private final FakeDriver driver = new FakeDriver(DESCRIPTOR, config, context) {
        @Override
        public BackendStats collectStats() {
            statsReads.incrementAndGet();
            RuntimeException failure = statsFailure.get();
            if (failure != null) {
                throw failure;
            }
            return super.collectStats();
        }

        @Override
        public BackendState backendState() {
            RuntimeException failure = stateFailure.get();
            if (failure != null) {
                throw failure;
            }
            return super.backendState();
        }
    };

    @AfterEach
    void tearDown() {
        calls.close();
    }

    @Nested
    @DisplayName("DriverCallGuard")
    class GuardTests {
        @Test
        @DisplayName("passes typed errors on, turns untyped ones into contract violations naming the operation")
        void translation() {
            CinderblockException typed = new CinderblockException(ErrorCode.INSUFFICIENT_CAPACITY, "pool full");
            assertThat(catchThrowableOfType(CinderblockException.class, () -> guard.call("createVolume", () -> {
                throw typed;
            }))).isSameAs(typed);
            CinderblockException untyped = catchThrowableOfType(CinderblockException.class,
                    () -> guard.call("createVolume", () -> {
                        throw new IllegalStateException("simulated: NPE in the client library");
                    }));
            assertThat(untyped.code()).isEqualTo(ErrorCode.DRIVER_CONTRACT_VIOLATION);
            assertThat(untyped).hasMessageContaining("'parts' failed in createVolume with an untyped error: "
                    + "IllegalStateException: simulated: NPE in the client library");
        }

        @Test
        @DisplayName("a secret in any form is masked and the cause chain that held it dropped, keeping the type")
        void redaction() {
            for (String form : SecretScrubber.formsOf(password).stream().map(SecretScrubber.Form::text).toList()) {
                InvalidConfigException leaked = new InvalidConfigException("password", "bad password " + form);
                InvalidConfigException shown = catchThrowableOfType(InvalidConfigException.class,
                        () -> guard.call("open", () -> {
                            throw leaked;
                        }));
                assertThat(shown.option()).isEqualTo("password");
                assertThat(shown).hasMessageContaining(SecretScrubber.MASK);
                assertThat(shown.getMessage()).doesNotContain(form);

                DeviceUnavailableException chained = new DeviceUnavailableException("login failed",
                        new IllegalStateException("echo " + form));
                DeviceUnavailableException shownChained = catchThrowableOfType(DeviceUnavailableException.class,
                        () -> guard.call("collectStats", () -> {
                            throw chained;
                        }));
                assertThat(shownChained).hasMessage("login failed").hasNoCause();
            }
            String basic = Base64.getEncoder().encodeToString(("admin:" + password).getBytes(StandardCharsets.UTF_8));
            DeviceUnavailableException device = catchThrowableOfType(DeviceUnavailableException.class,
                    () -> guard.call("collectStats", () -> {
                        throw new DeviceUnavailableException("401 for Authorization: Basic " + basic);
                    }));
            assertThat(device.getMessage()).doesNotContain(basic).contains(SecretScrubber.MASK);
        }
    }

    @Nested
    @DisplayName("StateProber")
    class ProberTests {
        private final StateProber prober = new StateProber(driver, calls, guard, clock, Duration.ofMillis(100));

        @Test
        @DisplayName("records the driver's answer; a throw is DOWN naming the driver, scrubbed")
        void answersAndFailures() {
            assertThat(prober.last()).isEmpty();
            BackendState up = prober.probe();
            assertThat(up.isUp()).isTrue();
            assertThat(prober.last()).contains(up);

            stateFailure.set(new IllegalStateException("login as admin/" + password + " refused"));
            BackendState down = prober.probe();
            assertThat(down.status()).isEqualTo(BackendState.Status.DOWN);
            assertThat(down.reason()).contains("'parts' threw from backendState(): IllegalStateException")
                    .doesNotContain(password);
            assertThat(prober.last()).contains(down);
        }

        @Test
        @DisplayName("recordDown keeps the newest state and masks secrets in it")
        void recordDown() {
            BackendState down = prober.recordDown("array said " + password);
            assertThat(down.reason()).isEqualTo("array said " + SecretScrubber.MASK);
            assertThat(down.observedAt()).isEqualTo(clock.instant());
            assertThat(prober.last()).contains(down);
        }

        @Test
        @DisplayName("a missing or nonsense driver deadline falls back to 10 s")
        void deadlineFallback() {
            assertThat(prober.stateDeadline()).isEqualTo(driver.stateDeadline());
            StateProber nullDeadline = new StateProber(new FakeDriver(DESCRIPTOR, config, context) {
                @Override
                public Duration stateDeadline() {
                    return Duration.ofSeconds(-1);
                }
            }, calls, guard, clock, Duration.ZERO);
            assertThat(nullDeadline.stateDeadline()).isEqualTo(StateProber.DEFAULT_DEADLINE);
        }
    }

    @Nested
    @DisplayName("StatsCache")
    class CacheTests {
        private final StateProber prober = new StateProber(driver, calls, guard, clock, Duration.ofMillis(100));
        private final StatsCache cache = new StatsCache("parts-1", driver, calls, guard, Duration.ofSeconds(5), prober);

        @Test
        @DisplayName("reads once, then from memory; a refresh reads again")
        void caching() {
            BackendStats first = cache.get(false);
            assertThat(cache.get(false)).isEqualTo(first);
            assertThat(statsReads.get()).isEqualTo(1);
            cache.get(true);
            assertThat(statsReads.get()).isEqualTo(2);
        }

        @Test
        @DisplayName("an unreachable device marks the cached stats DOWN and tells the prober; none cached throws")
        void deviceUnavailable() {
            statsFailure.set(new DeviceUnavailableException("simulated: no route to array"));
            assertThat(catchThrowableOfType(DeviceUnavailableException.class, () -> cache.get(false)))
                    .hasMessageContaining("no route");
            statsFailure.set(null);
            BackendStats healthy = cache.get(true);
            statsFailure.set(new DeviceUnavailableException("simulated: no route to array"));
            BackendStats stale = cache.get(true);
            assertThat(stale.backendState()).isEqualTo(BackendState.Status.DOWN);
            assertThat(stale.collectedAt()).isEqualTo(healthy.collectedAt());
            assertThat(prober.last()).hasValueSatisfying(s -> assertThat(s.reason()).contains("no route"));
        }

        @Test
        @DisplayName("stats naming another backend are a contract violation")
        void wrongName() {
            StatsCache other = new StatsCache("other-name", driver, calls, guard, Duration.ofSeconds(5), prober);
            CinderblockException e = catchThrowableOfType(CinderblockException.class, () -> other.get(true));
            assertThat(e.code()).isEqualTo(ErrorCode.DRIVER_CONTRACT_VIOLATION);
            assertThat(e).hasMessageContaining("volume_backend_name 'parts-1' for backend 'other-name'");
        }
    }

    @Nested
    @DisplayName("OperationJournal")
    class JournalTests {
        private final InMemoryVolumeMetadataStore store = new InMemoryVolumeMetadataStore();
        private final OperationJournal journal = new OperationJournal("parts-1", store, clock, guard);

        @Test
        @DisplayName("the record is CREATING while the device call runs, AVAILABLE after")
        void pendingBeforeDeviceCall() {
            VolumeSpec spec = VolumeSpec.of(UUID.randomUUID().toString(), 3);
            AtomicReference<RecordStatus> during = new AtomicReference<>();
            VolumeRecord done = journal.provision(spec, Optional.empty(), "createVolume", () -> {
                during.set(store.volume("parts-1", spec.id()).orElseThrow().status());
                return new Volume(spec.id(), spec.name(), spec.sizeGib(), "pool", Optional.of("lun-1"));
            });
            assertThat(during.get()).isEqualTo(RecordStatus.CREATING);
            assertThat(done.status()).isEqualTo(RecordStatus.AVAILABLE);
            assertThat(journal.volume(spec.id())).contains(done);
        }

        @Test
        @DisplayName("a refusal that did nothing removes the record; another failure leaves ERROR")
        void settling() {
            VolumeSpec refused = VolumeSpec.of(UUID.randomUUID().toString(), 3);
            catchThrowableOfType(CinderblockException.class, () -> journal.provision(refused, Optional.empty(),
                    "createVolume", () -> {
                        throw new CinderblockException(ErrorCode.INSUFFICIENT_CAPACITY, "simulated: pool full");
                    }));
            assertThat(journal.volume(refused.id())).isEmpty();

            VolumeSpec failed = VolumeSpec.of(UUID.randomUUID().toString(), 3);
            catchThrowableOfType(CinderblockException.class, () -> journal.provision(failed, Optional.empty(),
                    "createVolume", () -> {
                        throw new DeviceUnavailableException("simulated: connection reset mid-call");
                    }));
            assertThat(journal.volume(failed.id())).hasValueSatisfying(
                    r -> assertThat(r.status()).isEqualTo(RecordStatus.ERROR));
        }

        @Test
        @DisplayName("an unknown volume is NOT_FOUND naming it and the backend")
        void unknownVolume() {
            CinderblockException e = catchThrowableOfType(CinderblockException.class,
                    () -> journal.requireVolume("nope", null));
            assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND);
            assertThat(e).hasMessage("Volume 'nope' is not known to backend 'parts-1'");
        }
    }
}
