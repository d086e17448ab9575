package io.cinderblock.service.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * What an audit line says about the result. The lines themselves, written by a running service for
 * real {@code cinder service-disable}/{@code service-enable} calls, are tested on the distribution
 * (reference-service-dist's DistributionTest).
 */
class AccessLogTest {
    @Test
    void aSucceededActionNamesTheServiceItsNewStatusAndTheReason() {
        String body = "{\"disabled_reason\": \"maintenance\", \"disabled\": true, \"host\": \"h@gold\", \"service\": \"\","
                + " \"binary\": \"cinder-volume\", \"status\": \"disabled\"}";
        assertThat(AccessLog.outcome(200, body.getBytes(StandardCharsets.UTF_8))).isEqualTo(
                "succeeded (200) host=\"h@gold\" binary=\"cinder-volume\" status=\"disabled\" reason=\"maintenance\"");
    }

    @Test
    void aRefusedActionCarriesCindersErrorMessage() {
        String body = "{\"itemNotFound\": {\"code\": 404, \"message\": \"Service h@nothing could not be found.\"}}";
        assertThat(AccessLog.outcome(404, body.getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("refused (404) Service h@nothing could not be found.");
    }

    @Test
    void aBodyThatIsNotJsonLeavesTheStatusAlone() {
        assertThat(AccessLog.outcome(401, "<html>401 Unauthorized</html>".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("refused (401)");
        assertThat(AccessLog.outcome(202, new byte[0])).isEqualTo("succeeded (202)");
    }
}
