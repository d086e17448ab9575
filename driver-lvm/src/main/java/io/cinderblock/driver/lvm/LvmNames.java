package io.cinderblock.driver.lvm;

import io.cinderblock.sdk.error.CinderblockException;
import io.cinderblock.sdk.error.ErrorCode;
import java.util.regex.Pattern;

/**
 * The names the driver passes to LVM and tgt, checked against strict patterns before any command
 * is built. A name that fails is refused with {@link ErrorCode#INVALID_ARGUMENT} and nothing runs.
 *
 * <p>The patterns are a subset of what the tools accept: LVM allows {@code [A-Za-z0-9+_.-]} and
 * forbids a leading {@code -}; we also forbid a leading {@code .} and {@code +} and cap the length,
 * so a name can never be read as an option, a relative path or shell syntax.
 */
final class LvmNames {
    /** A volume group or logical volume name. */
    static final Pattern LVM_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.+-]{0,119}");
    /** An iSCSI qualified name as tgt stores it. */
    static final Pattern IQN = Pattern.compile("iqn\\.\\d{4}-\\d{2}\\.[a-z0-9][a-z0-9.-]*(:[A-Za-z0-9_.:-]+)?");

    private LvmNames() {}

    /** Checks a logical volume name; {@code what} says where it came from ("volume name"). */
    static String logicalVolume(String name, String what) {
        return check(name, LVM_NAME, what);
    }

    /** Checks an iSCSI name; {@code what} says where it came from ("initiator"). */
    static String iqn(String name, String what) {
        return check(name, IQN, what);
    }

    private static String check(String name, Pattern pattern, String what) {
        if (name == null || !pattern.matcher(name).matches()) {
            String shown = name == null ? "null" : "'" + RemoteCommand.printable(name) + "'";
            throw new CinderblockException(ErrorCode.INVALID_ARGUMENT, "Invalid " + what + " " + shown
                    + ": it must match " + pattern.pattern() + "; nothing was run on the LVM host");
        }
        return name;
    }
}
