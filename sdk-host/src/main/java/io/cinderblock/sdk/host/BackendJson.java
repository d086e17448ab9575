package io.cinderblock.sdk.host;

import io.cinderblock.sdk.error.CinderblockException;
import io.cinderblock.sdk.error.ErrorCode;
import io.cinderblock.sdk.error.InvalidConfigException;
import io.cinderblock.sdk.host.metadata.RecordStatus;
import io.cinderblock.sdk.host.metadata.SnapshotRecord;
import io.cinderblock.sdk.host.metadata.VolumeRecord;
import io.cinderblock.sdk.spi.DriverConfig;
import io.cinderblock.sdk.support.SecretScrubber;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The JSON form of backends (cinderlib's {@code dump}/{@code load}); the format is documented on
 * {@link Backend#toJson(boolean)} and in the module README. Writing masks secrets unless asked;
 * reading is strict: unknown members, wrong types and a wrong format tag are errors naming the
 * member and the backend.
 */
final class BackendJson {
    static final String BACKEND_FORMAT = "cinderblock.backend/1";
    static final String REGISTRY_FORMAT = "cinderblock.backends/1";

    private static final Set<String> BACKEND_MEMBERS = Set.of("format", "name", "config", "volumes", "snapshots");
    private static final Set<String> VOLUME_MEMBERS = Set.of("id", "name", "size_gib", "pool_name",
            "provider_location", "source_id", "status", "created_at", "updated_at");
    private static final Set<String> SNAPSHOT_MEMBERS = Set.of("id", "name", "volume_id", "size_gib",
            "provider_location", "status", "created_at", "updated_at");

    private BackendJson() {}

    /** One backend as a JSON object (a map for {@link Json#write}). */
    static Map<String, Object> backend(String name, Map<String, String> config, List<VolumeRecord> volumes,
            List<SnapshotRecord> snapshots, UnaryOperator<String> scrub) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("format", BACKEND_FORMAT);
        out.put("name", name);
        Map<String, Object> shownConfig = new LinkedHashMap<>();
        config.forEach((k, v) -> shownConfig.put(k, scrub.apply(v)));
        out.put("config", shownConfig);
        List<Object> volumeList = new ArrayList<>();
        for (VolumeRecord v : volumes) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", scrub.apply(v.id()));
            m.put("name", scrub.apply(v.name()));
            m.put("size_gib", v.sizeGib());
            m.put("pool_name", v.poolName().map(scrub).orElse(null));
            m.put("provider_location", v.providerLocation().map(scrub).orElse(null));
            m.put("source_id", v.sourceId().map(scrub).orElse(null));
            m.put("status", v.status().name());
            m.put("created_at", v.createdAt().toString());
            m.put("updated_at", v.updatedAt().toString());
            volumeList.add(m);
        }
        out.put("volumes", volumeList);
        List<Object> snapshotList = new ArrayList<>();
        for (SnapshotRecord s : snapshots) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", scrub.apply(s.id()));
            m.put("name", scrub.apply(s.name()));
            m.put("volume_id", scrub.apply(s.volumeId()));
            m.put("size_gib", s.sizeGib());
            m.put("provider_location", s.providerLocation().map(scrub).orElse(null));
            m.put("status", s.status().name());
            m.put("created_at", s.createdAt().toString());
            m.put("updated_at", s.updatedAt().toString());
            snapshotList.add(m);
        }
        out.put("snapshots", snapshotList);
        return out;
    }

    /** The configuration to dump: masked ({@link Backend#config(boolean) config(true)}) or with secret values. */
    static Map<String, String> config(Backend backend, DriverConfig config, boolean includeSecrets) {
        Map<String, String> shown = new LinkedHashMap<>(backend.config(true));
        if (includeSecrets) {
            for (String option : config.masked().keySet()) {
                if (config.isSecret(option)) {
                    config.optionalString(option).ifPresent(value -> shown.put(option, value));
                }
            }
        }
        return shown;
    }

    /** A scrubber for a default dump: every form of every secret option's value masked in every string. */
    static UnaryOperator<String> scrubber(DriverConfig config, boolean includeSecrets) {
        if (includeSecrets) {
            return UnaryOperator.identity();
        }
        SecretScrubber scrubber = SecretScrubber.of(config);
        return scrubber::scrub;
    }

    /** A backend read back from its JSON object. */
    record Parsed(String name, Map<String, String> config, List<VolumeRecord> volumes, List<SnapshotRecord> snapshots) {}

    /** Reads a dump: one backend ({@value #BACKEND_FORMAT}) or a registry's ({@value #REGISTRY_FORMAT}). */
    static List<Parsed> parse(String text) {
        Object root;
        try {
            root = Json.parse(text);
        } catch (Json.JsonException e) {
            throw invalid(e.getMessage());
        }
        Map<String, Object> object = object(root, "the dump");
        Object format = object.get("format");
        if (REGISTRY_FORMAT.equals(format)) {
            onlyMembers(object, Set.of("format", "backends"), "the dump");
            List<Parsed> result = new ArrayList<>();
            for (Object backend : list(object.get("backends"), "'backends'")) {
                result.add(backend(object(backend, "an element of 'backends'")));
            }
            return result;
        }
        return List.of(backend(object));
    }

    private static Parsed backend(Map<String, Object> m) {
        if (!BACKEND_FORMAT.equals(m.get("format"))) {
            throw invalid("member 'format' is " + describe(m.get("format")) + ", expected '" + BACKEND_FORMAT
                    + "' or '" + REGISTRY_FORMAT + "'");
        }
        String name = string(m, "name", "the backend");
        String where = "backend '" + name + "'";
        onlyMembers(m, BACKEND_MEMBERS, where);
        Map<String, String> config = new LinkedHashMap<>();
        object(m.get("config"), "'config' of " + where).forEach((k, v) -> {
            if (!(v instanceof String)) {
                throw invalid("option '" + k + "' in 'config' of " + where + " is " + describe(v) + ", not a string");
            }
            config.put(k, (String) v);
        });
        List<VolumeRecord> volumes = new ArrayList<>();
        for (Object item : list(m.get("volumes"), "'volumes' of " + where)) {
            Map<String, Object> v = object(item, "a volume of " + where);
            String id = string(v, "id", "a volume of " + where);
            String at = "volume '" + id + "' of " + where;
            onlyMembers(v, VOLUME_MEMBERS, at);
            volumes.add(new VolumeRecord(name, id, string(v, "name", at), size(v, at),
                    optionalString(v, "pool_name", at), optionalString(v, "provider_location", at),
                    optionalString(v, "source_id", at), status(v, at), instant(v, "created_at", at),
                    instant(v, "updated_at", at)));
        }
        List<SnapshotRecord> snapshots = new ArrayList<>();
        for (Object item : list(m.get("snapshots"), "'snapshots' of " + where)) {
            Map<String, Object> s = object(item, "a snapshot of " + where);
            String id = string(s, "id", "a snapshot of " + where);
            String at = "snapshot '" + id + "' of " + where;
            onlyMembers(s, SNAPSHOT_MEMBERS, at);
            snapshots.add(new SnapshotRecord(name, id, string(s, "name", at), string(s, "volume_id", at), size(s, at),
                    optionalString(s, "provider_location", at), status(s, at), instant(s, "created_at", at),
                    instant(s, "updated_at", at)));
        }
        return new Parsed(name, config, volumes, snapshots);
    }

    /** Refuses a masked secret: a backend cannot be rebuilt from {@code ***}. */
    static void requireNoMaskedSecrets(Parsed parsed) {
        parsed.config().forEach((option, value) -> {
            if (DriverConfig.MASK.equals(value)) {
                throw new InvalidConfigException(option, "Option '" + option + "' of backend '" + parsed.name()
                        + "' is masked in this dump: dump with secrets (toJson(true)) to rebuild the backend, or"
                        + " give the value to load(json, secrets)");
            }
        });
    }

    private static void onlyMembers(Map<String, Object> m, Set<String> allowed, String where) {
        for (String key : m.keySet()) {
            if (!allowed.contains(key)) {
                throw invalid("unknown member '" + key + "' in " + where);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Object value, String what) {
        if (!(value instanceof Map)) {
            throw invalid(what + " is " + describe(value) + ", not an object");
        }
        return (Map<String, Object>) value;
    }

    private static List<?> list(Object value, String what) {
        if (!(value instanceof List)) {
            throw invalid(what + " is " + describe(value) + ", not an array");
        }
        return (List<?>) value;
    }

    private static String string(Map<String, Object> m, String member, String where) {
        Object value = m.get(member);
        if (!(value instanceof String) || ((String) value).isEmpty()) {
            throw invalid("member '" + member + "' of " + where + " is " + describe(value) + ", not a non-empty string");
        }
        return (String) value;
    }

    private static Optional<String> optionalString(Map<String, Object> m, String member, String where) {
        Object value = m.get(member);
        if (value == null) {
            return Optional.empty();
        }
        if (!(value instanceof String)) {
            throw invalid("member '" + member + "' of " + where + " is " + describe(value) + ", not a string or null");
        }
        return Optional.of((String) value);
    }

    private static long size(Map<String, Object> m, String where) {
        Object value = m.get("size_gib");
        if (!(value instanceof Long) || (Long) value < 1) {
            throw invalid("member 'size_gib' of " + where + " is " + describe(value) + ", not a positive integer");
        }
        return (Long) value;
    }

    private static RecordStatus status(Map<String, Object> m, String where) {
        String value = string(m, "status", where);
        try {
            return RecordStatus.valueOf(value);
        } catch (IllegalArgumentException e) {
            throw invalid("member 'status' of " + where + " is '" + value + "', not one of "
                    + List.of(RecordStatus.values()));
        }
    }

    private static Instant instant(Map<String, Object> m, String member, String where) {
        String value = string(m, member, where);
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw invalid("member '" + member + "' of " + where + " is '" + value
                    + "', not an ISO-8601 instant such as 2026-12-05T08:00:00Z");
        }
    }

    private static String describe(Object value) {
        if (value == null) {
            return "missing or null";
        }
        if (value instanceof String) {
            return "'" + value + "'";
        }
        if (value instanceof Map) {
            return "an object";
        }
        if (value instanceof List) {
            return "an array";
        }
        return value.toString();
    }

    private static CinderblockException invalid(String what) {
        return new CinderblockException(ErrorCode.INVALID_ARGUMENT, "Not a cinderblock backend dump: " + what);
    }
}
