package io.cinderblock.sdk.host;

import static org.assertj.core.api.Assertions.assertThat;

import io.cinderblock.sdk.host.discovery.DriverRegistry;
import io.cinderblock.sdk.spi.BackendState;
import io.cinderblock.sdk.spi.BackendStateListener;
import io.cinderblock.sdk.spi.BackendStatePublisher;
import io.cinderblock.sdk.spi.DriverConfig;
import io.cinderblock.sdk.spi.DriverContext;
import io.cinderblock.sdk.spi.DriverDescriptor;
import io.cinderblock.sdk.spi.VolumeDriver;
import io.cinderblock.sdk.spi.VolumeDriverProvider;
import io.cinderblock.sdk.testing.FakeDriver;
import io.cinderblock.sdk.testing.ServiceEntriesClassLoader;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Backend.watchState over fake publishing drivers (no device: the test plays the device's
 * announcements by calling the driver's listener, as a real driver's receiver thread would).
 */
@DisplayName("Backend.watchState: pushed states reach the host, polling stays the safety net")
class BackendPushTest {
    private static final String PASSWORD = "push-" + java.util.UUID.randomUUID();

    private final DriverRegistry drivers = DriverRegistry.builder()
            .classLoader(new ServiceEntriesClassLoader(List.of(
                    Publishing.class.getName(), NotPublishing.class.getName(),
                    HangingPublish.class.getName(), Silent.class.getName())))
            .build();
    private final BackendRegistry registry = BackendRegistry.builder().drivers(drivers)
            .stateGrace(Duration.ofMillis(100)).build();

    @AfterEach
    void tearDown() {
        HangingPublish.release.countDown();
        registry.close();
    }

    @Test
    @DisplayName("a pushed DOWN is recorded at once, scrubbed, and handed to every listener")
    void pushedStateReachesListeners() {
        Backend backend = registry.open("push-1", Map.of("volume_driver", "publishing", "password", PASSWORD));
        Recorder first = new Recorder();
        Recorder second = new Recorder();

        assertThat(backend.watchState(first)).isTrue();
        assertThat(backend.watchState(second)).isTrue();
        PublishingDriver driver = Publishing.opened.get("push-1");
        assertThat(backend.stats(false).backendState()).isEqualTo(BackendState.Status.UP);
        assertThat(driver.subscriptions.get()).as("publishTo is called once per backend").isEqualTo(1);

        driver.listener.stateChanged(new BackendState(BackendState.Status.DOWN,
                "array says: controller offline (login " + PASSWORD + ")", Instant.now()));

        assertThat(first.states).hasSize(1);
        assertThat(second.states).hasSize(1);
        BackendState shown = first.states.get(0);
        assertThat(shown.isUp()).isFalse();
        assertThat(shown.reason()).contains("controller offline").doesNotContain(PASSWORD);
        assertThat(backend.lastState()).contains(shown);
        assertThat(backend.stats(false).backendState()).as("cached stats see the pushed state").isEqualTo(BackendState.Status.DOWN);
    }

    @Test
    @DisplayName("a push observed before the newest probe is dropped; polling still answers")
    void stalePushDropped() {
        Backend backend = registry.open("push-2", Map.of("volume_driver", "publishing"));
        Recorder recorder = new Recorder();
        backend.watchState(recorder);
        Instant before = Instant.now().minusSeconds(5);
        BackendState probed = backend.state();
        assertThat(probed.isUp()).isTrue();

        Publishing.opened.get("push-2").listener.stateChanged(new BackendState(BackendState.Status.DOWN, "late delivery", before));

        assertThat(recorder.states).isEmpty();
        assertThat(backend.lastState()).contains(probed);
    }

    @Test
    @DisplayName("pushLost and pushRestored reach the listener and the backend's push status")
    void lostAndRestored() {
        Backend backend = registry.open("push-3", Map.of("volume_driver", "publishing", "password", PASSWORD));
        Recorder recorder = new Recorder();
        backend.watchState(recorder);
        PublishingDriver driver = Publishing.opened.get("push-3");
        assertThat(backend.pushLostReason()).isEmpty();

        driver.listener.pushLost("subscription refused with " + PASSWORD);
        assertThat(recorder.lost).singleElement().asString().contains("subscription refused").doesNotContain(PASSWORD);
        assertThat(backend.pushLostReason()).get().asString().contains("subscription refused");

        driver.listener.pushRestored();
        assertThat(recorder.restored.get()).isEqualTo(1);
        assertThat(backend.pushLostReason()).isEmpty();
    }

    @Test
    @DisplayName("a driver without push, or with push switched off, says so; its listener is never called")
    void notPublishing() {
        Backend plain = registry.open("push-4", Map.of("volume_driver", "not-publishing"));
        Backend silent = registry.open("push-5", Map.of("volume_driver", "silent"));
        assertThat(plain.watchState(new Recorder())).isFalse();
        assertThat(silent.watchState(new Recorder())).isFalse();
        assertThat(plain.pushLostReason()).isEmpty();
    }

