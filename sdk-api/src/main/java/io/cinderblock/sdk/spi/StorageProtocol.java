package io.cinderblock.sdk.spi;

import io.cinderblock.sdk.ApiStatus;
import java.util.Arrays;
import java.util.Optional;

/**
 * The storage protocols Cinder's scheduler knows, with Cinder's exact spelling ({@link
 * #wireValue()}). Declared in {@link DriverDescriptor#storageProtocol()} and reported as {@code
 * storage_protocol} in {@link BackendStats}.
 *
 * @since 0.1
 */
@ApiStatus(value = ApiStatus.Status.STABLE, since = "0.1")
public enum StorageProtocol {
    /**
     * iSCSI ({@code iSCSI}).
     *
     * @since 0.1
     */
    ISCSI("iSCSI"),
    /**
     * Fibre Channel ({@code FC}).
     *
     * @since 0.1
     */
    FC("FC"),
    /**
     * NFS ({@code NFS}).
     *
     * @since 0.1
     */
    NFS("NFS"),
    /**
     * NVMe over Fabrics ({@code NVMe-oF}).
     *
     * @since 0.1
     */
    NVME_OF("NVMe-oF"),
    /**
     * iSCSI Extensions for RDMA ({@code iSER}).
     *
     * @since 0.1
     */
    ISER("iSER"),
    /**
     * Ceph RBD ({@code ceph}).
     *
     * @since 0.1
     */
    CEPH("ceph"),
    /**
     * Dell PowerFlex / ScaleIO ({@code scaleio}).
     *
     * @since 0.1
     */
    SCALEIO("scaleio");

    private final String wireValue;

    StorageProtocol(String wireValue) {
        this.wireValue = wireValue;
    }

    /**
     * {@return the value of Cinder's {@code storage_protocol} stats key, e.g. {@code iSCSI}}
     *
     * @since 0.1
     */
    public String wireValue() {
        return wireValue;
    }

    /**
     * The protocol whose {@link #wireValue()} this is, matched exactly (case-sensitive, as Cinder).
     *
     * @param value a {@code storage_protocol} value; {@code null} matches nothing
     * @return the protocol, or empty if Cinder has no such constant
     * @since 0.1
     */
    public static Optional<StorageProtocol> fromWireValue(String value) {
        return Arrays.stream(values()).filter(p -> p.wireValue.equals(value)).findFirst();
    }
}
