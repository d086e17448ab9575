package io.cinderblock.driver.lvm;

import java.time.Duration;

/**
 * Runs commands on the LVM host. The production implementation is {@link JschCommandRunner}; tests
 * substitute recorded hosts. Implementations are thread-safe.
 */
interface CommandRunner extends AutoCloseable {

    /**
     * Runs {@code command} and waits at most {@code timeout} for it to finish.
     *
     * @return the exit status and output, whatever the exit status
     * @throws SshFailureException the host could not be reached, refused us, or the command did
     *     not finish in time
     */
    CommandResult run(RemoteCommand command, Duration timeout);

    /** Closes connections; idempotent, never throws. */
    @Override
    void close();
}
