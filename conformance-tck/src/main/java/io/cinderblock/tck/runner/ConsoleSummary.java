package io.cinderblock.tck.runner;

import io.cinderblock.sdk.spi.Capability;
import io.cinderblock.tck.Requirements;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The closing summary: a matrix of what was tested (each requirement group, then each capability,
 * declared or not) against how it ended, with the reason for skips, then the failed requirements.
 */
final class ConsoleSummary {
    private ConsoleSummary() {}

    /** One row of the matrix. */
    record Row(String name, String declared, long passed, long failed, long blocked, long skipped, String note) {}

    /** The matrix rows: groups first, then capabilities. */
    static List<Row> matrix(RunResult result) {
        List<Row> rows = new ArrayList<>();
        for (String group : Requirements.GROUPS) {
            rows.add(row(result, group, "", t -> t.group().equals(group)));
        }
        for (Capability capability : Capability.values()) {
            boolean declared = result.descriptor().supports(capability);
            Row row = row(result, "capability " + capability.wireName(), declared ? "declared" : "not declared",
                    t -> t.capabilities().contains(capability.wireName()));
            if (!declared && row.failed() == 0) {
                row = new Row(row.name(), row.declared(), row.passed(), row.failed(), row.blocked(), row.skipped(),
                        "refusal checked by CAP-1");
            }
            rows.add(row);
        }
        return rows;
    }

    private static Row row(RunResult result, String name, String declared, Predicate<TestResult> filter) {
        List<TestResult> tests = result.tests().stream().filter(filter).collect(java.util.stream.Collectors.toList());
        long passed = tests.stream().filter(t -> t.status() == TestResult.Status.PASSED).count();
        long failed = tests.stream().filter(t -> t.status() == TestResult.Status.FAILED).count();
        long blocked = tests.stream().filter(t -> t.status() == TestResult.Status.BLOCKED).count();
        long skipped = tests.stream().filter(t -> t.status() == TestResult.Status.SKIPPED).count();
        String note = tests.stream().filter(t -> t.status() == TestResult.Status.BLOCKED)
                .map(t -> "blocked by " + t.blockedBy().orElse("?")).findFirst()
                .or(() -> tests.stream().filter(t -> t.status() == TestResult.Status.SKIPPED)
                        .map(t -> t.message().orElse("skipped")).findFirst())
                .orElse(tests.isEmpty() ? "not run" : "");
        return new Row(name, declared, passed, failed, blocked, skipped, note);
    }

    static void print(RunResult result, PrintStream out) {
        out.println();
        out.printf("cinderblock TCK %s (SDK %s, SPI %s): driver '%s' %s by %s, backend '%s'%n", Versions.tck(),
                Versions.sdk(), Versions.spi(), result.descriptor().id(), result.descriptor().driverVersion(),
                result.descriptor().vendorName(), result.backendName());
        out.printf("%-34s %-13s %6s %6s %7s %7s  %s%n", "tested", "declared", "passed", "failed", "blocked",
                "skipped", "note");
        for (Row row : matrix(result)) {
            out.printf("%-34s %-13s %6d %6d %7d %7d  %s%n", row.name(), row.declared(), row.passed(), row.failed(),
                    row.blocked(), row.skipped(), row.note());
        }
        out.println();
        result.requirements().stream()
                .filter(r -> r.status() == RequirementResult.Status.FAILED)
                .forEach(r -> out.printf("FAILED %-9s %s%n       %s%n", r.requirement().id(), r.requirement().text(),
                        r.message().orElse("").replace("\n", "\n       ")));
        result.requirements().stream()
                .filter(r -> r.status() == RequirementResult.Status.BLOCKED)
                .forEach(r -> out.printf("BLOCKED %-8s by %s%n", r.requirement().id(), r.blockedBy().orElse("?")));
        out.printf("%d passed, %d failed, %d blocked by a failure, %d skipped in %.1f s: %s%n",
                result.count(TestResult.Status.PASSED), result.count(TestResult.Status.FAILED),
                result.count(TestResult.Status.BLOCKED), result.count(TestResult.Status.SKIPPED),
                result.duration().toMillis() / 1000.0, result.passed() ? "CONFORMANT" : "NOT CONFORMANT");
    }
}
