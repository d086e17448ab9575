package io.cinderblock.service.api;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
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
     * The version a request asks for, parsed as Cinder 21.3.1's {@code wsgi.Request.set_api_version_request}
     * does (see {@code docs/api.md}): the header (all its lines, folded with commas as the WSGI
     * server does) is split at commas; the first entry <em>containing</em> {@code volume}
     * (case-sensitive) is split at whitespace into service and version. No such entry is 400;
     * {@code latest} (lower case only) is {@link #MAX}; a version not matching
     * {@code MAJOR.MINOR} is 400; one outside [{@link #MIN}, {@link #MAX}] is 406, however large its
     * numbers. An absent header means {@link #MIN}.
     *
     * <p>One deliberate difference: an entry that does not split into exactly two words (bare
     * {@code volume}, {@code volume 3.0 x}) crashes Cinder's unpacking into a 500; here it is a 400
     * naming the entry.
     *
     * @throws ApiException 400 for a missing or malformed version, 406 for one outside the range
     */
    public static Microversion negotiate(Optional<String> header) {
        if (header.isEmpty()) {
            return MIN;
        }
        String entry = null;
        // Python's str.split(",") keeps empty parts; a comma inside an entry cannot matter here.
        for (String part : header.get().split(",", -1)) {
            if (part.contains("volume")) {
                entry = part;
                break;
            }
        }
        if (entry == null) {
            // VersionNotFoundForAPIMethod reaches Cinder's fault wrapper, which hides its message.
            throw new ApiException(400, "The server could not comply with the request since it is either malformed or"
                    + " otherwise incorrect.");
        }
        List<String> words = pythonSplit(entry);
        if (words.size() != 2) {
            throw new ApiException(400, "Invalid " + HEADER + " entry '" + entry.strip()
                    + "': expected 'volume MAJOR.MINOR' or 'volume latest'.");
        }
        String text = words.get(1);
        if (text.equals("latest")) {
            return MAX;
        }
        Matcher m = FORMAT.matcher(text);
        if (!m.matches()) {
            throw new ApiException(400, "API Version String " + text
                    + " is of invalid format. Must be of format MajorNum.MinorNum.", Optional.empty());
        }
        // Python's int has no overflow: 2147483648.0 is a well-formed version, merely unsupported (406).
        BigInteger major = new BigInteger(m.group(1));
        BigInteger minor = new BigInteger(m.group(2));
        int belowMin = compare(major, minor, MIN);
        if (belowMin < 0 || compare(major, minor, MAX) > 0) {
            // Cinder echoes the version header on a too-new request, not on a too-old one (recorded).
            throw new ApiException(406, "Version " + text + " is not supported by the API. Minimum is " + MIN
                    + " and maximum is " + MAX + ".", belowMin > 0 ? Optional.of(text) : Optional.empty());
        }
        return new Microversion(major.intValueExact(), minor.intValueExact());
    }

    private static int compare(BigInteger major, BigInteger minor, Microversion bound) {
        int byMajor = major.compareTo(BigInteger.valueOf(bound.major));
        return byMajor != 0 ? byMajor : minor.compareTo(BigInteger.valueOf(bound.minor));
    }

    /** Python's {@code str.split()} without arguments: runs of Unicode whitespace separate words. */
    static List<String> pythonSplit(String text) {
        List<String> words = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            while (i < text.length() && isPythonSpace(text.charAt(i))) {
                i++;
            }
            int start = i;
            while (i < text.length() && !isPythonSpace(text.charAt(i))) {
                i++;
            }
            if (i > start) {
                words.add(text.substring(start, i));
            }
        }
        return words;
    }

    /** Python's {@code str.isspace()} for one character. */
    private static boolean isPythonSpace(char c) {
        return (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x20) || c == 0x85 || Character.isSpaceChar(c);
    }
}
