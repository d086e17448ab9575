package io.cinderblock.driver.lvm;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A simulated LVM host for unit tests: answers each program ({@code vgs}, {@code lvs}, ...) with a
 * scripted result and records every command. Used where real parts cannot go: thin pools (no
 * device-mapper here) and a hung SSH layer.
 */
final class ScriptedHost implements CommandRunner {
    private final Map<String, CommandResult> answers = new HashMap<>();
    private final List<RemoteCommand> commands = new CopyOnWriteArrayList<>();
    private volatile Duration hang = Duration.ZERO;

    /** Answers {@code program} with exit status 0 and this stdout. */
    ScriptedHost answer(String program, String stdout) {
        answers.put(program, new CommandResult(0, stdout, ""));
        return this;
    }

    /** Answers {@code program} with this result. */
    ScriptedHost answer(String program, CommandResult result) {
        answers.put(program, result);
        return this;
    }

    /** Makes every command block this long, ignoring its timeout, as a hung SSH layer would. */
    ScriptedHost hang(Duration duration) {
        this.hang = duration;
        return this;
    }

    @Override
    public CommandResult run(RemoteCommand command, Duration timeout) {
        commands.add(command);
        if (!hang.isZero()) {
            try {
                Thread.sleep(hang.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SshFailureException(SshFailureException.Kind.COMMAND_TIMED_OUT, "interrupted", e);
            }
        }
        CommandResult answer = answers.get(command.program());
        if (answer == null) {
            throw new AssertionError("The scripted host has no answer for '" + command.display() + "'");
        }
        return answer;
    }

    /** The commands received, in order. */
    List<RemoteCommand> commands() {
        return List.copyOf(commands);
    }

    /** The commands received for one program. */
    List<RemoteCommand> commands(String program) {
        return commands.stream().filter(c -> c.program().equals(program)).toList();
    }

    @Override
    public void close() {}
}
