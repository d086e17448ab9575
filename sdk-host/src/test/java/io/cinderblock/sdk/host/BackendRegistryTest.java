package io.cinderblock.sdk.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.cinderblock.sdk.error.CinderblockException;
import io.cinderblock.sdk.error.ErrorCode;
import io.cinderblock.sdk.error.InvalidConfigException;
import io.cinderblock.sdk.host.discovery.DriverRegistry;
import io.cinderblock.sdk.host.testing.HostFixtures;
import io.cinderblock.sdk.testing.FaultyDriverProviders;
import io.cinderblock.sdk.testing.Gate;
import io.cinderblock.sdk.testing.InMemoryDriverProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("BackendRegistry: opening backends by unique name with a validated configuration")
class BackendRegistryTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final BackendRegistry registry = BackendRegistry.builder().drivers(DriverRegistry.fromClassPath()).build();
    private final ExecutorService threads = Executors.newFixedThreadPool(2);

    @AfterEach
    void tearDown() {
        threads.shutdownNow();
        registry.close();
    }

    @Nested
    @DisplayName("backend names")
    class Names {
        @Test
        @DisplayName("lists every live backend by name, sorted, and forgets closed ones")
        void listsLiveBackends() {
            Backend b = registry.open("beta", InMemoryDriverProvider.config());
            Backend a = registry.open("alpha", InMemoryDriverProvider.config());

            assertThat(registry.backends()).extracting(Backend::name).containsExactly("alpha", "beta");
            assertThat(registry.backend("beta")).containsSame(b);

            b.close();
            assertThat(registry.backends()).containsExactly(a);
            assertThat(registry.backend("beta")).isEmpty();
            assertThat(b.isClosed()).isTrue();
        }

        @Test
        @DisplayName("refuses a second backend with the same name, and allows it again once the first is closed")
        void duplicateNameFails() {
            Backend first = registry.open("lvm-1", InMemoryDriverProvider.config());

            CinderblockException e = catchThrowableOfType(CinderblockException.class,
                    () -> registry.open("lvm-1", InMemoryDriverProvider.config()));
            assertThat(e.code()).isEqualTo(ErrorCode.DUPLICATE_BACKEND);
            assertThat(e).hasMessageContaining("'lvm-1'");
            assertThat(registry.backend("lvm-1")).containsSame(first);

            first.close();
            assertThat(registry.open("lvm-1", InMemoryDriverProvider.config()).name()).isEqualTo("lvm-1");
        }

        @Test
        @DisplayName("lets exactly one of two threads that open the same name at once win")
        void raceOfTwoOpens() throws Exception {
            CyclicBarrier start = new CyclicBarrier(2);
            List<Future<Object>> results = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                results.add(threads.submit(() -> {
                    start.await();
                    try {
                        return registry.open("raced", InMemoryDriverProvider.config());
                    } catch (CinderblockException e) {
                        return e;
                    }
                }));
            }
            List<Object> outcomes = new ArrayList<>();
            for (Future<Object> result : results) {
                outcomes.add(result.get(WAIT.toSeconds(), TimeUnit.SECONDS));
            }

            assertThat(outcomes).filteredOn(Backend.class::isInstance).hasSize(1);
            assertThat(outcomes).filteredOn(CinderblockException.class::isInstance).singleElement()
                    .extracting(o -> ((CinderblockException) o).code()).isEqualTo(ErrorCode.DUPLICATE_BACKEND);
            assertThat(registry.backends()).hasSize(1);
        }

        @Test
        @DisplayName("refuses a second open of a name while the first open is still inside the driver")
        void duplicateWhileFirstOpenIsSlow() throws Exception {
            Gate opens = HostFixtures.inMemory(registry).holdOpens();
            CompletableFuture<Backend> first = CompletableFuture.supplyAsync(
                    () -> registry.open("slow", InMemoryDriverProvider.config()), threads);
            opens.awaitEntered(1, WAIT);

            CinderblockException e = catchThrowableOfType(CinderblockException.class,
                    () -> registry.open("slow", InMemoryDriverProvider.config()));
            assertThat(e.code()).isEqualTo(ErrorCode.DUPLICATE_BACKEND);
            assertThat(opens.entered()).as("the second open never reached the driver").isEqualTo(1);

            opens.open();
            assertThat(first.get(WAIT.toSeconds(), TimeUnit.SECONDS).name()).isEqualTo("slow");
        }

        @Test
        @DisplayName("refuses malformed names and a volume_backend_name option that disagrees")
        void malformedNames() {
            assertThatThrownBy(() -> registry.open("has space", InMemoryDriverProvider.config()))
                    .isInstanceOfSatisfying(InvalidConfigException.class,
                            e -> assertThat(e.option()).isEqualTo("volume_backend_name"))
                    .hasMessageContaining("'has space'");

            Map<String, String> config = InMemoryDriverProvider.config();
            config.put("volume_backend_name", "other");
            assertThatThrownBy(() -> registry.open("mine", config))
                    .isInstanceOfSatisfying(InvalidConfigException.class,
                            e -> assertThat(e.option()).isEqualTo("volume_backend_name"))
                    .hasMessageContaining("'other'").hasMessageContaining("'mine'");
        }

        @Test
        @DisplayName("a driver whose open fails leaves no backend behind and the name free")
        void failingOpenLeavesNothing() {
            try (BackendRegistry faulty = BackendRegistry.builder()
                    .drivers(HostFixtures.registryOf(FaultyDriverProviders.ThrowingOpen.class)).build()) {
                CinderblockException e = catchThrowableOfType(CinderblockException.class,
                        () -> faulty.open("x", Map.of("volume_driver", "throwing-open")));
                assertThat(e.code()).isEqualTo(ErrorCode.DRIVER_CONTRACT_VIOLATION);
                assertThat(e).hasMessageContaining("throwing-open").hasMessageContaining("open")
                        .hasMessageContaining("cannot initialise its client library");
                assertThat(faulty.backends()).isEmpty();
                // the name was released: a second attempt fails the same way, not as a duplicate
                assertThat(catchThrowableOfType(CinderblockException.class,
                        () -> faulty.open("x", Map.of("volume_driver", "throwing-open"))).code())
                        .isEqualTo(ErrorCode.DRIVER_CONTRACT_VIOLATION);
            }
        }

        @Test
        @DisplayName("closing the registry closes every backend")
        void closeClosesAll() {
            BackendRegistry own = BackendRegistry.builder().drivers(DriverRegistry.fromClassPath()).build();
            Backend a = own.open("a", InMemoryDriverProvider.config());
            Backend b = own.open("b", InMemoryDriverProvider.config());
            own.close();
            assertThat(a.isClosed()).isTrue();
            assertThat(b.isClosed()).isTrue();
            assertThat(own.backends()).isEmpty();
        }
    }

    @Nested
    @DisplayName("configuration validation at open")
    class Validation {
        @Test
        @DisplayName("a missing volume_driver is named")
        void missingDriver() {
            assertThatThrownBy(() -> registry.open("b", Map.of("password", "x")))
                    .isInstanceOfSatisfying(InvalidConfigException.class,
                            e -> assertThat(e.option()).isEqualTo("volume_driver"))
                    .hasMessageContaining("volume_driver");
        }

        @Test
        @DisplayName("an unknown volume_driver lists the available drivers")
        void unknownDriver() {
            CinderblockException e = catchThrowableOfType(CinderblockException.class,
                    () -> registry.open("b", Map.of("volume_driver", "in-memroy")));
            assertThat(e.code()).isEqualTo(ErrorCode.DRIVER_LOAD_FAILED);
            assertThat(e).hasMessageContaining("'in-memroy'").hasMessageContaining(InMemoryDriverProvider.ID);
        }

        @Test
        @DisplayName("a missing required option is named")
        void missingRequired() {
            assertThatThrownBy(() -> registry.open("b", Map.of("volume_driver", InMemoryDriverProvider.ID)))
                    .isInstanceOfSatisfying(InvalidConfigException.class, e -> {
                        assertThat(e.option()).isEqualTo("password");
                        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG);
                    })
                    .hasMessageContaining("Missing required option 'password'");
            assertThat(registry.backends()).isEmpty();
        }

        @Test
        @DisplayName("an unknown option is named, with a suggestion, and its value is not echoed")
        void unknownOptionWithSuggestion() {
            Map<String, String> config = InMemoryDriverProvider.config();
            config.put("capacity_gb", "55123");
            assertThatThrownBy(() -> registry.open("b", config))
                    .isInstanceOfSatisfying(InvalidConfigException.class,
                            e -> assertThat(e.option()).isEqualTo("capacity_gb"))
                    .hasMessageContaining("Unknown option 'capacity_gb'")
                    .hasMessageContaining("did you mean 'capacity_gib'?")
                    .hasMessageNotContaining("55123");
        }

        @Test
        @DisplayName("an unknown option far from every declared one gets no suggestion")
        void unknownOptionWithoutSuggestion() {
            Map<String, String> config = InMemoryDriverProvider.config();
            config.put("replication_device", "x");
            assertThatThrownBy(() -> registry.open("b", config))
                    .hasMessageContaining("Unknown option 'replication_device'")
                    .hasMessageNotContaining("did you mean");
        }

        @Test
        @DisplayName("a wrongly typed value is named and quoted")
        void wrongType() {
            Map<String, String> config = InMemoryDriverProvider.config();
            config.put("capacity_gib", "lots");
            assertThatThrownBy(() -> registry.open("b", config))
                    .isInstanceOfSatisfying(InvalidConfigException.class,
                            e -> assertThat(e.option()).isEqualTo("capacity_gib"))
                    .hasMessageContaining("Option 'capacity_gib' must be a whole number, got 'lots'");

            Map<String, String> flag = InMemoryDriverProvider.config();
            flag.put("thin", "yes");
            assertThatThrownBy(() -> registry.open("b", flag))
                    .hasMessageContaining("Option 'thin' must be true or false, got 'yes'");
        }

        @Test
        @DisplayName("a value the driver range-checks is named")
        void outOfRange() {
            Map<String, String> config = InMemoryDriverProvider.config();
            config.put("capacity_gib", "0");
            assertThatThrownBy(() -> registry.open("b", config))
                    .isInstanceOfSatisfying(InvalidConfigException.class,
                            e -> assertThat(e.option()).isEqualTo("capacity_gib"))
                    .hasMessageContaining("between 1 and");
        }

        @Test
        @DisplayName("a config map with a null value is refused naming the option")
        void nullValue() {
            Map<String, String> config = new HashMap<>(InMemoryDriverProvider.config());
            config.put("pool_name", null);
            assertThatThrownBy(() -> registry.open("b", config))
                    .isInstanceOfSatisfying(InvalidConfigException.class,
                            e -> assertThat(e.option()).isEqualTo("pool_name"));
        }

        @Test
        @DisplayName("the driver receives the validated options, defaults filled in")
        void driverSeesValidatedConfig() {
            Map<String, String> config = InMemoryDriverProvider.config();
            config.put("capacity_gib", " 250 ");
            Backend backend = registry.open("b", config);
            assertThat(HostFixtures.inMemory(registry).device("b").capacityGib()).isEqualTo(250);
            assertThat(backend.stats(false).pools()).singleElement()
                    .satisfies(pool -> assertThat(pool.poolName()).isEqualTo("pool-a"));
            assertThat(backend.stateDeadline()).isEqualTo(Duration.ofSeconds(2));
        }
    }
}
