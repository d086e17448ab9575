package io.cinderblock.driver.lvm;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.error.CinderblockException;
import io.cinderblock.sdk.error.ErrorCode;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One command line to run on the LVM host: a program and its arguments, each checked and quoted
 * for a POSIX shell.
 *
 * <p>SSH hands the remote side a single string that the user's shell parses, so the driver builds
 * that string itself and trusts nothing: every argument is wrapped in single quotes (inside which
 * the shell interprets nothing), and an argument that contains a single quote or a control
 * character (newline, NUL, ...) is refused before anything is sent. Names that come from callers
 * (volumes, targets) are checked against stricter patterns in {@link LvmNames} on top of this.
 *
 * <p>Arguments marked secret (CHAP passwords) are masked in {@link #display()}, which is what logs
 * and error messages show.
 */
final class RemoteCommand {
    private static final Pattern SAFE_ARGUMENT = Pattern.compile("[^'\\p{Cntrl}]*");
    private static final Pattern PROGRAM = Pattern.compile("[a-z][a-z0-9_-]*");

    private final String program;
    private final List<String> arguments;
    private final List<Boolean> secret;

    private RemoteCommand(String program, List<String> arguments, List<Boolean> secret) {
        this.program = program;
        this.arguments = List.copyOf(arguments);
        this.secret = List.copyOf(secret);
    }

    /** Starts a command for {@code program}, a bare program name such as {@code lvcreate}. */
    static Builder of(String program) {
        requireNonNull(program, "program is null");
        if (!PROGRAM.matcher(program).matches()) {
            throw new IllegalArgumentException("Program name '" + program + "' must match " + PROGRAM.pattern());
        }
        return new Builder(program);
    }

    /** The program to run. */
    String program() {
        return program;
    }

    /** The arguments, unquoted. */
    List<String> arguments() {
        return arguments;
    }

    /**
     * The shell command line: {@code LC_ALL=C} (stable, parseable output), no LVM descriptor-leak
     * chatter, then the optional privilege prefix, then the quoted program and arguments.
     */
    String toShell(boolean sudo) {
        StringBuilder line = new StringBuilder("LC_ALL=C LVM_SUPPRESS_FD_WARNINGS=1 ");
        if (sudo) {
            line.append("sudo -n ");
        }
        line.append(quote(program));
        for (String argument : arguments) {
            line.append(' ').append(quote(argument));
        }
        return line.toString();
    }

    /** The command as shown in logs and messages: secret arguments replaced by {@code ***}. */
    String display() {
        StringBuilder line = new StringBuilder(program);
        for (int i = 0; i < arguments.size(); i++) {
            line.append(' ').append(secret.get(i) ? "***" : arguments.get(i));
        }
        return line.toString();
    }

    @Override
    public String toString() {
        return display();
    }

    private static String quote(String argument) {
        return "'" + argument + "'";
    }

    /**
     * Refuses an argument that single quotes cannot carry safely.
     *
     * @throws CinderblockException {@link ErrorCode#INVALID_ARGUMENT}
     */
    static void checkQuotable(String argument, boolean secret) {
        requireNonNull(argument, "argument is null");
        if (!SAFE_ARGUMENT.matcher(argument).matches()) {
            String shown = secret ? "(value hidden)" : "'" + printable(argument) + "'";
            throw new CinderblockException(ErrorCode.INVALID_ARGUMENT, "Refusing to send argument " + shown
                    + " to the LVM host: it contains a single quote or a control character");
        }
    }

    /** Makes control characters visible in messages, so a hostile newline does not forge log lines. */
    static String printable(String text) {
        StringBuilder out = new StringBuilder();
        text.codePoints().forEach(c -> {
            if (Character.isISOControl(c)) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.toString();
    }

    /** Builds a {@link RemoteCommand}. */
    static final class Builder {
        private final String program;
        private final List<String> arguments = new ArrayList<>();
        private final List<Boolean> secret = new ArrayList<>();

        private Builder(String program) {
            this.program = program;
        }

        /** Adds arguments that are shown in logs. */
        Builder arg(String... values) {
            for (String value : values) {
                add(value, false);
            }
            return this;
        }

        /** Adds arguments when {@code condition} holds. */
        Builder argIf(boolean condition, String... values) {
            return condition ? arg(values) : this;
        }

        /** Adds an argument that is masked in logs and messages. */
        Builder secretArg(String value) {
            return add(value, true);
        }

        private Builder add(String value, boolean isSecret) {
            checkQuotable(value, isSecret);
            arguments.add(value);
            secret.add(isSecret);
            return this;
        }

        RemoteCommand build() {
            return new RemoteCommand(program, arguments, secret);
        }
    }
}
