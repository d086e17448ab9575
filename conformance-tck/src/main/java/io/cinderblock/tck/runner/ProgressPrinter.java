package io.cinderblock.tck.runner;

import java.io.PrintStream;
import java.util.Optional;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/** Prints one line per test as it finishes, so a long run shows where it is. */
final class ProgressPrinter implements TestExecutionListener {
    private final PrintStream out;
    private long total;
    private long done;

    ProgressPrinter(PrintStream out) {
        this.out = out;
    }

    @Override
    public void testPlanExecutionStarted(TestPlan plan) {
        total = plan.countTestIdentifiers(TestIdentifier::isTest);
        out.println("Running " + total + " conformance tests");
    }

    @Override
    public void executionStarted(TestIdentifier id) {
        if (id.isContainer() && id.getParentId().isPresent() && id.getSource().isPresent()) {
            out.println("== " + id.getDisplayName());
        }
    }

    @Override
    public void executionSkipped(TestIdentifier id, String reason) {
        if (id.isTest()) {
            line("SKIP", id, Optional.ofNullable(reason));
        }
    }

    @Override
    public void executionFinished(TestIdentifier id, TestExecutionResult result) {
        Optional<String> message = result.getThrowable().map(t -> firstLine(String.valueOf(t.getMessage())));
        if (id.isTest()) {
            boolean blocked = result.getThrowable().filter(io.cinderblock.tck.BlockedException.class::isInstance)
                    .isPresent();
            String word = result.getStatus() == TestExecutionResult.Status.SUCCESSFUL ? "PASS"
                    : blocked ? "BLKD" : result.getStatus() == TestExecutionResult.Status.ABORTED ? "SKIP" : "FAIL";
            line(word, id, word.equals("PASS") ? Optional.empty()
                    : message.map(ResultCollector::withoutAssumptionPrefix));
        } else if (result.getStatus() == TestExecutionResult.Status.FAILED) {
            out.println("   FAIL  setup of " + id.getDisplayName() + ": " + message.orElse(""));
        }
    }

    private void line(String word, TestIdentifier id, Optional<String> detail) {
        done++;
        out.printf("[%3d/%3d] %s  %s%s%n", done, total, word, id.getDisplayName(),
                detail.map(d -> "\n            " + d).orElse(""));
        out.flush();
    }

    private static String firstLine(String text) {
        String stripped = text.strip();
        int newline = stripped.indexOf('\n');
        return newline < 0 ? stripped : stripped.substring(0, newline) + " ...";
    }
}
