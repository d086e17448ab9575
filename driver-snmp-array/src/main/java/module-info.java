/**
 * The {@code snmp-array} driver: monitors (and, where the profile's MIB allows, provisions) a
 * storage array over SNMP v2c and v3, with snmp4j.
 */
module io.cinderblock.driver.snmp {
    requires io.cinderblock.sdk;
    requires org.snmp4j;

    provides io.cinderblock.sdk.spi.VolumeDriverProvider with io.cinderblock.driver.snmp.SnmpArrayDriverProvider;
}
