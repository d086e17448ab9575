/**
 * A cinderblock driver for iSCSI arrays managed through SNIA Swordfish / DMTF Redfish. Start with
 * {@link io.cinderblock.driver.iscsi.SwordfishDriverProvider}; the module README documents the
 * options and how Swordfish resources map to Cinder's stats.
 */
package io.cinderblock.driver.iscsi;
