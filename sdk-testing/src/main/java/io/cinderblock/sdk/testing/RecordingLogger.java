package io.cinderblock.sdk.testing;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.ApiStatus;
import io.cinderblock.sdk.spi.DriverContext;
import java.text.MessageFormat;
import java.time.Clock;
import java.util.List;
import java.util.ResourceBundle;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/**
 * A {@link System.Logger} that keeps every record, for tests that check what a driver logs: the
 * warning it must give, and the secret it must never print. Hand it to a driver with {@link
 * #context()} (or {@code DriverContext.of(clock, logger)}); read it with {@link #records()}, {@link
 * #messages(System.Logger.Level)} or {@link #text()}. Every level is loggable, so nothing a driver
 * logs is lost. Thread-safe: drivers log from their own threads.
 *
 * <pre>{@code
 * RecordingLogger log = new RecordingLogger("snmp-1");
 * try (VolumeDriver driver = provider.open(config, log.context())) { ... }
 * assertThat(log.messages(System.Logger.Level.WARNING)).anyMatch(m -> m.contains("MD5"));
 * assertThat(log.text()).doesNotContain(password);
 * }</pre>
 *
 * @since 0.2
 */
@ApiStatus(value = ApiStatus.Status.EXPERIMENTAL, since = "0.2")
public final class RecordingLogger implements System.Logger {
    private final String name;
    private final List<Entry> entries = new CopyOnWriteArrayList<>();

    /**
     * One logged record: its level, its message with the parameters filled in, and the throwable
     * logged with it.
     *
     * @param level the level; not null
     * @param message the formatted message; never null (an absent message is {@code ""})
     * @param thrown the throwable logged with the message, or null
     * @since 0.2
     */
    @ApiStatus(value = ApiStatus.Status.EXPERIMENTAL, since = "0.2")
    public record Entry(Level level, String message, Throwable thrown) {
        /**
         * Checks the level and turns an absent message into {@code ""}.
         *
         * @param level the level; not null
         * @param message the formatted message, or null
         * @param thrown the throwable, or null
         * @since 0.2
         */
        public Entry {
            requireNonNull(level, "level is null");
            message = message == null ? "" : message;
        }

        /**
         * {@return the level, the message and the throwable's {@code toString()}, on one line}
         *
         * @since 0.2
         */
        @Override
        public String toString() {
            return level + " " + message + (thrown == null ? "" : " " + thrown);
        }
    }

    /**
     * A logger with this name (what {@link #getName()} answers).
     *
     * @param name the name, e.g. the backend's; not null
     * @since 0.2
     */
    public RecordingLogger(String name) {
        this.name = requireNonNull(name, "name is null");
    }

    /**
     * {@return a driver context with the system clock (UTC) and this logger}
     *
     * @since 0.2
     */
    public DriverContext context() {
        return DriverContext.of(Clock.systemUTC(), this);
    }

    /**
     * A driver context with {@code clock} (for example a {@link ManualClock}) and this logger.
     *
     * @param clock the clock; not null
     * @return the context
     * @since 0.2
     */
    public DriverContext context(Clock clock) {
        return DriverContext.of(clock, this);
    }

    /**
     * {@return every record so far, oldest first (a snapshot)}
     *
     * @since 0.2
     */
    public List<Entry> records() {
        return List.copyOf(entries);
    }

    /**
     * The messages logged at exactly {@code level}, oldest first.
     *
     * @param level the level; not null
     * @return the formatted messages (a snapshot)
     * @since 0.2
     */
    public List<String> messages(Level level) {
        requireNonNull(level, "level is null");
        return entries.stream().filter(e -> e.level() == level).map(Entry::message).collect(Collectors.toList());
    }

    /**
     * {@return every record as one line each ({@link Entry#toString()}), joined by newlines: what
     * a test searches for a secret that must not be there}
     *
     * @since 0.2
     */
    public String text() {
        return entries.stream().map(Entry::toString).collect(Collectors.joining("\n"));
    }

    /**
     * Forgets every record so far.
     *
     * @since 0.2
     */
    public void clear() {
        entries.clear();
    }

    /**
     * {@return the name given at construction}
     *
     * @since 0.2
     */
    @Override
    public String getName() {
        return name;
    }

    /**
     * {@return always true: every level is recorded}
     *
     * @param level any level
     * @since 0.2
     */
    @Override
    public boolean isLoggable(Level level) {
        return true;
    }

    /**
     * Records {@code message} (as given; a bundle is not consulted) with {@code thrown}.
     *
     * @param level the level
     * @param bundle ignored
     * @param message the message
     * @param thrown the throwable, or null
     * @since 0.2
     */
    @Override
    public void log(Level level, ResourceBundle bundle, String message, Throwable thrown) {
        entries.add(new Entry(level, message, thrown));
    }

    /**
     * Records {@code format} with {@code params} filled in by {@link MessageFormat}, as the JDK's
     * default logger does (the format as given when there are no parameters).
     *
     * @param level the level
     * @param bundle ignored
     * @param format the {@link MessageFormat} pattern
     * @param params the parameters, possibly none
     * @since 0.2
     */
    @Override
    public void log(Level level, ResourceBundle bundle, String format, Object... params) {
        String message = params == null || params.length == 0 || format == null
                ? format : MessageFormat.format(format, params);
        entries.add(new Entry(level, message, null));
    }
}
