package io.cinderblock.service.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.cinderblock.sdk.spi.BackendState;
import io.cinderblock.service.config.AuthSettings;
import io.cinderblock.service.model.ServiceDirectory;
import io.cinderblock.service.model.ServiceRecord;
import io.cinderblock.service.model.ServiceSnapshot;
import io.cinderblock.service.ops.Metrics;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The server's edges over a real socket: Jetty's own errors answered as Cinder faults with request
 * ids, header folding, lenient query decoding as webob's, trailing data after a JSON body, and
 * slow clients cut off by total deadlines while a normal client is served meanwhile.
 */
class HttpEdgesTest {
    private static final Pattern REQUEST_ID = Pattern.compile("(?im)^X-Openstack-Request-Id: (req-[0-9a-f-]{36})$");
    private static final ClientDeadlines DEADLINES = new ClientDeadlines(Duration.ofMillis(1500), Duration.ofMillis(1500));

    private static ApiServer server;
    private static final List<String> disabled = new ArrayList<>();

    @BeforeAll
    static void start() {
        Instant now = Instant.now();
        ServiceRecord volume = new ServiceRecord(2, "h@b", ServiceRecord.VOLUME, "nova", false, Optional.empty(), now,
                Optional.of(BackendState.Status.UP), Optional.empty(), "disabled");
        ServiceSnapshot snapshot = new ServiceSnapshot(List.of(volume), Map.of(), 1, now);
        ServiceDirectory directory = new ServiceDirectory() {
            @Override
            public ServiceSnapshot snapshot() {
                return snapshot;
            }

            @Override
            public ServiceRecord setDisabled(String host, String binary, boolean disable, Optional<String> reason) {
                synchronized (disabled) {
                    disabled.add(host + " " + binary + " " + disable);
                }
                return volume;
            }
        };
        CinderApi api = new CinderApi(directory, Authenticator.from(new AuthSettings(AuthSettings.Strategy.NOAUTH,
                Optional.empty())), Duration.ofSeconds(60), Clock.systemUTC());
        OpsEndpoints ops = new OpsEndpoints(Optional.of(directory), Optional.empty(),
                new Metrics(directory::snapshot, Duration.ofSeconds(60), Clock.systemUTC()), Optional::empty,
                Duration.ofSeconds(60), Clock.systemUTC());
        server = ApiServer.start(Optional.of(api), Optional.of(ops), "127.0.0.1", 0, 114688, DEADLINES);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** Sends raw bytes and reads the whole answer (the request asks the server to close). */
    private static String exchange(String request) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String get(String target, String... headers) throws IOException {
        return exchange("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Auth-Token: admin:admin\r\n"
                + String.join("", List.of(headers).stream().map(h -> h + "\r\n").toList()) + "Connection: close\r\n\r\n");
    }

    private static String put(String target, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return exchange("PUT " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Auth-Token: admin:admin\r\n"
                + "OpenStack-API-Version: volume 3.49\r\nContent-Type: application/json\r\nContent-Length: " + bytes.length
                + "\r\nConnection: close\r\n\r\n" + body);
    }

    private static int status(String answer) {
        return Integer.parseInt(answer.substring(9, 12));
    }

    private static String body(String answer) {
        return answer.substring(answer.indexOf("\r\n\r\n") + 4);
    }

    private static void assertFault(String answer, int status, String faultName) {
        assertThat(status(answer)).as(answer).isEqualTo(status);
        assertThat(answer).containsIgnoringCase("\r\nContent-Type: application/json\r\n");
        assertThat(REQUEST_ID.matcher(answer).find()).as("request id in " + answer).isTrue();
        assertThat(answer).containsIgnoringCase("\r\nX-Compute-Request-Id: req-");
        assertThat(body(answer)).startsWith("{\"" + faultName + "\": {\"code\": " + status + ", \"message\": \"");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "a request line Jetty cannot parse | 400 | badRequest    | GARBAGE\\r\\n\\r\\n",
        "a malformed path escape           | 400 | badRequest    | GET /v3/%zz/os-services HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n",
        "an unknown HTTP version           | 505 | computeFault  | GET /v3/ HTTP/2.5\\r\\nHost: a\\r\\n\\r\\n",
        "no Host header on HTTP/1.1        | 400 | badRequest    | GET /v3/ HTTP/1.1\\r\\n\\r\\n",
    })
    void jettysOwnErrorsAreCinderFaults(String what, int status, String faultName, String request) throws IOException {
        assertFault(exchange(request.replace("\\r\\n", "\r\n")), status, faultName);
    }

    @Test
    void aUriTooLongAndHeadersTooLargeAreCinderFaults() throws IOException {
        assertFault(get("/v3/os-services?host=" + "a".repeat(20_000)), 414, "computeFault");
        assertFault(get("/v3/os-services", "X-Big: " + "b".repeat(20_000)), 431, "computeFault");
    }

    @Test
    void healthzAndAnAgentsUnknownPathCarryRequestIds() throws IOException {
        String healthz = get("/healthz");
        assertThat(status(healthz)).isEqualTo(200);
        assertThat(REQUEST_ID.matcher(healthz).find()).as(healthz).isTrue();
        assertFault(exchange("POST /healthz HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"), 405,
                "badMethod");
    }

