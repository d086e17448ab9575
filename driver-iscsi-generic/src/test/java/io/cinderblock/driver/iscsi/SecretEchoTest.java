package io.cinderblock.driver.iscsi;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.HttpHeader;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import io.cinderblock.sdk.spi.BackendState;
import io.cinderblock.sdk.spi.DriverConfig;
import io.cinderblock.sdk.spi.VolumeDriver;
import io.cinderblock.sdk.support.SecretScrubber;
import io.cinderblock.sdk.testing.RecordingLogger;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * No form of the password reaches a reason, message or log line, against a <b>simulated</b> array
 * (WireMock on 127.0.0.1 with an echoing transformer) that echoes every request, headers and body, in its Redfish
 * error: the {@code Authorization: Basic} header (Base64 of {@code user:password}) and the JSON login
 * body (the password JSON-escaped), answered as 500, 400, 401 and 403. Leaks are searched for with
 * {@link SecretScrubber#findIn} in every form it knows (plain, Base64 alone and as {@code
 * user:secret}, URL, JSON, Java, hex).
 */
class SecretEchoTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String USER = "cinder";

    /** Passwords with each character that changes between encodings, and non-ASCII. */
    static List<String> passwords() {
        return List.of("pa\"ss\"word-1", "back\\slash\\2", "sl/ash:co:lon%25-3", "pässwörd-€-4",
                "all\"\\/:%é-" + Long.toHexString(System.nanoTime()));
    }

    private final AtomicInteger status = new AtomicInteger(500);
    private WireMockServer server;

    /** Every request fails with a Redfish error quoting the whole request back, headers and body. */
    private final class Echo implements ResponseDefinitionTransformerV2 {
        @Override
        public String getName() {
            return "echo";
        }

        @Override
        public ResponseDefinition transform(ServeEvent event) {
            Request request = event.getRequest();
            // Body and Authorization first: the driver quotes only the start of a long error message.
            StringBuilder echoed = new StringBuilder(request.getBodyAsString()).append('\n');
            if (request.containsHeader("Authorization")) {
                echoed.append("Authorization: ").append(request.getHeader("Authorization")).append('\n');
            }
            echoed.append(request.getMethod().getName()).append(' ').append(request.getUrl()).append('\n');
            for (HttpHeader header : request.getHeaders().all()) {
                echoed.append(header.key()).append(": ").append(String.join(",", header.values())).append('\n');
            }
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("MessageId", "Base.1.8.GeneralError");
            info.put("Message", "Rejected request: " + echoed);
            try {
                String body = MAPPER.writeValueAsString(Map.of("error", Map.of("code", "Base.1.8.GeneralError",
                        "message", "Rejected request: " + echoed, "@Message.ExtendedInfo", List.of(info))));
                return aResponse().withStatus(status.get()).withHeader("Content-Type", "application/json")
                        .withBody(body).build();
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @BeforeEach
    void start() {
        server = new WireMockServer(WireMockConfiguration.options().port(0).bindAddress("127.0.0.1")
                .extensions(new Echo()));
        server.start();
        server.stubFor(any(anyUrl()).willReturn(aResponse().withTransformers("echo")));
    }

    @AfterEach
    void stop() {
        server.stop();
    }

    private VolumeDriver open(String password, String auth, RecordingLogger context) {
        SwordfishDriverProvider provider = new SwordfishDriverProvider();
        Map<String, String> values = Map.of(SwordfishDriverProvider.URL, "http://127.0.0.1:" + server.port(),
                SwordfishDriverProvider.USER, USER, SwordfishDriverProvider.PASSWORD, password,
                SwordfishDriverProvider.AUTH, auth, SwordfishDriverProvider.REQUEST_TIMEOUT, "3s");
        return provider.open(DriverConfig.validate(provider.descriptor(), "echo-backend", values), context.context());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("passwords")
    void basicAuthEchoedHeaderIsMasked(String password) {
        for (int answer : new int[] {500, 400, 401, 403}) {
            status.set(answer);
            checkNoLeak(password, "basic", answer);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("passwords")
    void sessionLoginEchoedBodyIsMasked(String password) {
        for (int answer : new int[] {500, 400, 401, 403}) {
            status.set(answer);
            checkNoLeak(password, "session", answer);
        }
    }

    private void checkNoLeak(String password, String auth, int answer) {
        SecretScrubber forms = SecretScrubber.of(List.of(password));
        RecordingLogger context = new RecordingLogger("iscsi-test");
        try (VolumeDriver driver = open(password, auth, context)) {
            BackendState state = driver.backendState();
            assertThat(state.status()).isEqualTo(BackendState.Status.DOWN);
            // Not vacuous: the reason quotes the array's echo, with the secret masked in it.
            if (answer == 500 || answer == 400) {
                assertThat(state.reason()).contains("Rejected request", SecretScrubber.MASK);
            }
            assertThat(forms.findIn(state.reason())).as("%s in reason '%s'", auth, state.reason()).isEmpty();

            Throwable error = catchThrowable(driver::collectStats);
            assertThat(error).isNotNull();
            StringWriter trace = new StringWriter();
            error.printStackTrace(new PrintWriter(trace));
            assertThat(forms.findIn(trace.toString())).as("%s in the stack trace of %s", auth, error).isEmpty();
        }
        for (String line : context.records().stream().map(Object::toString).toList()) {
            assertThat(forms.findIn(line)).as("%s in log line '%s'", auth, line).isEmpty();
        }
    }
}
