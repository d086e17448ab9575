package io.cinderblock.sdk.host.metadata;

import org.junit.jupiter.api.DisplayName;

@DisplayName("InMemoryVolumeMetadataStore meets the store contract")
class InMemoryVolumeMetadataStoreTest extends VolumeMetadataStoreContract {
    @Override
    protected VolumeMetadataStore createStore() {
        return new InMemoryVolumeMetadataStore();
    }
}
