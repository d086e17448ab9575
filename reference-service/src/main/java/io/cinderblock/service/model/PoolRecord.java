package io.cinderblock.service.model;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One pool of a backend's last stats, as {@code scheduler-stats/get_pools} shows it.
 *
 * @param serviceHost the volume service's host ({@code host@backend})
 * @param name {@code host@backend#pool}
 * @param capabilities the pool's capabilities in Cinder's key order: the pool's own keys, then the
 *     backend-level ones
 */
public record PoolRecord(String serviceHost, String name, Map<String, Object> capabilities) {
    public PoolRecord {
        requireNonNull(serviceHost, "serviceHost is null");
        requireNonNull(name, "name is null");
        // A LinkedHashMap copy keeps the key order (Map.copyOf would not) and allows null values.
        capabilities = Collections.unmodifiableMap(new LinkedHashMap<>(requireNonNull(capabilities, "capabilities is null")));
    }
}