    @Test
    void aMalformedQueryEscapeIsLiteralAsInWebobButBadUtf8IsA400() throws IOException {
        // webob keeps '%zz' as is: the filter matches no host, an empty list as Cinder answers.
        String lenient = get("/v3/os-services?host=%zz", "OpenStack-API-Version: volume 3.49");
        assertThat(status(lenient)).as(lenient).isEqualTo(200);
        assertThat(body(lenient)).isEqualTo("{\"services\": []}");
        String badUtf8 = get("/v3/os-services?host=%ff", "OpenStack-API-Version: volume 3.49");
        assertFault(badUtf8, 400, "badRequest");
        assertThat(body(badUtf8)).contains("could not be decoded");
    }

    @Test
    void aHeaderSentTwiceIsFoldedAndItsFirstVolumeEntryWins() throws IOException {
        String answer = get("/v3/os-services", "OpenStack-API-Version: volume 3.49", "OpenStack-API-Version: volume 3.0");
        assertThat(status(answer)).isEqualTo(200);
        assertThat(answer).containsIgnoringCase("\r\nOpenstack-Api-Version: volume 3.49\r\n");
        assertThat(body(answer)).contains("backend_state");
    }

    @Test
    void trailingDataAfterAJsonBodyIsRefusedAndNothingChanges() throws IOException {
        int before;
        synchronized (disabled) {
            before = disabled.size();
        }
        String answer = put("/v3/os-services/disable", "{\"host\": \"h@b\", \"binary\": \"cinder-volume\"} xyz");
        assertFault(answer, 400, "badRequest");
        assertThat(body(answer)).contains("Malformed request body");
        synchronized (disabled) {
            assertThat(disabled).hasSize(before);
        }
        // Trailing whitespace is fine, as for json.loads.
        assertThat(status(put("/v3/os-services/disable", "{\"host\": \"h@b\", \"binary\": \"cinder-volume\"} \n")))
                .isEqualTo(200);
    }

    /** Connects and sends {@code first}, then one byte of {@code rest} every 200 ms until cut off. */
    private static Thread dribble(String first, String rest, long[] cutOffAfterMillis) {
        Thread thread = new Thread(() -> {
            long start = System.nanoTime();
            try (Socket socket = new Socket("127.0.0.1", server.port())) {
                socket.setSoTimeout(200);
                OutputStream out = socket.getOutputStream();
                InputStream in = socket.getInputStream();
                out.write(first.getBytes(StandardCharsets.ISO_8859_1));
                for (int i = 0; i < rest.length(); i++) {
                    out.write(rest.charAt(i));
                    out.flush();
                    try {
                        if (in.read() < 0) {
                            break;
                        }
                    } catch (SocketTimeoutException e) {
                        // still open: keep dribbling
                    }
                }
            } catch (IOException e) {
                // a reset is a cut-off too
            }
            cutOffAfterMillis[0] = (System.nanoTime() - start) / 1_000_000;
        });
        thread.start();
        return thread;
    }

    @Test
    void dribblingClientsAreCutOffWhileANormalRequestIsServed() throws Exception {
        String headers = "GET /v3/os-services HTTP/1.1\r\nHost: a\r\nX-Auth-Token: admin:admin\r\n" + "X-Slow: "
                + "s".repeat(200) + "\r\n\r\n";
        String bodyHead = "PUT /v3/os-services/enable HTTP/1.1\r\nHost: a\r\nX-Auth-Token: admin:admin\r\n"
                + "Content-Type: application/json\r\nContent-Length: 300\r\n\r\n";
        long[][] cutOff = new long[4][1];
        List<Thread> dribblers = List.of(dribble("", headers, cutOff[0]), dribble("G", headers.substring(1), cutOff[1]),
                dribble(bodyHead, "{" + " ".repeat(298) + "}", cutOff[2]),
                dribble(bodyHead, "{" + " ".repeat(298) + "}", cutOff[3]));
        // Meanwhile a normal client is served, several times.
        for (int i = 0; i < 5; i++) {
            String answer = get("/v3/os-services", "OpenStack-API-Version: volume 3.49");
            assertThat(status(answer)).isEqualTo(200);
            Thread.sleep(200);
        }
        for (Thread thread : dribblers) {
            thread.join(15_000);
            assertThat(thread.isAlive()).as("a dribbling client still connected after 15 s").isFalse();
        }
        for (long[] millis : cutOff) {
            // Each sends for 40+ s if left alone; cut off after the 1.5 s deadline (plus the sweep's resolution).
            assertThat(millis[0]).isBetween(1_400L, 10_000L);
        }
    }

    @Test
    void everyAnswerHasOneRequestIdOfItsOwn() throws IOException {
        Matcher first = REQUEST_ID.matcher(get("/v3/os-services"));
        Matcher second = REQUEST_ID.matcher(get("/v3/os-services"));
        assertThat(first.find()).isTrue();
        assertThat(second.find()).isTrue();
        assertThat(first.group(1)).isNotEqualTo(second.group(1));
        assertThat(first.find()).isFalse();
    }
}
