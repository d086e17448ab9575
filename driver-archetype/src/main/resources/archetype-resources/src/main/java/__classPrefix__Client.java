package ${package};

import io.cinderblock.sdk.error.CinderblockException;
import io.cinderblock.sdk.error.DeviceUnavailableException;
import io.cinderblock.sdk.error.ErrorCode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The array's management API over HTTP: a few plain-text calls. Replace it with your array's own
 * API; keep what matters: a connect timeout and a timeout on every request (so nothing hangs when
 * the array stalls), typed errors, and the password never in a message.
 */
final class ${classPrefix}Client implements AutoCloseable {
    private final String endpoint;
    private final String authorization;
    private final Duration timeout;
    /** Null once closed, so the client and its selector thread can be collected (Java 17's HttpClient has no close()). */
    private volatile HttpClient http;
    /** The client's worker threads: ours, so close() ends them (the kit's RES-1 checks that nothing outlives close()). */
    private final ExecutorService workers = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "array-http");
        thread.setDaemon(true);
        return thread;
    });

    ${classPrefix}Client(String host, int port, String login, String password, Duration connectTimeout,
            Duration timeout) {
        this.endpoint = "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        this.authorization = "Basic " + Base64.getEncoder()
                .encodeToString((login + ":" + password).getBytes(StandardCharsets.UTF_8));
        this.timeout = timeout;
        // HTTP/1.1: no h2c upgrade round on the first request of each connection.
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(connectTimeout)
                .executor(workers).build();
    }

    /** Ends the client's threads; later calls fail with DeviceUnavailableException. */
    @Override
    public void close() {
        http = null;
        workers.shutdownNow();
    }

    /** Where the array is, for messages. */
    String endpoint() {
        return endpoint;
    }

    /** One answer of the array. */
    static final class Answer {
        final int status;
        final String body;

        Answer(int status, String body) {
            this.status = status;
            this.body = body;
        }

        boolean ok() {
            return status / 100 == 2;
        }
    }

    /**
     * Sends one request and returns the array's answer, whatever its status.
     *
     * @throws DeviceUnavailableException when the array cannot be reached or does not answer in time
     */
    Answer send(String method, String path) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(endpoint + path))
                .timeout(timeout)
                .header("Authorization", authorization)
                .method(method, HttpRequest.BodyPublishers.noBody())
                .build();
        try {
            HttpClient client = http;
            if (client == null) {
                throw new DeviceUnavailableException("The driver for " + endpoint + " is closed");
            }
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.body().strip());
        } catch (IOException e) {
            // The exception's own message may be empty (a reset): name its kind too.
            throw new DeviceUnavailableException("Cannot reach the array at " + endpoint + ": "
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage()), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeviceUnavailableException("Interrupted while calling the array at " + endpoint, e);
        }
    }

    /** Sends a request and turns an error status into the SDK's typed errors. */
    Answer call(String method, String path) {
        return check(method, path, send(method, path));
    }

    /** Returns a successful answer; throws the typed error an error status stands for. */
    Answer check(String method, String path, Answer answer) {
        if (answer.ok()) {
            return answer;
        }
        String what = method + " " + path + " on " + endpoint + ": HTTP " + answer.status + " " + answer.body;
        switch (answer.status) {
            case 401:
                throw new DeviceUnavailableException("The array refused the credentials of this backend: " + what);
            case 400:
                throw new CinderblockException(ErrorCode.INVALID_ARGUMENT, what);
            case 404:
                throw new CinderblockException(ErrorCode.NOT_FOUND, what);
            case 507:
                throw new CinderblockException(ErrorCode.INSUFFICIENT_CAPACITY, what);
            case 503:
                throw new DeviceUnavailableException("The array is unavailable: " + what);
            default:
                throw new CinderblockException(ErrorCode.OPERATION_FAILED, what);
        }
    }
}
