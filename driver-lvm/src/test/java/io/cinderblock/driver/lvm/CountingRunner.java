package io.cinderblock.driver.lvm;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A hand-written spy: passes commands to another runner and remembers each one it was given. */
final class CountingRunner implements CommandRunner {
    private final CommandRunner delegate;
    private final List<RemoteCommand> commands = new CopyOnWriteArrayList<>();

    CountingRunner(CommandRunner delegate) {
        this.delegate = delegate;
    }

    @Override
    public CommandResult run(RemoteCommand command, Duration timeout) {
        commands.add(command);
        return delegate.run(command, timeout);
    }

    /** Every command received so far, in order. */
    List<RemoteCommand> commands() {
        return List.copyOf(commands);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
