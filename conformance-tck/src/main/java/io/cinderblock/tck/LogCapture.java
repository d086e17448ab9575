package io.cinderblock.tck;

import java.text.MessageFormat;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.ResourceBundle;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Collects the log output of a run: everything drivers log through the {@link
 * io.cinderblock.sdk.spi.DriverContext} logger the kit hands them, and every record that reaches
 * {@code java.util.logging}'s root (where {@link System.Logger} goes by default), so that the
 * secrets checks can search it.
 */
final class LogCapture implements AutoCloseable {
    private final Queue<String> lines = new ConcurrentLinkedQueue<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            lines.add(format(record.getMessage(), record.getParameters()) + thrownText(record.getThrown()));
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };
    private final Logger root = Logger.getLogger("");
    private Level savedLevel;

    LogCapture() {
        handler.setLevel(Level.ALL);
        root.addHandler(handler);
    }

    /** Lets every level through for a while (the secrets workload), then {@link #restoreLevel()}. */
    synchronized void captureEverything() {
        if (savedLevel == null) {
            savedLevel = root.getLevel();
            root.setLevel(Level.ALL);
        }
    }

    synchronized void restoreLevel() {
        if (savedLevel != null) {
            root.setLevel(savedLevel);
            savedLevel = null;
        }
    }

    void add(String line) {
        lines.add(line);
    }

    List<String> lines() {
        return List.copyOf(lines);
    }

    /** A logger that records every message, enabled or not, and forwards to {@code delegate}. */
    System.Logger capturing(System.Logger delegate) {
        return new System.Logger() {
            @Override
            public String getName() {
                return delegate.getName();
            }

            @Override
            public boolean isLoggable(Level level) {
                return true;
            }

            @Override
            public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
                add(String.valueOf(msg) + thrownText(thrown));
                delegate.log(level, bundle, msg, thrown);
            }

            @Override
            public void log(Level level, ResourceBundle bundle, String format, Object... params) {
                add(format(format, params));
                delegate.log(level, bundle, format, params);
            }
        };
    }

    private static String format(String message, Object[] params) {
        if (message == null) {
            return "null";
        }
        if (params == null || params.length == 0) {
            return message;
        }
        try {
            return MessageFormat.format(message, params) + " " + Arrays.asList(params);
        } catch (IllegalArgumentException e) {
            return message + " " + Arrays.asList(params);
        }
    }

    private static String thrownText(Throwable thrown) {
        return thrown == null ? "" : " " + Kit.chainText(thrown);
    }

    @Override
    public void close() {
        restoreLevel();
        root.removeHandler(handler);
    }
}
