/** The cinderblock LVM driver: one LVM volume group on a Linux host, over SSH, exported with tgt. */
module io.cinderblock.driver.lvm {
    requires io.cinderblock.sdk;
    requires com.jcraft.jsch;

    provides io.cinderblock.sdk.spi.VolumeDriverProvider with io.cinderblock.driver.lvm.LvmDriverProvider;
}