    @Test
    @DisplayName("a publishTo that never returns is cut at the state deadline: push lost, polling goes on")
    void hangingPublishTo() {
        HangingPublish.release = new CountDownLatch(1);
        Backend backend = registry.open("push-6", Map.of("volume_driver", "hanging-publish"));
        assertThat(backend.watchState(new Recorder())).isTrue();
        assertThat(backend.pushLostReason()).get().asString().contains("did not return within");
        assertThat(backend.state().isUp()).isTrue();
    }

    @Test
    @DisplayName("after close nothing is handed on, and a listener that throws does not stop the others")
    void closeAndThrowingListener() {
        Backend backend = registry.open("push-7", Map.of("volume_driver", "publishing"));
        Recorder recorder = new Recorder();
        backend.watchState(new BackendStateListener() {
            @Override
            public void stateChanged(BackendState state) {
                throw new IllegalStateException("simulated: a broken listener");
            }

            @Override
            public void pushLost(String reason) {}

            @Override
            public void pushRestored() {}
        });
        backend.watchState(recorder);
        PublishingDriver driver = Publishing.opened.get("push-7");
        driver.listener.stateChanged(new BackendState(BackendState.Status.DOWN, "first", Instant.now()));
        assertThat(recorder.states).hasSize(1);

        backend.close();
        driver.listener.stateChanged(new BackendState(BackendState.Status.DOWN, "after close", Instant.now()));
        assertThat(recorder.states).hasSize(1);
    }

    /** Records what a listener heard. */
    static final class Recorder implements BackendStateListener {
        final List<BackendState> states = new CopyOnWriteArrayList<>();
        final List<String> lost = new CopyOnWriteArrayList<>();
        final AtomicInteger restored = new AtomicInteger();

        @Override
        public void stateChanged(BackendState state) {
            states.add(state);
        }

        @Override
        public void pushLost(String reason) {
            lost.add(reason);
        }

        @Override
        public void pushRestored() {
            restored.incrementAndGet();
        }
    }

    /** A fake driver that publishes: keeps the host's listener for the test to call. */
    public static class PublishingDriver extends FakeDriver implements BackendStatePublisher {
        final AtomicInteger subscriptions = new AtomicInteger();
        volatile BackendStateListener listener;

        PublishingDriver(DriverDescriptor descriptor, DriverConfig config, DriverContext context) {
            super(descriptor, config, context);
        }

        @Override
        public boolean publishTo(BackendStateListener listener) {
            subscriptions.incrementAndGet();
            this.listener = listener;
            return true;
        }
    }

    /** {@code publishing}: pushes whatever the test hands its listener. */
    public static final class Publishing implements VolumeDriverProvider {
        static final DriverDescriptor DESCRIPTOR = FakeDriver.descriptorBuilder("publishing").build();
        static final Map<String, PublishingDriver> opened = new ConcurrentHashMap<>();

        @Override
        public DriverDescriptor descriptor() {
            return DESCRIPTOR;
        }

        @Override
        public VolumeDriver open(DriverConfig config, DriverContext context) {
            PublishingDriver driver = new PublishingDriver(DESCRIPTOR, config, context);
            opened.put(config.backendName(), driver);
            return driver;
        }
    }

    /** {@code silent}: publishes in principle, but its configuration turns push off. */
    public static final class Silent implements VolumeDriverProvider {
        static final DriverDescriptor DESCRIPTOR = FakeDriver.descriptorBuilder("silent").build();

        @Override
        public DriverDescriptor descriptor() {
            return DESCRIPTOR;
        }

        @Override
        public VolumeDriver open(DriverConfig config, DriverContext context) {
            return new PublishingDriver(DESCRIPTOR, config, context) {
                @Override
                public boolean publishTo(BackendStateListener listener) {
                    return false;
                }
            };
        }
    }

    /** {@code not-publishing}: a plain driver. */
    public static final class NotPublishing implements VolumeDriverProvider {
        static final DriverDescriptor DESCRIPTOR = FakeDriver.descriptorBuilder("not-publishing").build();

        @Override
        public DriverDescriptor descriptor() {
            return DESCRIPTOR;
        }

        @Override
        public VolumeDriver open(DriverConfig config, DriverContext context) {
            return new FakeDriver(DESCRIPTOR, config, context);
        }
    }

    /** {@code hanging-publish}: publishTo blocks (ignoring interrupts) until the test ends; 200 ms deadline. */
    public static final class HangingPublish implements VolumeDriverProvider {
        static final DriverDescriptor DESCRIPTOR = FakeDriver.descriptorBuilder("hanging-publish").build();
        static volatile CountDownLatch release = new CountDownLatch(1);

        @Override
        public DriverDescriptor descriptor() {
            return DESCRIPTOR;
        }

        @Override
        public VolumeDriver open(DriverConfig config, DriverContext context) {
            return new PublishingDriver(DESCRIPTOR, config, context) {
                @Override
                public Duration stateDeadline() {
                    return Duration.ofMillis(200);
                }

                @Override
                public boolean publishTo(BackendStateListener listener) {
                    boolean interrupted = false;
                    while (true) {
                        try {
                            if (release.await(1, TimeUnit.MINUTES)) {
                                break;
                            }
                        } catch (InterruptedException e) {
                            interrupted = true; // ignores interrupts, as a badly written driver would
                        }
                    }
                    if (interrupted) {
                        Thread.currentThread().interrupt();
                    }
                    return true;
                }
            };
        }
    }
}
