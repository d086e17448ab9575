package io.cinderblock.driver.snmp;

import java.util.Arrays;
import java.util.Optional;
import org.snmp4j.security.PrivAES128;
import org.snmp4j.security.PrivAES192;
import org.snmp4j.security.PrivAES256;
import org.snmp4j.security.PrivDES;
import org.snmp4j.security.PrivacyProtocol;

/**
 * The SNMP v3 privacy protocols the driver offers. AES-192 and AES-256 use the Blumenthal key
 * extension (draft-blumenthal-aes-usm), which is what net-snmp's {@code AES-192}/{@code AES-256}
 * do. DES is outside snmp4j's default set and needs explicit configuration, with a warning.
 */
enum PrivProtocol {
    AES_128("AES-128", false),
    AES_192("AES-192", false),
    AES_256("AES-256", false),
    DES("DES", true),
    NONE("none", false);

    private final String wireName;
    private final boolean legacy;

    PrivProtocol(String wireName, boolean legacy) {
        this.wireName = wireName;
        this.legacy = legacy;
    }

    /** The option value, e.g. {@code AES-128}. */
    String wireName() {
        return wireName;
    }

    /** Whether the protocol is broken enough that using it deserves a warning. */
    boolean legacy() {
        return legacy;
    }

    /** A fresh snmp4j implementation, empty for {@link #NONE}. */
    Optional<PrivacyProtocol> create() {
        switch (this) {
            case AES_128:
                return Optional.of(new PrivAES128());
            case AES_192:
                return Optional.of(new PrivAES192());
            case AES_256:
                return Optional.of(new PrivAES256());
            case DES:
                return Optional.of(new PrivDES());
            case NONE:
                return Optional.empty();
            default:
                throw new AssertionError(this);
        }
    }

    static Optional<PrivProtocol> fromWireName(String name) {
        return Arrays.stream(values()).filter(p -> p.wireName.equalsIgnoreCase(name)).findFirst();
    }

    static String[] wireNames() {
        return Arrays.stream(values()).map(PrivProtocol::wireName).toArray(String[]::new);
    }
}
