package io.cinderblock.tck;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

/** Small text helpers shared by the kit's checks. */
final class Kit {
    private Kit() {}

    static String millis(Duration duration) {
        return duration.toMillis() + " ms";
    }

    /** {@code ExceptionType: message}. */
    static String describe(Throwable t) {
        return t.getClass().getName() + ": " + t.getMessage();
    }

    /** Every exception of the cause chain, with messages and suppressed ones, for searching. */
    static String chainText(Throwable t) {
        StringBuilder text = new StringBuilder();
        Set<Throwable> seen = new HashSet<>();
        append(t, text, seen);
        return text.toString();
    }

    private static void append(Throwable t, StringBuilder text, Set<Throwable> seen) {
        if (t == null || !seen.add(t)) {
            return;
        }
        text.append(t).append(" | ");
        for (Throwable suppressed : t.getSuppressed()) {
            append(suppressed, text, seen);
        }
        append(t.getCause(), text, seen);
    }
}
