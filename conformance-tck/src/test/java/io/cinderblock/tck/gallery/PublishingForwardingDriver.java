package io.cinderblock.tck.gallery;

import io.cinderblock.sdk.spi.BackendStateListener;
import io.cinderblock.sdk.spi.BackendStatePublisher;
import io.cinderblock.sdk.spi.DriverDescriptor;
import io.cinderblock.sdk.spi.VolumeDriver;

/**
 * A forwarding driver that also pushes, through the SIMULATED array driver's own push channel; the
 * push drivers of the gallery break it by changing the listener the sim driver is given ({@link
 * #listen}) or what happens on close.
 */
class PublishingForwardingDriver extends ForwardingVolumeDriver implements BackendStatePublisher {

    PublishingForwardingDriver(VolumeDriver delegate, DriverDescriptor descriptor) {
        super(delegate, descriptor);
    }

    /** The listener handed to the sim driver in place of the host's; the host's own by default. */
    BackendStateListener listen(BackendStateListener host) {
        return host;
    }

    @Override
    public boolean publishTo(BackendStateListener listener) {
        return ((BackendStatePublisher) delegate).publishTo(listen(listener));
    }
}
