package io.cinderblock.service.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Python's json.dumps output, checked against values Python prints. */
class PythonJsonTest {
    @Test
    void matchesPythonDumps() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("b", 1);
        map.put("a", List.of(1000.0, 0.5, true, Optional.empty()));
        map.put("s", "caf\u00e9 \"q\"\n");
        map.put("n", null);
        // python3 -c 'import json; print(json.dumps({"b": 1, "a": [1000.0, 0.5, True, None], "s": "café \"q\"\n", "n": None}))'
        assertThat(PythonJson.write(map))
                .isEqualTo("{\"b\": 1, \"a\": [1000.0, 0.5, true, null], \"s\": \"caf\\u00e9 \\\"q\\\"\\n\", \"n\": null}");
    }

    @Test
    void floatsAsPythonRepr() {
        assertThat(PythonJson.pythonFloat(1e16)).isEqualTo("1e+16");
        assertThat(PythonJson.pythonFloat(1.5e-5)).isEqualTo("1.5e-05");
        assertThat(PythonJson.pythonFloat(123456.25)).isEqualTo("123456.25");
        assertThat(PythonJson.pythonFloat(-3.0)).isEqualTo("-3.0");
        // The two: Java's formatting gave 1.23456785e+07 and 5e-04.
        assertThat(PythonJson.pythonFloat(12345678.5)).isEqualTo("12345678.5");
        assertThat(PythonJson.pythonFloat(0.0005)).isEqualTo("0.0005");
        assertThat(PythonJson.pythonFloat(-0.0)).isEqualTo("-0.0");
    }

    /**
     * Many doubles (random bit patterns, random decimals of every magnitude, integral values, powers
     * of two and ten around the fixed/exponent switch, subnormals, the extremes, signed zeros, NaN
     * and infinities) written by {@code PythonJson} and by {@code json.dumps} in the real
     * {@code python3}, which reads each value exactly from its hexadecimal form.
     */
    @Test
    void floatsMatchThePython3OnThisMachine() throws Exception {
        Path python = Path.of("/usr/bin/python3");
        assertThat(Files.isExecutable(python)).as("python3 is needed: it is the reference").isTrue();
        Random random = new Random(20261205L);
        List<Double> values = new ArrayList<>(List.of(0.0, -0.0, Double.NaN, Double.POSITIVE_INFINITY,
                Double.NEGATIVE_INFINITY, Double.MIN_VALUE, -Double.MIN_VALUE, Double.MIN_NORMAL, Double.MAX_VALUE,
                12345678.5, 0.0005, 0.1, 0.2, 0.3, 1.0 / 3, 2.0 / 3, 5e-324, 9007199254740993.0, 1e22, 1e23,
                123456789012345680.0, 4.35, 2.675, 0.000123, 1.7976931348623157e308));
        for (int exponent = -30; exponent <= 30; exponent++) {
            double power = Math.pow(10, exponent);
            values.addAll(List.of(power, -power, Math.nextUp(power), Math.nextDown(power), 1.5 * power,
                    Math.scalb(1.0, exponent * 35)));
        }
        for (int i = 0; i < 4000; i++) {
            values.add(Double.longBitsToDouble(random.nextLong()));
            values.add((double) (random.nextLong() >> random.nextInt(64)));
            values.add(Math.round(random.nextDouble() * 1e6) / 100.0 * Math.pow(10, random.nextInt(40) - 20));
            values.add(random.nextDouble() * Math.pow(10, random.nextInt(600) - 300));
            values.add(random.nextInt(1 << 20) * Math.pow(2, random.nextInt(60) - 30));
        }
        StringBuilder input = new StringBuilder();
        for (double value : values) {
            input.append(Double.isNaN(value) ? "nan" : Double.isInfinite(value) ? (value > 0 ? "inf" : "-inf")
                    : Double.toHexString(value)).append('\n');
        }
        Process process = new ProcessBuilder(python.toString(), "-c", "import json, sys\n"
                + "for line in sys.stdin:\n"
                + "    t = line.strip()\n"
                + "    v = float(t) if t in ('nan', 'inf', '-inf') else float.fromhex(t)\n"
                + "    print(json.dumps([v]))\n").redirectErrorStream(true).start();
        Thread writer = new Thread(() -> {
            try (var out = process.getOutputStream()) {
                out.write(input.toString().getBytes(StandardCharsets.US_ASCII));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        writer.start();
        List<String> expected = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines()
                .toList();
        writer.join();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(expected).hasSize(values.size());
        List<String> differences = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            String ours = PythonJson.write(List.of(values.get(i)));
            if (!ours.equals(expected.get(i))) {
                differences.add(Double.toHexString(values.get(i)) + ": python " + expected.get(i) + ", ours " + ours);
            }
        }
        assertThat(differences).as("of %d values", values.size()).isEmpty();
    }
}
