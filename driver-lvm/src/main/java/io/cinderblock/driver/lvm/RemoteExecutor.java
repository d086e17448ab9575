package io.cinderblock.driver.lvm;

import static java.util.Objects.requireNonNull;

import java.lang.System.Logger.Level;
import java.time.Duration;

/**
 * Runs commands with the backend's command deadline and logs them: the command (secrets masked)
 * at debug level, stderr at debug level on success and at info level on failure. Stdout is the
 * caller's to parse.
 */
final class RemoteExecutor {
    private final CommandRunner runner;
    private final Duration timeout;
    private final System.Logger log;

    RemoteExecutor(CommandRunner runner, Duration timeout, System.Logger log) {
        this.runner = requireNonNull(runner, "runner is null");
        this.timeout = requireNonNull(timeout, "timeout is null");
        this.log = requireNonNull(log, "log is null");
    }

    /** Runs {@code command} within the command deadline. */
    CommandResult run(RemoteCommand command) {
        log.log(Level.DEBUG, "Running on the LVM host: {0}", command.display());
        CommandResult result = runner.run(command, timeout);
        if (!result.stderr().isBlank()) {
            // Failures reach the caller as exceptions with LVM's reason; the full stderr is kept here.
            log.log(result.succeeded() ? Level.DEBUG : Level.INFO, "{0} exited {1}; stderr: {2}",
                    command.program(), result.exitStatus(), result.stderr().strip());
        }
        return result;
    }
}
