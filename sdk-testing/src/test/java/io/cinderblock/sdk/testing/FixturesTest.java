package io.cinderblock.sdk.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.jar.JarFile;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The shared fixtures do what their Javadoc promises")
class FixturesTest {

    @Test
    @DisplayName("RecordingLogger keeps every record, formatted, and hands a driver context over itself")
    void recordingLogger() {
        RecordingLogger log = new RecordingLogger("b1");
        System.Logger logger = log.context().logger();
        logger.log(System.Logger.Level.WARNING, "MD5 on {0} is broken", "agent-1");
        logger.log(System.Logger.Level.INFO, "plain {0} text");
        logger.log(System.Logger.Level.ERROR, "failed", new IllegalStateException("boom"));

        assertThat(log.getName()).isEqualTo("b1");
        assertThat(log.messages(System.Logger.Level.WARNING)).containsExactly("MD5 on agent-1 is broken");
        assertThat(log.messages(System.Logger.Level.INFO)).containsExactly("plain {0} text");
        assertThat(log.records()).hasSize(3);
        assertThat(log.records().get(2).thrown()).hasMessage("boom");
        assertThat(log.text()).isEqualTo("WARNING MD5 on agent-1 is broken\nINFO plain {0} text\n"
                + "ERROR failed java.lang.IllegalStateException: boom");
        log.clear();
        assertThat(log.records()).isEmpty();
    }

    @Test
    @DisplayName("DriverJarBuilder.addClass adds that one class file, byte for byte, and not its package or nested classes")
    void driverJarBuilderAddClass(@TempDir Path dir) throws IOException {
        Path jar = new DriverJarBuilder().addClass(ManualClock.class).provider(InMemoryDriverProvider.class)
                .writeTo(dir.resolve("one.jar"));
        try (JarFile file = new JarFile(jar.toFile())) {
            assertThat(file.stream().map(e -> e.getName()))
                    .containsExactlyInAnyOrder("META-INF/MANIFEST.MF", "io/cinderblock/sdk/testing/ManualClock.class",
                            "META-INF/services/io.cinderblock.sdk.spi.VolumeDriverProvider");
            assertThat(file.getInputStream(file.getEntry("io/cinderblock/sdk/testing/ManualClock.class")).readAllBytes())
                    .isEqualTo(DriverJarBuilder.classBytes(ManualClock.class));
        }
    }

    @Test
    @DisplayName("ManualClock moves only when told; negative steps are refused naming the step")
    void manualClock() {
        ManualClock clock = ManualClock.at("2026-12-05T08:00:00Z");
        assertThat(clock.instant()).isEqualTo(Instant.parse("2026-12-05T08:00:00Z"));
        assertThat(clock.advance(Duration.ofMinutes(5))).isEqualTo(Instant.parse("2026-12-05T08:05:00Z"));
        var paris = clock.withZone(ZoneId.of("Europe/Paris"));
        clock.set(Instant.parse("2026-12-05T07:00:00Z"));
        assertThat(paris.instant()).as("a zoned view follows the clock").isEqualTo(Instant.parse("2026-12-05T07:00:00Z"));
        assertThat(new RecordingLogger("x").context(clock).clock().instant()).isEqualTo(clock.instant());
        assertThatThrownBy(() -> clock.advance(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT-1S");
    }

    @Test
    @DisplayName("Await returns the first accepted value, and fails naming what and the last value")
    void await() {
        AtomicInteger counter = new AtomicInteger();
        assertThat(Await.until(Duration.ofSeconds(5), counter::incrementAndGet, n -> n >= 3, "three reads"))
                .isEqualTo(3);
        assertThatThrownBy(() -> Await.until(Duration.ofMillis(100), () -> "never", "done"::equals, "the answer"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("the answer").hasMessageContaining("last value: never");
        assertThatThrownBy(() -> Await.until(Duration.ZERO, () -> 1, n -> true, "x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT0S");
    }

    @Test
    @DisplayName("LocalPorts gives loopback ports a server can bind at once")
    void localPorts() throws IOException {
        int port = LocalPorts.freeTcpPort();
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            assertThat(socket.getLocalPort()).isEqualTo(port);
        }
        assertThat(LocalPorts.freeUdpPort()).isBetween(1, 65535);
    }

    @Test
    @DisplayName("InMemoryDriverProvider.of refuses another driver's provider, naming its class")
    void inMemoryOf() {
        InMemoryDriverProvider provider = new InMemoryDriverProvider();
        assertThat(InMemoryDriverProvider.of(provider)).isSameAs(provider);
        assertThatThrownBy(() -> InMemoryDriverProvider.of(new FaultyDriverProviders.ThrowingDescriptor()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(FaultyDriverProviders.ThrowingDescriptor.class.getName());
    }

    @Test
    @DisplayName("sdk-testing's public API matches api/sdk-testing.api")
    void publicApiMatchesTheReviewedDump() {
        ApiDump.verify(ManualClock.class, "sdk-testing");
    }
}
