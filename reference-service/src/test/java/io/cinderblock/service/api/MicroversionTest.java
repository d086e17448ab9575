package io.cinderblock.service.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code OpenStack-API-Version} parsed as Cinder 21.3.1's {@code wsgi.Request.set_api_version_request}
 * does: each row is what Cinder answers for that header (worked out from its code; see docs/api.md).
 */
class MicroversionTest {
    private static final String GENERIC_400 = "The server could not comply with the request since it is either"
            + " malformed or otherwise incorrect.";

    @ParameterizedTest(name = "''{0}'' is {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "volume 3.49             | 3.49",
        "volume 3.0              | 3.0",
        "volume latest           | 3.70",
        "volume 3.49, volume 3.0 | 3.49",
        "volume 3.0, volume 3.49 | 3.0",
        "compute 2.1, volume 3.7 | 3.7",
        "\"  volume   3.27  \"     | 3.27",
        // Cinder looks for the substring 'volume', not for the service name.
        "volumes 3.5             | 3.5",
        "volume\t3.49            | 3.49",
    })
    void accepted(String header, String expected) {
        assertThat(Microversion.negotiate(Optional.of(header)).toString()).isEqualTo(expected);
    }

    @ParameterizedTest(name = "''{0}'' is {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "VOLUME 3.49            | 400 | " + GENERIC_400,
        "compute 2.1            | 400 | " + GENERIC_400,
        "3.49                   | 400 | " + GENERIC_400,
        "\"\"                     | 400 | " + GENERIC_400,
        "volume LATEST          | 400 | API Version String LATEST is of invalid format. Must be of format MajorNum.MinorNum.",
        "volume 3.049           | 400 | API Version String 3.049 is of invalid format. Must be of format MajorNum.MinorNum.",
        "volume 03.4            | 400 | API Version String 03.4 is of invalid format. Must be of format MajorNum.MinorNum.",
        "volume 3.              | 400 | API Version String 3. is of invalid format. Must be of format MajorNum.MinorNum.",
        "volume 2147483648.0    | 406 | Version 2147483648.0 is not supported by the API. Minimum is 3.0 and maximum is 3.70.",
        "volume 3.99999999999999999999 | 406 | Version 3.99999999999999999999 is not supported by the API. Minimum is 3.0 and maximum is 3.70.",
        "volume 3.71            | 406 | Version 3.71 is not supported by the API. Minimum is 3.0 and maximum is 3.70.",
        "volume 2.0             | 406 | Version 2.0 is not supported by the API. Minimum is 3.0 and maximum is 3.70.",
        // The deliberate difference: Cinder's tuple unpacking fails (500); we answer 400.
        "volume                 | 400 | Invalid OpenStack-API-Version entry 'volume': expected 'volume MAJOR.MINOR' or 'volume latest'.",
        "volume 3.0 x           | 400 | Invalid OpenStack-API-Version entry 'volume 3.0 x': expected 'volume MAJOR.MINOR' or 'volume latest'.",
    })
    void refused(String header, int status, String message) {
        ApiException e = catchThrowableOfType(ApiException.class, () -> Microversion.negotiate(Optional.of(header)));
        assertThat(e).as(header).isNotNull();
        assertThat(e.status()).isEqualTo(status);
        assertThat(e.getMessage()).isEqualTo(message);
    }

    @ParameterizedTest(name = "406 for ''{0}'' echoes {1}")
    @CsvSource(delimiter = '|', value = {"volume 3.71 | true", "volume 2147483648.0 | true", "volume 2.9 | false"})
    void tooNewEchoesTheVersionTooOldDoesNot(String header, boolean echoed) {
        ApiException e = catchThrowableOfType(ApiException.class, () -> Microversion.negotiate(Optional.of(header)));
        assertThat(e.echoedVersion().isPresent()).isEqualTo(echoed);
    }
}
