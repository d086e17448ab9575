/**
 * The generic Swordfish iSCSI driver: manages any storage array that speaks SNIA Swordfish (the
 * storage extension of DMTF Redfish) over HTTPS, and exports its volumes over iSCSI.
 */
module io.cinderblock.driver.iscsi {
    requires io.cinderblock.sdk;
    requires java.net.http;
    requires jdk.httpserver;
    requires com.fasterxml.jackson.databind;

    provides io.cinderblock.sdk.spi.VolumeDriverProvider with io.cinderblock.driver.iscsi.SwordfishDriverProvider;
}
