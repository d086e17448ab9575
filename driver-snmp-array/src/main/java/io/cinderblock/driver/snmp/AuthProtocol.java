package io.cinderblock.driver.snmp;

import java.util.Arrays;
import java.util.Optional;
import org.snmp4j.security.AuthHMAC128SHA224;
import org.snmp4j.security.AuthHMAC192SHA256;
import org.snmp4j.security.AuthHMAC256SHA384;
import org.snmp4j.security.AuthHMAC384SHA512;
import org.snmp4j.security.AuthMD5;
import org.snmp4j.security.AuthSHA;
import org.snmp4j.security.AuthenticationProtocol;

/**
 * The SNMP v3 authentication protocols the driver offers. The SHA-2 family is in snmp4j's default
 * protocol set; MD5 and SHA-1 are not (snmp4j 3.9 dropped them), so the driver adds them to its
 * own session only when configured, and warns.
 */
enum AuthProtocol {
    SHA_224("SHA-224", false),
    SHA_256("SHA-256", false),
    SHA_384("SHA-384", false),
    SHA_512("SHA-512", false),
    SHA_1("SHA-1", true),
    MD5("MD5", true);

    private final String wireName;
    private final boolean legacy;

    AuthProtocol(String wireName, boolean legacy) {
        this.wireName = wireName;
        this.legacy = legacy;
    }

    /** The option value, e.g. {@code SHA-256}. */
    String wireName() {
        return wireName;
    }

    /** Whether the protocol is broken enough that using it deserves a warning. */
    boolean legacy() {
        return legacy;
    }

    /** A fresh snmp4j implementation of the protocol. */
    AuthenticationProtocol create() {
        switch (this) {
            case SHA_224:
                return new AuthHMAC128SHA224();
            case SHA_256:
                return new AuthHMAC192SHA256();
            case SHA_384:
                return new AuthHMAC256SHA384();
            case SHA_512:
                return new AuthHMAC384SHA512();
            case SHA_1:
                return new AuthSHA();
            case MD5:
                return new AuthMD5();
            default:
                throw new AssertionError(this);
        }
    }

    static Optional<AuthProtocol> fromWireName(String name) {
        return Arrays.stream(values()).filter(p -> p.wireName.equalsIgnoreCase(name)).findFirst();
    }

    static String[] wireNames() {
        return Arrays.stream(values()).map(AuthProtocol::wireName).toArray(String[]::new);
    }
}
