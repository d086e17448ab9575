/** A simulated storage array and its cinderblock driver. For tests and demos only. */
module io.cinderblock.driver.sim {
    requires transitive io.cinderblock.sdk;

    exports io.cinderblock.driver.sim;

    provides io.cinderblock.sdk.spi.VolumeDriverProvider with io.cinderblock.driver.sim.SimulatedArrayDriverProvider;
}
