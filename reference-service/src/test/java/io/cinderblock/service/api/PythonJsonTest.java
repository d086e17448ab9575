package io.cinderblock.service.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
    }
}
