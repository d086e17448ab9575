package io.cinderblock.tck.runner;

import io.cinderblock.sdk.spi.Capability;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;

/**
 * Writes {@code tck-report.html}: a self-contained certification page (inline CSS, no scripts, no
 * external resources) that a vendor can publish next to the driver jar.
 */
final class HtmlReport {
    private HtmlReport() {}

    static void write(RunResult result, Path file) throws IOException {
        Files.writeString(file, render(result), StandardCharsets.UTF_8);
    }

    static String render(RunResult result) {
        String verdict = result.verdict();
        RunContext context = result.context();
        StringBuilder html = new StringBuilder();
        html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<title>cinderblock conformance: ").append(escape(result.descriptor().id())).append(' ')
                .append(escape(result.descriptor().driverVersion())).append("</title>\n")
                .append("<style>\n")
                .append("body{font-family:system-ui,sans-serif;margin:2em auto;max-width:70em;color:#222}\n")
                .append("table{border-collapse:collapse;width:100%;margin:1em 0}\n")
                .append("th,td{border:1px solid #ccc;padding:.3em .5em;text-align:left;vertical-align:top;font-size:.9em}\n")
                .append("th{background:#f3f3f3}\n.passed{color:#176f2c;font-weight:bold}\n")
                .append(".failed{color:#b00020;font-weight:bold}\n.skipped,.not_run{color:#8a6d00}\n.blocked{color:#b05000;font-weight:bold}\n")
                .append(".verdict{font-size:1.6em;padding:.4em .8em;border-radius:.3em;display:inline-block}\n")
                .append(".ok{background:#e3f4e6}.bad{background:#fbe3e6}\npre{white-space:pre-wrap;margin:0}\n")
                .append(".simulated{background:#fff3cd;border:2px solid #8a6d00;padding:.5em;font-weight:bold}\n")
                .append("</style>\n</head>\n<body>\n");
        html.append("<h1>cinderblock driver conformance report</h1>\n");
        html.append("<p class=\"verdict ").append(result.passed() ? "ok" : "bad").append("\">").append(verdict)
                .append("</p>\n");
        if (context.device().simulated()) {
            html.append("<p class=\"simulated\">Simulated device: this run talked to a simulator (")
                    .append(escape(context.device().model()))
                    .append("), not to storage hardware. It certifies the driver's behaviour against the simulator only.</p>\n");
        }
        html.append("<table>\n");
        row(html, "Driver", result.descriptor().id() + " " + result.descriptor().driverVersion());
        row(html, "Vendor", result.descriptor().vendorName());
        row(html, "Storage protocol", result.descriptor().storageProtocol().wireValue());
        row(html, "Declared capabilities", result.descriptor().capabilities().stream().sorted()
                .map(Capability::wireName).collect(Collectors.joining(", ")));
        row(html, "Device under test", context.device().describe());
        row(html, "Backend", result.backendName());
        row(html, "Configuration (secrets masked)", context.configuration().entrySet().stream()
                .map(e -> e.getKey() + " = " + e.getValue()).collect(Collectors.joining("\n")));
        row(html, "Driver jars (SHA-256)", context.driverArtifacts().isEmpty() ? "none recorded"
                : context.driverArtifacts().stream().map(a -> a.name() + "  " + a.sha256())
                        .collect(Collectors.joining("\n")));
        row(html, "Device-level faults", context.deviceFaults().isEmpty() ? "none (FAULT-8 skipped)"
                : String.join(", ", context.deviceFaults()));
        row(html, "Environment", context.environment().get("jdk_vendor") + " JDK "
                + context.environment().get("jdk_version") + " on " + context.environment().get("os_name") + " "
                + context.environment().get("os_version") + " (" + context.environment().get("os_arch") + ")");
        row(html, "Entry point", context.entryPoint());
        row(html, "Kit", "cinderblock TCK " + Versions.tck() + " (commit " + Versions.commit() + ") on SDK "
                + Versions.sdk() + " (SPI " + Versions.spi() + ")");
        row(html, "Run", result.startedAt() + " to " + result.finishedAt() + " (" + result.duration().toMillis()
                + " ms)");
        row(html, "Tests", result.count(TestResult.Status.PASSED) + " passed, " + result.count(TestResult.Status.FAILED)
                + " failed, " + result.count(TestResult.Status.BLOCKED) + " blocked by a failure, "
                + result.count(TestResult.Status.SKIPPED) + " skipped");
        html.append("</table>\n");

        html.append("<h2>What was tested</h2>\n<table>\n<tr><th>Area</th><th>Declared</th><th>Passed</th>")
                .append("<th>Failed</th><th>Blocked</th><th>Skipped</th><th>Note</th></tr>\n");
        for (ConsoleSummary.Row row : ConsoleSummary.matrix(result)) {
            html.append("<tr><td>").append(escape(row.name())).append("</td><td>").append(escape(row.declared()))
                    .append("</td><td>").append(row.passed()).append("</td><td")
                    .append(row.failed() > 0 ? " class=\"failed\"" : "").append('>').append(row.failed())
                    .append("</td><td").append(row.blocked() > 0 ? " class=\"blocked\"" : "").append('>')
                    .append(row.blocked())
                    .append("</td><td>").append(row.skipped()).append("</td><td>").append(escape(row.note()))
                    .append("</td></tr>\n");
        }
        html.append("</table>\n");

        html.append("<h2>Requirements</h2>\n<table>\n<tr><th>Id</th><th>Requirement</th><th>Result</th>")
                .append("<th>ms</th><th>Detail</th></tr>\n");
        for (RequirementResult r : result.requirements()) {
            String status = r.status().name().toLowerCase(java.util.Locale.ROOT);
            html.append("<tr><td>").append(escape(r.requirement().id())).append("</td><td>")
                    .append(escape(r.requirement().text())).append("</td><td class=\"").append(status).append("\">")
                    .append(status.replace('_', ' ')).append("</td><td>").append(r.duration().toMillis())
                    .append("</td><td><pre>").append(escape(r.message().orElse(""))).append("</pre></td></tr>\n");
        }
        html.append("</table>\n");
        html.append("<p>Requirements are defined in the kit's REQUIREMENTS.md. Tests ran against the device and")
                .append(" backend named above. A signed tck-report.json is checked with the kit's <code>verify</code>")
                .append(" command; this page is a rendering of it.</p>\n");
        html.append("</body>\n</html>\n");
        return html.toString();
    }

    private static void row(StringBuilder html, String key, String value) {
        html.append("<tr><th>").append(escape(key)).append("</th><td><pre>").append(escape(value))
                .append("</pre></td></tr>\n");
    }

    static String escape(String text) {
        StringBuilder escaped = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '<':
                    escaped.append("&lt;");
                    break;
                case '>':
                    escaped.append("&gt;");
                    break;
                case '&':
                    escaped.append("&amp;");
                    break;
                case '"':
                    escaped.append("&quot;");
                    break;
                case '\'':
                    escaped.append("&#39;");
                    break;
                default:
                    escaped.append(c);
            }
        }
        return escaped.toString();
    }
}
