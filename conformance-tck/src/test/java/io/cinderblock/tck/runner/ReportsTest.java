package io.cinderblock.tck.runner;

import static org.assertj.core.api.Assertions.assertThat;

import io.cinderblock.sdk.spi.Capability;
import io.cinderblock.sdk.spi.DriverDescriptor;
import io.cinderblock.sdk.spi.StorageProtocol;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.LinkedHashMap;
import java.util.Map;
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
    void jsonEscapesAndAggregatesPerRequirement() throws Exception {
        RunResult result = result(
                test("STATE-1", "state", TestResult.Status.PASSED, null),
                test("STATE-2", "state", TestResult.Status.FAILED, "took \"5 s\"\nwanted <4.25 s\\ \u0001"),
                new TestResult("faults > FAULT-1", List.of("FAULT-1"), "faults", List.of(), TestResult.Status.BLOCKED,
                        Duration.ofMillis(3), Optional.of("blocked by STATS-5: no stats"), Optional.of("STATS-5")),
                test("FAULT-8", "faults", TestResult.Status.SKIPPED, "no hooks"));
        JsonNode json = ReportSchema.JSON.readTree(JsonReport.render(result));

        assertThat(ReportSchema.violations(json)).as("violations of tck-report.schema.json").isEmpty();
        assertThat(json.get("driver").get("vendor_name").asText()).isEqualTo("Acme <Storage>");
        assertThat(json.get("driver").get("capabilities")).containsExactly(TextNode.valueOf("create_volume"));
        assertThat(json.get("backend_name").asText()).isEqualTo("tck-demo");
        assertThat(json.get("started_at").asText()).isEqualTo("2026-11-26T10:00:00Z");
        assertThat(json.get("duration_ms").asLong()).isEqualTo(3000);
        JsonNode summary = json.get("summary");
        assertThat(summary.get("verdict").asText()).isEqualTo("failed");
        assertThat(List.of(summary.get("passed").asInt(), summary.get("failed").asInt(), summary.get("blocked").asInt(),
                summary.get("skipped").asInt())).containsExactly(1, 1, 1, 1);

        Map<String, JsonNode> requirements = new LinkedHashMap<>();
        json.get("requirements").forEach(r -> requirements.put(r.get("id").asText(), r));
        assertThat(requirements.keySet()).as("every requirement, in catalogue order").containsExactlyElementsOf(
                io.cinderblock.tck.Requirements.ALL.stream().map(io.cinderblock.tck.Requirement::id).toList());
        JsonNode failed = requirements.get("STATE-2");
        assertThat(failed.get("result").asText()).isEqualTo("failed");
        assertThat(failed.get("message").asText()).isEqualTo("took \"5 s\"\nwanted <4.25 s\\ \u0001");
        assertThat(failed.get("capability").isNull()).isTrue();
        assertThat(failed.get("duration_ms").asLong()).isEqualTo(12);
        JsonNode blocked = requirements.get("FAULT-1");
        assertThat(blocked.get("result").asText()).isEqualTo("blocked");
        assertThat(blocked.get("blocked_by").asText()).isEqualTo("STATS-5");
        assertThat(requirements.get("FAULT-8").get("result").asText()).isEqualTo("skipped");
        assertThat(requirements.get("FAULT-8").get("blocked_by").isNull()).isTrue();
        assertThat(requirements.get("PROV-1").get("result").asText()).isEqualTo("not_run");
        assertThat(requirements.get("PROV-1").get("capability").asText()).isEqualTo("create_volume");

        JsonNode tests = json.get("tests");
        assertThat(tests).hasSize(4);
        assertThat(tests.get(2).get("name").asText()).isEqualTo("faults > FAULT-1");
        assertThat(tests.get(2).get("result").asText()).isEqualTo("blocked");
        assertThat(tests.get(2).get("blocked_by").asText()).isEqualTo("STATS-5");
        assertThat(tests.get(2).get("requirements")).containsExactly(TextNode.valueOf("FAULT-1"));
    }

    @Test
    void schemaCheckCatchesAMissingOrUnknownField() throws Exception {
        ObjectNode json = (ObjectNode) ReportSchema.JSON.readTree(JsonReport.render(result(
                test("STATE-1", "state", TestResult.Status.PASSED, null))));
        ((ObjectNode) json.get("summary")).remove("blocked");
        json.put("surprise", 1);
        ((ObjectNode) json.get("tests").get(0)).put("result", "maybe");
        assertThat(ReportSchema.violations(json)).containsExactlyInAnyOrder(
                "$.summary: required field 'blocked' is missing",
                "$: field 'surprise' is not in the schema",
                "$.tests[0].result: \"maybe\" is not one of [\"passed\",\"failed\",\"blocked\",\"skipped\"]");
    }

    @Test
    void blockedTestsMakeTheVerdictFailEvenWithoutAFailure() {
        RunResult result = result(test("STATE-1", "state", TestResult.Status.PASSED, null),
                new TestResult("stats > STATS-1", List.of("STATS-1"), "stats", List.of(), TestResult.Status.BLOCKED,
                        Duration.ZERO, Optional.of("blocked by STATS-5: refused"), Optional.of("STATS-5")));
        assertThat(result.passed()).isFalse();
        assertThat(result.failedRequirements()).isEmpty();
        assertThat(result.blockedRequirements()).containsExactly("STATS-1");
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
