package io.cinderblock.service.api;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes connections whose client takes longer than the {@link ClientDeadlines} to send a
 * request's line and headers, or its body. Jetty's idle timeout restarts with every byte, so a
 * client dribbling a byte now and then would hold a connection and a parser forever.
 *
 * <p>Jetty does not expose its parser's state, so the phases are read from what is visible: a
 * connection between requests whose byte count grows is receiving a request's headers (from the
 * first new byte until the handler is called); a handled request is receiving its body until the
 * handler has read it. A sweep a few times a second closes a connection that stays in one phase
 * too long. Other connections are unaffected.
 */
final class SlowClientGuard implements Connection.Listener {
    private static final Logger LOG = LoggerFactory.getLogger(SlowClientGuard.class);

    /** One connection's phase. Written by the handler's and the sweep's threads. */
    private static final class Watch {
        volatile boolean inRequest;
        /** Bytes received when the connection last became idle (opened, or a response sent). */
        volatile long idleBytes;
        /** When the headers of the next request started arriving (nanoTime), 0 if not yet. */
        volatile long headersSince;
        /** When the handler started reading the body (nanoTime), 0 when read or none. */
        volatile long bodySince;
    }

    private final ClientDeadlines deadlines;
    private final Map<Connection, Watch> open = new ConcurrentHashMap<>();
    private final long sweepMillis;

    SlowClientGuard(ClientDeadlines deadlines) {
        this.deadlines = deadlines;
        // Resolution: a tenth of the shorter deadline, between 20 ms and 250 ms.
        long shorter = Math.min(deadlines.headers().toMillis(), deadlines.body().toMillis());
        this.sweepMillis = Math.max(20, Math.min(250, shorter / 10));
    }

    void start(Scheduler scheduler) {
        scheduler.schedule(() -> sweepAndReschedule(scheduler), sweepMillis, TimeUnit.MILLISECONDS);
    }

    private void sweepAndReschedule(Scheduler scheduler) {
        try {
            sweep(System.nanoTime());
        } catch (RuntimeException e) {
            LOG.warn("Slow-client sweep failed; trying again", e);
        }
        if (scheduler.isRunning()) {
            scheduler.schedule(() -> sweepAndReschedule(scheduler), sweepMillis, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void onOpened(Connection connection) {
        open.put(connection, new Watch());
    }

    @Override
    public void onClosed(Connection connection) {
        open.remove(connection);
    }

    /** The handler got a request (its headers are complete) and now reads its body. */
    void bodyStarted(Connection connection) {
        Watch watch = open.get(connection);
        if (watch != null) {
            watch.inRequest = true;
            watch.headersSince = 0;
            watch.bodySince = System.nanoTime();
        }
    }

    /** The handler has read the body. */
    void bodyRead(Connection connection) {
        Watch watch = open.get(connection);
        if (watch != null) {
            watch.bodySince = 0;
        }
    }

    /** Wraps the response callback so that the connection turns idle once the answer is sent. */
    Callback whenAnswered(Connection connection, Callback callback) {
        return new Callback() {
            @Override
            public void succeeded() {
                idle(connection);
                callback.succeeded();
            }

            @Override
            public void failed(Throwable failure) {
                idle(connection);
                callback.failed(failure);
            }

            @Override
            public InvocationType getInvocationType() {
                return callback.getInvocationType();
            }
        };
    }

    private void idle(Connection connection) {
        Watch watch = open.get(connection);
        if (watch != null) {
            watch.bodySince = 0;
            watch.headersSince = 0;
            watch.idleBytes = connection.getBytesIn();
            watch.inRequest = false;
        }
    }

    private void sweep(long now) {
        for (Map.Entry<Connection, Watch> entry : open.entrySet()) {
            Connection connection = entry.getKey();
            Watch watch = entry.getValue();
            if (!watch.inRequest) {
                if (watch.headersSince == 0) {
                    if (connection.getBytesIn() > watch.idleBytes) {
                        watch.headersSince = now;
                    }
                } else if (now - watch.headersSince > deadlines.headers().toNanos()) {
                    cutOff(connection, "line and headers", deadlines.headers().toMillis());
                }
            } else {
                long since = watch.bodySince;
                if (since != 0 && now - since > deadlines.body().toNanos()) {
                    cutOff(connection, "body", deadlines.body().toMillis());
                }
            }
        }
    }

    private void cutOff(Connection connection, String what, long millis) {
        LOG.warn("Closing the connection from {}: the request {} took longer than {} ms to arrive",
                connection.getEndPoint().getRemoteSocketAddress(), what, millis);
        open.remove(connection);
        connection.getEndPoint().close();
    }
}
