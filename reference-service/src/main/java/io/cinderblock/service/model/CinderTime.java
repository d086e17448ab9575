package io.cinderblock.service.model;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Cinder's timestamp format: naive UTC with microseconds, {@code 2026-11-26T10:48:01.459278}. */
public final class CinderTime {
    private static final DateTimeFormatter FORMAT =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS").withZone(ZoneOffset.UTC);

    private CinderTime() {}

    /** Formats an instant as Cinder does (always six fraction digits, as oslo's PERFECT_TIME_FORMAT). */
    public static String format(Instant instant) {
        return FORMAT.format(instant);
    }
}
