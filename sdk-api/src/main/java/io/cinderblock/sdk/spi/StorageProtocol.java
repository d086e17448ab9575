package io.cinderblock.sdk.spi;

import io.cinderblock.sdk.ApiStatus;
import java.util.Arrays;
import java.util.Optional;

/** The storage protocols Cinder's scheduler knows, with Cinder's exact spelling. */
@ApiStatus(value = ApiStatus.Status.STABLE, since = "0.1")
public enum StorageProtocol {
    ISCSI("iSCSI"),
    FC("FC"),
    NFS("NFS"),
    NVME_OF("NVMe-oF"),
    ISER("iSER"),
    CEPH("ceph"),
    SCALEIO("scaleio");

    private final String wireValue;

    StorageProtocol(String wireValue) {
        this.wireValue = wireValue;
    }

    /** The value of Cinder's {@code storage_protocol} stats key. */
    public String wireValue() {
        return wireValue;
    }

    /** The protocol whose {@link #wireValue()} this is, if any. */
    public static Optional<StorageProtocol> fromWireValue(String value) {
        return Arrays.stream(values()).filter(p -> p.wireValue.equals(value)).findFirst();
    }
}
