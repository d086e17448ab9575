package io.cinderblock.driver.iscsi;

import io.cinderblock.sdk.support.SecretScrubber;
import java.text.MessageFormat;
import java.util.ResourceBundle;

/**
 * The host's logger with every line passed through the backend's {@link SecretScrubber} first: log
 * lines may quote an array's answer, and arrays echo requests (credentials included) in errors.
 */
final class ScrubbingLogger implements System.Logger {
    private final System.Logger delegate;
    private final SecretScrubber scrubber;

    ScrubbingLogger(System.Logger delegate, SecretScrubber scrubber) {
        this.delegate = delegate;
        this.scrubber = scrubber;
    }

    @Override
    public String getName() {
        return delegate.getName();
    }

    @Override
    public boolean isLoggable(Level level) {
        return delegate.isLoggable(level);
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
        if (thrown != null && scrubber.leaksFrom(thrown)) {
            // The stack trace would print the secret: keep only the scrubbed text of the error.
            delegate.log(level, bundle, scrubber.scrub(msg + ": " + thrown), (Throwable) null);
            return;
        }
        delegate.log(level, bundle, scrubber.scrub(msg), thrown);
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String format, Object... params) {
        String text = params == null || params.length == 0 ? format : MessageFormat.format(format, params);
        delegate.log(level, bundle, scrubber.scrub(text), (Throwable) null);
    }
}
