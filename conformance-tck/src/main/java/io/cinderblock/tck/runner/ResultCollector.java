package io.cinderblock.tck.runner;

import io.cinderblock.tck.BlockedException;
import io.cinderblock.tck.Requirements;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.TestTag;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * Turns the JUnit Platform's events into {@link TestResult}s. A container that fails (its {@code
 * fixture()} threw, say) fails every test below it that did not run, so a broken setup is never a
 * green report.
 */
final class ResultCollector implements TestExecutionListener {
    private final Map<String, Long> started = new ConcurrentHashMap<>();
    private final Set<String> recorded = ConcurrentHashMap.newKeySet();
    private final List<TestResult> results = Collections.synchronizedList(new ArrayList<>());
    private volatile TestPlan plan;

    @Override
    public void testPlanExecutionStarted(TestPlan testPlan) {
        this.plan = testPlan;
    }

    @Override
    public void executionStarted(TestIdentifier id) {
        started.put(id.getUniqueId(), System.nanoTime());
    }

    @Override
    public void executionSkipped(TestIdentifier id, String reason) {
        for (TestIdentifier test : testsAtOrBelow(id)) {
            record(test, TestResult.Status.SKIPPED, Optional.ofNullable(reason));
        }
    }

    @Override
    public void executionFinished(TestIdentifier id, TestExecutionResult result) {
        Optional<String> message = result.getThrowable().map(t -> String.valueOf(t.getMessage()).strip());
        if (id.isTest()) {
            switch (result.getStatus()) {
                case SUCCESSFUL:
                    record(id, TestResult.Status.PASSED, Optional.empty());
                    break;
                case ABORTED:
                    Optional<String> blockedBy = result.getThrowable().filter(BlockedException.class::isInstance)
                            .map(t -> ((BlockedException) t).blockedBy());
                    if (blockedBy.isPresent()) {
                        record(id, TestResult.Status.BLOCKED, message, blockedBy);
                    } else {
                        record(id, TestResult.Status.SKIPPED, message.map(ResultCollector::withoutAssumptionPrefix));
                    }
                    break;
                default:
                    record(id, TestResult.Status.FAILED, message);
                    break;
            }
        } else if (result.getStatus() == TestExecutionResult.Status.FAILED) {
            Optional<String> why = Optional.of("setup of '" + id.getDisplayName() + "' failed: "
                    + message.orElse("no message"));
            for (TestIdentifier test : testsAtOrBelow(id)) {
                record(test, TestResult.Status.FAILED, why);
            }
        }
    }

    /** JUnit prefixes skip reasons with "Assumption failed: "; reports show the reason alone. */
    static String withoutAssumptionPrefix(String message) {
        String prefix = "Assumption failed: ";
        return message.startsWith(prefix) ? message.substring(prefix.length()) : message;
    }

    private List<TestIdentifier> testsAtOrBelow(TestIdentifier id) {
        if (id.isTest() || plan == null) {
            return List.of(id);
        }
        return plan.getDescendants(id).stream().filter(TestIdentifier::isTest).collect(Collectors.toList());
    }

    private void record(TestIdentifier id, TestResult.Status status, Optional<String> message) {
        record(id, status, message, Optional.empty());
    }

    private void record(TestIdentifier id, TestResult.Status status, Optional<String> message,
            Optional<String> blockedBy) {
        if (!recorded.add(id.getUniqueId())) {
            return;
        }
        Long start = started.get(id.getUniqueId());
        Duration duration = start == null ? Duration.ZERO : Duration.ofNanos(System.nanoTime() - start);
        Set<String> tags = id.getTags().stream().map(TestTag::getName).collect(Collectors.toSet());
        if (plan != null) {
            // Tags of the enclosing nested class name the group.
            plan.getParent(id).ifPresent(parent -> parent.getTags().forEach(t -> tags.add(t.getName())));
        }
        List<String> requirements = tags.stream().filter(Requirements::isRequirementId).sorted()
                .collect(Collectors.toList());
        String group = tags.stream().filter(Requirements.GROUPS::contains).findFirst()
                .orElseGet(() -> requirements.stream().findFirst().flatMap(Requirements::byId)
                        .map(r -> r.group()).orElse("other"));
        List<String> capabilities = tags.stream()
                .filter(t -> io.cinderblock.sdk.spi.Capability.fromWireName(t).isPresent()).sorted()
                .collect(Collectors.toList());
        results.add(new TestResult(displayPath(id), requirements, group, capabilities, status, duration, message,
                blockedBy));
    }

    private String displayPath(TestIdentifier id) {
        if (plan == null) {
            return id.getDisplayName();
        }
        Optional<TestIdentifier> parent = plan.getParent(id);
        boolean nested = parent.flatMap(plan::getParent).flatMap(plan::getParent).isPresent();
        return nested ? parent.get().getDisplayName() + " > " + id.getDisplayName() : id.getDisplayName();
    }

    List<TestResult> results() {
        synchronized (results) {
            return List.copyOf(results);
        }
    }
}
