package io.cinderblock.tck;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.ApiStatus;
import org.opentest4j.TestAbortedException;

/**
 * Ends a test whose check became meaningless because another requirement already failed: stats the
 * SDK refused, a driver that does not open, a fault proxy that cannot be placed. JUnit sees an
 * aborted (skipped) test with the cause; the kit's reports count it as <em>blocked by</em> that
 * requirement, and a blocked test makes the verdict "not conformant" just as a failure does. One
 * defect thus turns one requirement red instead of many in unrelated groups.
 *
 * <p>Thrown by the kit's own checks; a fixture or a vendor's test has no reason to throw it.
 *
 * @since 0.1
 */
@ApiStatus(value = ApiStatus.Status.EXPERIMENTAL, since = "0.1")
public final class BlockedException extends TestAbortedException {
    private static final long serialVersionUID = 1L;

    /**
     * The message prefix reports recognise: {@code "blocked by STATS-5: ..."}.
     *
     * @since 0.1
     */
    public static final String PREFIX = "blocked by ";

    /** The id of the requirement whose failure blocks the test (serialized with the exception). */
    private final String blockedBy;

    /**
     * A test blocked by the failure of another requirement.
     *
     * @param blockedBy the id of the requirement whose failure blocks the test
     * @param cause what happened, for the report
     * @throws NullPointerException if either is null
     * @since 0.1
     */
    public BlockedException(String blockedBy, String cause) {
        super(PREFIX + requireNonNull(blockedBy, "blockedBy is null") + ": " + requireNonNull(cause, "cause is null"));
        this.blockedBy = blockedBy;
    }

    /**
     * The requirement this test waits on.
     *
     * @return the id of the requirement whose failure blocks the test, e.g. {@code "STATS-5"}
     * @since 0.1
     */
    public String blockedBy() {
        return blockedBy;
    }
}
