package io.cinderblock.service.api;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A block-storage API microversion ({@code 3.49}), and the parsing of the {@code
 * OpenStack-API-Version} header as Cinder does it.
 *
 * @param major the major number
 * @param minor the minor number
 */
public record Microversion(int major, int minor) implements Comparable<Microversion> {
    /** The lowest version served. */
    public static final Microversion MIN = new Microversion(3, 0);
    /** The highest version served: Cinder 2023.x's. */
    public static final Microversion MAX = new Microversion(3, 70);
    /** {@code cluster} appears in the service list. */
    public static final Microversion CLUSTER_SUPPORT = new Microversion(3, 7);
    /** {@code backend_state} appears in the service list. */
    public static final Microversion BACKEND_STATE_REPORT = new Microversion(3, 49);
    /** The request header. */
    public static final String HEADER = "OpenStack-API-Version";

    private static final Pattern FORMAT = Pattern.compile("^([1-9]\\d*)\\.([1-9]\\d*|0)$");

    /** Whether this version is at least {@code other}. */
    public boolean atLeast(Microversion other) {
        return compareTo(other) >= 0;
    }

    @Override
    public int compareTo(Microversion other) {
        return major != other.major ? Integer.compare(major, other.major) : Integer.compare(minor, other.minor);
    }

    @Override
    public String toString() {
        return major + "." + minor;
    }

    /**
     * The version a request asks for: absent header (or no {@code volume} entry) means {@link #MIN},
     * {@code latest} means {@link #MAX}.
     *
     * @throws ApiException 400 for a malformed version, 406 for one outside [{@link #MIN}, {@link #MAX}]
     */
    public static Microversion negotiate(Optional<String> header) {
        Optional<String> requested = header.flatMap(Microversion::volumeEntry);
        if (requested.isEmpty()) {
            return MIN;
        }
        String text = requested.get();
        if (text.equalsIgnoreCase("latest")) {
            return MAX;
        }
        Matcher m = FORMAT.matcher(text);
        Microversion version;
        try {
            if (!m.matches()) {
                throw new NumberFormatException();
            }
            version = new Microversion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
        } catch (NumberFormatException e) {
            throw new ApiException(400, "API Version String " + text
                    + " is of invalid format. Must be of format MajorNum.MinorNum.", Optional.empty());
        }
        if (version.compareTo(MIN) < 0 || version.compareTo(MAX) > 0) {
            // Cinder echoes the version header on a too-new request, not on a too-old one (recorded).
            throw new ApiException(406, "Version " + text + " is not supported by the API. Minimum is " + MIN
                    + " and maximum is " + MAX + ".", version.compareTo(MIN) > 0 ? Optional.of(text) : Optional.empty());
        }
        return version;
    }

    /**
     * The {@code volume} entry of a header such as {@code compute 2.1, volume 3.49}, as
     * microversion_parse reads it (the service name is case-insensitive; the last entry wins).
     */
    static Optional<String> volumeEntry(String header) {
        Optional<String> found = Optional.empty();
        for (String part : header.split(",")) {
            String[] words = part.strip().split("\\s+");
            if (words.length == 2 && words[0].toLowerCase(Locale.ROOT).equals("volume")) {
                found = Optional.of(words[1]);
            }
        }
        return found;
    }
}
