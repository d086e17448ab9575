package io.cinderblock.tck.runner;

import static org.assertj.core.api.Assertions.assertThat;

import io.cinderblock.sdk.spi.Capability;
import io.cinderblock.sdk.spi.DriverDescriptor;
import io.cinderblock.sdk.spi.StorageProtocol;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The hand-written JSON and HTML writers: escaping, verdicts, per-requirement aggregation. */
class ReportsTest {
    private static final DriverDescriptor DRIVER = DriverDescriptor.builder("demo").vendorName("Acme <Storage>")
            .driverVersion("1.0").storageProtocol(StorageProtocol.ISCSI).capability(Capability.CREATE_VOLUME).build();

    private static RunResult result(TestResult... tests) {
        Instant start = Instant.parse("2026-11-26T10:00:00Z");
        return new RunResult(DRIVER, "tck-demo", start, start.plusSeconds(3), List.of(tests));
    }

    private static TestResult test(String id, String group, TestResult.Status status, String message) {
        return new TestResult(group + " > " + id, List.of(id), group, List.of(), status, Duration.ofMillis(12),
                Optional.ofNullable(message));
    }

    @Test
    void jsonEscapesAndAggregatesPerRequirement() {
        RunResult result = result(
                test("STATE-1", "state", TestResult.Status.PASSED, null),
                test("STATE-2", "state", TestResult.Status.FAILED, "took \"5 s\"\nwanted <4.25 s\\"),
                test("FAULT-8", "faults", TestResult.Status.SKIPPED, "no hooks"));
        String json = JsonReport.render(result);
        assertThat(json).contains("\"verdict\": \"failed\"", "\"passed\": 1, \"failed\": 1, \"skipped\": 1")
                .contains("{\"id\": \"STATE-2\", \"group\": \"state\", \"capability\": null, \"result\": \"failed\"")
                .contains("\"message\": \"took \\\"5 s\\\"\\nwanted <4.25 s\\\\\"")
                .contains("{\"id\": \"FAULT-8\", \"group\": \"faults\", \"capability\": null, \"result\": \"skipped\"")
                .contains("{\"id\": \"PROV-1\", \"group\": \"provisioning\", \"capability\": \"create_volume\", "
                        + "\"result\": \"not_run\"")
                .contains("\"vendor_name\": \"Acme <Storage>\"", "\"capabilities\": [\"create_volume\"]");
        assertThat(JsonReport.quote("\u0001tab\t")).isEqualTo("\"\\u0001tab\\t\"");
    }

    @Test
    void htmlIsSelfContainedAndEscaped() {
        String html = HtmlReport.render(result(test("STATE-2", "state", TestResult.Status.FAILED,
                "<script>alert(1)</script>")));
        assertThat(html).contains("Not conformant", "Acme &lt;Storage&gt;", "&lt;script&gt;alert(1)&lt;/script&gt;")
                .doesNotContain("<script>", "src=", "href=");
    }

    @Test
    void matrixShowsDeclaredAndUndeclaredCapabilities() {
        List<ConsoleSummary.Row> rows = ConsoleSummary.matrix(result(
                new TestResult("Provisioning > PROV-1", List.of("PROV-1"), "provisioning", List.of("create_volume"),
                        TestResult.Status.PASSED, Duration.ZERO, Optional.empty())));
        assertThat(rows).filteredOn(r -> r.name().equals("capability create_volume")).singleElement()
                .satisfies(r -> {
                    assertThat(r.declared()).isEqualTo("declared");
                    assertThat(r.passed()).isEqualTo(1);
                });
        assertThat(rows).filteredOn(r -> r.name().equals("capability snapshot")).singleElement()
                .satisfies(r -> assertThat(r.declared()).isEqualTo("not declared"));
    }
}
