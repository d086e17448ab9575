package io.cinderblock.driver.iscsi;

import io.cinderblock.sdk.error.CinderblockException;
import io.cinderblock.sdk.error.DeviceUnavailableException;
import io.cinderblock.sdk.support.SecretScrubber;
import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.util.Locale;
import javax.net.ssl.SSLException;

/**
 * Turns a failed HTTP exchange with the Redfish service into the exception a driver reports: which
 * deadline passed (connect, TLS handshake, request), whether the peer refused, reset or closed, or
 * answered too much. The JDK's HTTP client reports most of these as one exception type with the
 * socket error's text, so the cause chain is searched. Messages never quote a secret.
 */
final class RedfishFailures {
    private final SwordfishSettings settings;
    private final String where;
    private final SecretScrubber scrubber;

    RedfishFailures(SwordfishSettings settings, String where, SecretScrubber scrubber) {
        this.settings = settings;
        this.where = where;
        this.scrubber = scrubber;
    }

    /** The exception for {@code failure} during {@code what} (e.g. {@code GET /redfish/v1/Systems}). */
    CinderblockException classify(Throwable failure, String what) {
        if (find(failure, BoundedBodyHandler.BodyTooLargeException.class) != null) {
            return new SwordfishProtocolException(where + ": the answer to " + what + " is larger than "
                    + settings.maxResponseBytes() + " bytes; refused", null, failure);
        }
        if (find(failure, HttpConnectTimeoutException.class) != null) {
            // The JDK's connect timeout covers the TLS handshake too: tell a peer that never accepted
            // from one that accepted and then stalled the handshake.
            if ("https".equalsIgnoreCase(settings.baseUri().getScheme()) && acceptsTcp()) {
                return new DeviceUnavailableException(where + " accepted the TCP connection but did not complete "
                        + "the TLS handshake within " + RedfishClient.seconds(settings.connectTimeout()) + " (connect timeout)",
                        failure);
            }
            return new DeviceUnavailableException(where + " did not accept a connection within "
                    + RedfishClient.seconds(settings.connectTimeout()) + " (connect timeout)", failure);
        }
        if (find(failure, HttpTimeoutException.class) != null) {
            return new DeviceUnavailableException(where + " did not answer " + what + " within "
                    + RedfishClient.seconds(settings.requestTimeout()) + " (request timeout)", failure);
        }
        SSLException tls = find(failure, SSLException.class);
        if (tls != null) {
            return new DeviceUnavailableException("TLS handshake with " + where + " failed: "
                    + RedfishClient.shorten(scrubber.scrub(String.valueOf(tls.getMessage()))), failure);
        }
        ConnectException connect = find(failure, ConnectException.class);
        if (connect != null) {
            // The JDK reports every failure to finish a connect as a ConnectException carrying the
            // socket error's text: a peer that accepts and then resets at once ("Connection reset
            // by peer") is not one that refuses, and a missing route is neither.
            String texts = allMessages(connect).toLowerCase(Locale.ROOT);
            if (texts.contains("reset")) {
                return new DeviceUnavailableException(where + " reset the connection during " + what, failure);
            }
            if (connect.getMessage() == null || texts.contains("refused")) {
                return new DeviceUnavailableException(where + " refused the connection", failure);
            }
            return new DeviceUnavailableException("Could not connect to " + where + ": "
                    + RedfishClient.shorten(connect.getMessage()), failure);
        }
        String messages = allMessages(failure).toLowerCase(Locale.ROOT);
        if (messages.contains("reset")) {
            return new DeviceUnavailableException(where + " reset the connection during " + what, failure);
        }
        if (find(failure, EOFException.class) != null || messages.contains("eof") || messages.contains("closed")
                || messages.contains("no bytes")) {
            return new DeviceUnavailableException(where + " closed the connection without answering " + what, failure);
        }
        return new DeviceUnavailableException(where + ": " + what + " failed: " + RedfishClient.shorten(String.valueOf(failure)),
                failure);
    }

    /**
     * Whether a plain TCP connect to the service succeeds now (bounded by the connect timeout, at
     * most 1 s): only asked after a connect timeout over HTTPS, to name a stalled TLS handshake.
     */
    private boolean acceptsTcp() {
        URI base = settings.baseUri();
        long millis = Math.min(1000, settings.connectTimeout().toMillis());
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(base.getHost(), RedfishClient.port(base)), (int) Math.max(1, millis));
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    static <T extends Throwable> T find(Throwable failure, Class<T> type) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    static String allMessages(Throwable failure) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            text.append(t.getClass().getSimpleName()).append(' ').append(t.getMessage()).append(' ');
        }
        return text.toString();
    }
}
