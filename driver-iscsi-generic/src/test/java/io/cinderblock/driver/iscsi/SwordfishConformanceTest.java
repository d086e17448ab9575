package io.cinderblock.driver.iscsi;

import com.github.tomakehurst.wiremock.http.Fault;
import io.cinderblock.tck.DeviceFault;
import io.cinderblock.tck.TckFixture;
import io.cinderblock.tck.VolumeDriverConformanceKit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The cinderblock conformance kit ({@code conformance-tck}) run on this driver, against the
 * <b>simulated</b> Swordfish array of {@link SwordfishArrayFixture} (WireMock on 127.0.0.1).
 *
 * <p>Plain HTTP: the kit's fault proxy presents 127.0.0.1, which a certificate issued for the
 * array's own name would not match; TLS is covered by {@link TlsTest}. The timeouts are the
 * driver's defaults (3 s connect, 5 s request: state deadline 14 s), so the kit checks the
 * configuration operators run, and its "slow" fault (1 s per chunk) stays well inside the probe's
 * budget even on the first probe, which logs in and discovers the storage (four requests).
 *
 * <p>The kit reroutes {@code swordfish_url} (declared {@code EndpointRole.URL} over TCP) through
 * its fault proxy for the refused / reset / stall / slow faults. The device-level faults below
 * (FAULT-8) are the array's own failures, reported through Redfish. The array is stopped after
 * the run, after the kit has deleted every volume and connection it created.
 */
class SwordfishConformanceTest extends VolumeDriverConformanceKit {

    @Override
    protected TckFixture fixture() {
        SwordfishArrayFixture array = SwordfishArrayFixture.http();
        try {
            Map<String, String> config = new LinkedHashMap<>(array.driverConfig());
            List.of(SwordfishDriverProvider.CONNECT_TIMEOUT, SwordfishDriverProvider.REQUEST_TIMEOUT,
                    SwordfishDriverProvider.TASK_TIMEOUT).forEach(config::remove);
            return TckFixture.forDriver(SwordfishDriverProvider.DRIVER_ID)
                    .backendName("swordfish-conformance")
                    .config(config)
                    .deviceFault(DeviceFault.of("storage Health Critical",
                            () -> array.array().setStorageStatus("Enabled", "Critical"), array::heal))
                    .deviceFault(DeviceFault.of("storage State StandbyOffline",
                            () -> array.array().setStorageStatus("StandbyOffline", "OK"), array::heal))
                    .deviceFault(DeviceFault.of("connection reset by the array",
                            () -> array.breakWith(Fault.CONNECTION_RESET_BY_PEER), array::heal))
                    .deviceFault(DeviceFault.of("HTTP 500 from the Redfish service",
                            () -> array.answer(500, "{\"error\":{\"code\":\"Base.1.8.InternalError\","
                                    + "\"message\":\"controller A failed\"}}"), array::heal))
                    .deviceFault(DeviceFault.of("session token rejected (HTTP 401 after renewal)",
                            array::rejectEveryToken, array::heal))
                    .closeAfterRun(array)
                    .build();
        } catch (RuntimeException | Error e) {
            array.close();
            throw e;
        }
    }
}
