package io.cinderblock.service.api;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Writes JSON exactly as Python's {@code json.dumps} does with its defaults, which is what Cinder
 * sends: {@code ", "} and {@code ": "} separators, non-ASCII escaped as {@code \\uXXXX}, floats in
 * Python's {@code repr} form ({@code 1000.0}), insertion order kept. Jackson's output differs in
 * spacing, so byte-for-byte compatibility needs this small writer.
 *
 * <p>Values: {@link Map} (string keys), {@link List}, {@link String}, {@link Number}, {@link
 * Boolean}, {@link Optional} (empty is {@code null}) and {@code null}.
 */
public final class PythonJson {
    private PythonJson() {}

    /** The JSON text of a value. */
    public static String write(Object value) {
        StringBuilder out = new StringBuilder(256);
        write(out, value);
        return out.toString();
    }

    private static void write(StringBuilder out, Object value) {
        if (value instanceof Optional) {
            write(out, ((Optional<?>) value).orElse(null));
        } else if (value == null) {
            out.append("null");
        } else if (value instanceof String) {
            string(out, (String) value);
        } else if (value instanceof Boolean) {
            out.append(((Boolean) value) ? "true" : "false");
        } else if (value instanceof Double || value instanceof Float) {
            out.append(pythonFloat(((Number) value).doubleValue()));
        } else if (value instanceof BigDecimal) {
            out.append(((BigDecimal) value).toPlainString());
        } else if (value instanceof Number) {
            out.append(value);
        } else if (value instanceof Map) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
                if (!first) {
                    out.append(", ");
                }
                first = false;
                string(out, String.valueOf(entry.getKey()));
                out.append(": ");
                write(out, entry.getValue());
            }
            out.append('}');
        } else if (value instanceof List) {
            out.append('[');
            boolean first = true;
            for (Object item : (List<?>) value) {
                if (!first) {
                    out.append(", ");
                }
                first = false;
                write(out, item);
            }
            out.append(']');
        } else {
            string(out, value.toString());
        }
    }

    /**
     * Python 3's {@code repr(float)}, which {@code json.dumps} uses: the shortest decimal that reads
     * back as the same double (the nearer one when two are as short), in fixed notation when the
     * decimal exponent is in [-4, 16), else as {@code 1.5e+16} / {@code 1e-05}; {@code -0.0};
     * {@code NaN}, {@code Infinity}, {@code -Infinity} as {@code json.dumps} writes them by default.
     */
    static String pythonFloat(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        String sign = Double.doubleToRawLongBits(d) < 0 ? "-" : "";
        if (d == 0) {
            return sign + "0.0";
        }
        BigDecimal shortest = shortest(new BigDecimal(Math.abs(d)), Math.abs(d)).stripTrailingZeros();
        String digits = shortest.unscaledValue().toString();
        // The value is 0.DIGITS x 10^point, as in CPython's float_repr_style 'short'.
        int point = digits.length() - shortest.scale();
        StringBuilder out = new StringBuilder(sign);
        if (point < -3 || point > 16) {
            out.append(digits.charAt(0));
            if (digits.length() > 1) {
                out.append('.').append(digits, 1, digits.length());
            }
            int exponent = point - 1;
            out.append('e').append(exponent < 0 ? '-' : '+');
            if (Math.abs(exponent) < 10) {
                out.append('0');
            }
            return out.append(Math.abs(exponent)).toString();
        }
        if (point <= 0) {
            return out.append("0.").append("0".repeat(-point)).append(digits).toString();
        }
        if (point >= digits.length()) {
            return out.append(digits).append("0".repeat(point - digits.length())).append(".0").toString();
        }
        return out.append(digits, 0, point).append('.').append(digits, point, digits.length()).toString();
    }

    /**
     * The shortest decimal reading back as {@code d}: for 1, 2, ... 17 significant digits, the
     * candidates just below and just above the exact value; of two that read back, the nearer
     * (on a tie, the one with an even last digit, as David Gay's algorithm that Python uses).
     */
    private static BigDecimal shortest(BigDecimal exact, double d) {
        for (int precision = 1; precision <= 17; precision++) {
            BigDecimal down = exact.round(new MathContext(precision, RoundingMode.DOWN));
            BigDecimal up = exact.round(new MathContext(precision, RoundingMode.UP));
            boolean downReads = down.doubleValue() == d;
            boolean upReads = up.doubleValue() == d;
            if (downReads && upReads) {
                int order = exact.subtract(down).compareTo(up.subtract(exact));
                if (order != 0) {
                    return order < 0 ? down : up;
                }
                return down.unscaledValue().testBit(0) ? up : down;
            }
            if (downReads) {
                return down;
            }
            if (upReads) {
                return up;
            }
        }
        // 17 significant digits always identify a double.
        return exact.round(new MathContext(17, RoundingMode.HALF_EVEN));
    }

    private static void string(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"':
                    out.append("\\\"");
                    break;
                case '\\':
                    out.append("\\\\");
                    break;
                case '\n':
                    out.append("\\n");
                    break;
                case '\r':
                    out.append("\\r");
                    break;
                case '\t':
                    out.append("\\t");
                    break;
                case '\b':
                    out.append("\\b");
                    break;
                case '\f':
                    out.append("\\f");
                    break;
                default:
                    if (c < 0x20 || c > 0x7e) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
            }
        }
        out.append('"');
    }
}
