package io.cinderblock.sdk.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.cinderblock.sdk.error.CinderblockException;
import io.cinderblock.sdk.error.DeviceUnavailableException;
import io.cinderblock.sdk.error.ErrorCode;
import io.cinderblock.sdk.host.metadata.RecordStatus;
import io.cinderblock.sdk.host.metadata.VolumeRecord;
import io.cinderblock.sdk.host.testing.HostFixtures;
import io.cinderblock.sdk.spi.BackendState;
import io.cinderblock.sdk.testing.FaultyDriverProviders;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A driver that leaks its secret option: the facade never shows the value")
class SecretLeakTest {
    private final String password = "pw-" + UUID.randomUUID();
    private final BackendRegistry registry = BackendRegistry.builder()
            .drivers(HostFixtures.registryOf(FaultyDriverProviders.SecretLeaking.class)).build();

    @AfterEach
    void tearDown() {
        registry.close();
    }

    private Backend open(String name, String secret) {
        return registry.open(name, Map.of("volume_driver", "secret-leaking", "password", secret));
    }

    /** The message, causes and stack trace text: everything a log line could show. */
    private static String everything(Throwable error) {
        StringWriter text = new StringWriter();
        error.printStackTrace(new PrintWriter(text));
        return text.toString();
    }

    @Test
    @DisplayName("an exception from open quoting the password")
    void openFailure() {
        String secret = "leak-on-open-" + password;
        Throwable error = catchThrowable(() -> open("leaky", secret));
        assertThat(error).isInstanceOf(CinderblockException.class).hasMessageContaining("Login with password '***'");
        assertThat(everything(error)).doesNotContain(secret);
    }

    @Test
    @DisplayName("a state reason quoting the password")
    void stateReason() {
        BackendState state = open("leaky", password).state();
        assertThat(state.status()).isEqualTo(BackendState.Status.DOWN);
        assertThat(state.reason()).contains("***").doesNotContain(password);
    }

    @Test
    @DisplayName("a DeviceUnavailableException from collectStats quoting it: still a DeviceUnavailableException")
    void statsFailure() {
        Throwable error = catchThrowable(() -> open("leaky", password).stats(true));
        assertThat(error).isInstanceOf(DeviceUnavailableException.class).hasMessageContaining("admin/***");
        assertThat(everything(error)).doesNotContain(password);
    }

    @Test
    @DisplayName("typed and untyped operation failures, and a secret hidden in a cause")
    void operationFailures() {
        Backend backend = open("leaky", password);
        Instant now = Instant.now();
        registry.metadataStore().putVolume(new VolumeRecord("leaky", "v1", "volume-v1", 1, Optional.of("fake"),
                Optional.empty(), Optional.empty(), RecordStatus.AVAILABLE, now, now));

        Throwable create = catchThrowable(() -> backend.createVolume(1));
        assertThat(create).isInstanceOfSatisfying(CinderblockException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.OPERATION_FAILED));
        assertThat(everything(create)).contains("***").doesNotContain(password);

        Throwable extend = catchThrowable(() -> backend.extendVolume("v1", 2));
        assertThat(extend).isInstanceOf(DeviceUnavailableException.class).hasMessageContaining("Connection reset");
        assertThat(everything(extend)).doesNotContain(password);

        Throwable delete = catchThrowable(() -> backend.deleteVolume("v1"));
        assertThat(delete).isInstanceOfSatisfying(CinderblockException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.DRIVER_CONTRACT_VIOLATION));
        assertThat(everything(delete)).contains("***").doesNotContain(password);
    }
}
