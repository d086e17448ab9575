package io.cinderblock.driver.iscsi;

import io.cinderblock.sdk.spi.DriverContext;
import java.text.MessageFormat;
import java.time.Clock;
import java.util.List;
import java.util.ResourceBundle;
import java.util.concurrent.CopyOnWriteArrayList;

/** A driver context whose logger keeps every line, so tests can read what the driver logged. */
final class RecordingContext implements DriverContext {
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final System.Logger logger = new System.Logger() {
        @Override
        public String getName() {
            return "recording";
        }

        @Override
        public boolean isLoggable(Level level) {
            return true;
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String message, Throwable thrown) {
            lines.add(level + " " + message + (thrown == null ? "" : " " + thrown));
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            lines.add(level + " " + (params == null || params.length == 0 ? format : MessageFormat.format(format, params)));
        }
    };

    @Override
    public Clock clock() {
        return Clock.systemUTC();
    }

    @Override
    public System.Logger logger() {
        return logger;
    }

    List<String> lines() {
        return List.copyOf(lines);
    }
}
