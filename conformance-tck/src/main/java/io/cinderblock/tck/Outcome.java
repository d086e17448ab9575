package io.cinderblock.tck;

import java.time.Duration;
import java.util.Optional;

/**
 * What one timed driver call did: returned a value, threw, or was still running at its limit
 * (the call is then abandoned on its daemon thread).
 *
 * @param what the call, for messages: {@code "backendState()"}
 * @param value the result, if it returned
 * @param thrown what it threw, if it threw
 * @param elapsed how long the kit waited
 * @param timedOut whether it was still running at the limit
 * @param <T> the result type
 */
record Outcome<T>(String what, Optional<T> value, Optional<Throwable> thrown, Duration elapsed, boolean timedOut) {

    /** Whether it returned (possibly {@code null}, which {@link #value()} shows as empty). */
    boolean returned() {
        return !timedOut && thrown.isEmpty();
    }

    /** The value, failing the test with a description of what happened instead. */
    T orFail() {
        if (timedOut) {
            throw new AssertionError(what + " did not return within " + Kit.millis(elapsed));
        }
        if (thrown.isPresent()) {
            throw new AssertionError(what + " threw " + Kit.describe(thrown.get()), thrown.get());
        }
        return value.orElseThrow(() -> new AssertionError(what + " returned null"));
    }

    /** A one-line account, for assertion messages. */
    String account() {
        if (timedOut) {
            return what + " was still running after " + Kit.millis(elapsed);
        }
        if (thrown.isPresent()) {
            return what + " threw " + Kit.describe(thrown.get()) + " after " + Kit.millis(elapsed);
        }
        return what + " returned " + value.map(String::valueOf).orElse("null") + " after " + Kit.millis(elapsed);
    }
}
