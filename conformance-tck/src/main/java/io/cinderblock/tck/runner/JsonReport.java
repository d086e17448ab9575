package io.cinderblock.tck.runner;

import io.cinderblock.sdk.spi.Capability;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Writes {@code tck-report.json}: the driver, the versions, a summary, the verdict per requirement
 * and every test. Hand-written (the kit has no JSON library), flat and stable in key order.
 */
final class JsonReport {
    private JsonReport() {}

    static void write(RunResult result, Path file) throws IOException {
        Files.writeString(file, render(result), StandardCharsets.UTF_8);
    }

    /** The report's last line before the closing brace when unsigned; {@link ReportSignature} replaces it. */
    static final String UNSIGNED = "  \"signature\": null\n}\n";

    static String render(RunResult result) {
        RunContext context = result.context();
        StringBuilder json = new StringBuilder();
        json.append("{\n");
        field(json, 1, "tck_version", Versions.tck(), true);
        field(json, 1, "tck_commit", Versions.commit(), true);
        field(json, 1, "sdk_version", Versions.sdk(), true);
        field(json, 1, "spi_version", Versions.spi(), true);
        field(json, 1, "entry_point", context.entryPoint(), true);
        json.append("  \"driver\": {\n");
        field(json, 2, "id", result.descriptor().id(), true);
        field(json, 2, "vendor_name", result.descriptor().vendorName(), true);
        field(json, 2, "driver_version", result.descriptor().driverVersion(), true);
        field(json, 2, "storage_protocol", result.descriptor().storageProtocol().wireValue(), true);
        json.append("    \"capabilities\": [").append(result.descriptor().capabilities().stream().sorted()
                .map(Capability::wireName).map(JsonReport::quote).collect(Collectors.joining(", "))).append("],\n");
        json.append("    \"artifacts\": [");
        List<DriverArtifact> artifacts = context.driverArtifacts();
        for (int i = 0; i < artifacts.size(); i++) {
            DriverArtifact a = artifacts.get(i);
            json.append(i == 0 ? "\n" : ",\n").append("      {\"name\": ").append(quote(a.name()))
                    .append(", \"kind\": ").append(quote(a.kind())).append(", \"sha256\": ").append(quote(a.sha256()))
                    .append('}');
        }
        json.append(artifacts.isEmpty() ? "]\n" : "\n    ]\n");
        json.append("  },\n");
        json.append("  \"device\": {\"model\": ").append(quote(context.device().model()))
                .append(", \"firmware\": ").append(quote(context.device().firmware()))
                .append(", \"simulated\": ").append(context.device().simulated())
                .append(", \"declared\": ").append(context.device().declared())
                .append(", \"description\": ").append(quote(context.device().describe())).append("},\n");
        field(json, 1, "backend_name", result.backendName(), true);
        json.append("  \"configuration\": ").append(object(context.configuration())).append(",\n");
        json.append("  \"device_faults\": [").append(context.deviceFaults().stream().map(JsonReport::quote)
                .collect(Collectors.joining(", "))).append("],\n");
        json.append("  \"tuning\": ").append(object(context.tuning())).append(",\n");
        json.append("  \"environment\": ").append(object(context.environment())).append(",\n");
        field(json, 1, "started_at", result.startedAt().toString(), true);
        field(json, 1, "finished_at", result.finishedAt().toString(), true);
        json.append("  \"duration_ms\": ").append(result.duration().toMillis()).append(",\n");
        json.append("  \"summary\": {\"verdict\": ").append(quote(result.passed() ? "passed" : "failed"))
                .append(", \"verdict_text\": ").append(quote(result.verdict()))
                .append(", \"passed\": ").append(result.count(TestResult.Status.PASSED))
                .append(", \"failed\": ").append(result.count(TestResult.Status.FAILED))
                .append(", \"blocked\": ").append(result.count(TestResult.Status.BLOCKED))
                .append(", \"skipped\": ").append(result.count(TestResult.Status.SKIPPED)).append("},\n");
        json.append("  \"capability_matrix\": [\n");
        List<ConsoleSummary.Row> rows = ConsoleSummary.matrix(result);
        for (int i = 0; i < rows.size(); i++) {
            ConsoleSummary.Row row = rows.get(i);
            json.append("    {\"area\": ").append(quote(row.name()))
                    .append(", \"declared\": ").append(quote(row.declared()))
                    .append(", \"passed\": ").append(row.passed())
                    .append(", \"failed\": ").append(row.failed())
                    .append(", \"blocked\": ").append(row.blocked())
                    .append(", \"skipped\": ").append(row.skipped())
                    .append(", \"note\": ").append(quote(row.note()))
                    .append('}').append(i + 1 < rows.size() ? ",\n" : "\n");
        }
        json.append("  ],\n");
        json.append("  \"requirements\": [\n");
        List<RequirementResult> requirements = result.requirements();
        for (int i = 0; i < requirements.size(); i++) {
            RequirementResult r = requirements.get(i);
            json.append("    {\"id\": ").append(quote(r.requirement().id()))
                    .append(", \"group\": ").append(quote(r.requirement().group()))
                    .append(", \"capability\": ").append(r.requirement().capability().map(Capability::wireName)
                            .map(JsonReport::quote).orElse("null"))
                    .append(", \"result\": ").append(quote(r.status().name().toLowerCase(java.util.Locale.ROOT)))
                    .append(", \"duration_ms\": ").append(r.duration().toMillis())
                    .append(", \"message\": ").append(optional(r.message()))
                    .append(", \"blocked_by\": ").append(optional(r.blockedBy()))
                    .append(", \"text\": ").append(quote(r.requirement().text()))
                    .append('}').append(i + 1 < requirements.size() ? ",\n" : "\n");
        }
        json.append("  ],\n");
        json.append("  \"tests\": [\n");
        List<TestResult> tests = result.tests();
        for (int i = 0; i < tests.size(); i++) {
            TestResult t = tests.get(i);
            json.append("    {\"name\": ").append(quote(t.name()))
                    .append(", \"requirements\": [").append(t.requirements().stream().map(JsonReport::quote)
                            .collect(Collectors.joining(", "))).append(']')
                    .append(", \"group\": ").append(quote(t.group()))
                    .append(", \"result\": ").append(quote(t.status().name().toLowerCase(java.util.Locale.ROOT)))
                    .append(", \"duration_ms\": ").append(t.duration().toMillis())
                    .append(", \"message\": ").append(optional(t.message()))
                    .append(", \"blocked_by\": ").append(optional(t.blockedBy()))
                    .append('}').append(i + 1 < tests.size() ? ",\n" : "\n");
        }
        json.append("  ],\n");
        json.append(UNSIGNED);
        return json.toString();
    }

    private static void field(StringBuilder json, int depth, String key, String value, boolean comma) {
        json.append("  ".repeat(depth)).append(quote(key)).append(": ").append(quote(value)).append(comma ? ",\n" : "\n");
    }

    private static String object(java.util.Map<String, String> values) {
        return values.entrySet().stream().map(e -> quote(e.getKey()) + ": " + quote(e.getValue()))
                .collect(Collectors.joining(", ", "{", "}"));
    }

    private static String optional(Optional<String> value) {
        return value.map(JsonReport::quote).orElse("null");
    }

    /** A JSON string literal (RFC 8259 escaping). */
    static String quote(String text) {
        StringBuilder quoted = new StringBuilder("\"");
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"':
                    quoted.append("\\\"");
                    break;
                case '\\':
                    quoted.append("\\\\");
                    break;
                case '\n':
                    quoted.append("\\n");
                    break;
                case '\r':
                    quoted.append("\\r");
                    break;
                case '\t':
                    quoted.append("\\t");
                    break;
                default:
                    if (c < 0x20) {
                        quoted.append(String.format("\\u%04x", (int) c));
                    } else {
                        quoted.append(c);
                    }
            }
        }
        return quoted.append('"').toString();
    }
}
