package io.cinderblock.tck;

import static java.util.Objects.requireNonNull;

import org.opentest4j.TestAbortedException;

/**
 * Ends a test whose check became meaningless because another requirement already failed: stats the
 * SDK refused, a driver that does not open, a fault proxy that cannot be placed. JUnit sees an
 * aborted (skipped) test with the cause; the kit's reports count it as <em>blocked by</em> that
 * requirement, and a blocked test makes the verdict "not conformant" just as a failure does. One
 * defect thus turns one requirement red instead of many in unrelated groups.
 */
public final class BlockedException extends TestAbortedException {
    private static final long serialVersionUID = 1L;

    /** The message prefix reports recognise: {@code "blocked by STATS-5: ..."}. */
    public static final String PREFIX = "blocked by ";

    private final String blockedBy;

    /**
     * @param blockedBy the id of the requirement whose failure blocks the test
     * @param cause what happened, for the report
     */
    public BlockedException(String blockedBy, String cause) {
        super(PREFIX + requireNonNull(blockedBy, "blockedBy is null") + ": " + requireNonNull(cause, "cause is null"));
        this.blockedBy = blockedBy;
    }

    /** The id of the requirement whose failure blocks the test. */
    public String blockedBy() {
        return blockedBy;
    }
}
