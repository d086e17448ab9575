package io.cinderblock.driver.lvm;

import static java.util.Objects.requireNonNull;

/**
 * What a remote command produced.
 *
 * @param exitStatus the remote exit status
 * @param stdout standard output (what the driver parses)
 * @param stderr standard error (logged, quoted in errors)
 */
record CommandResult(int exitStatus, String stdout, String stderr) {

    CommandResult {
        requireNonNull(stdout, "stdout is null");
        requireNonNull(stderr, "stderr is null");
    }

    /** Whether the command exited with status 0. */
    boolean succeeded() {
        return exitStatus == 0;
    }

    /** The last non-blank line of stderr, trimmed: usually LVM's own reason. */
    String lastErrorLine() {
        String[] lines = stderr.strip().split("\n");
        for (int i = lines.length - 1; i >= 0; i--) {
            if (!lines[i].isBlank() && !lines[i].contains("WARNING: Activation disabled")) {
                return lines[i].strip();
            }
        }
        return "(no error output)";
    }
}
