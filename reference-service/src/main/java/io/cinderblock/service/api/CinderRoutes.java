package io.cinderblock.service.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The routes of {@code /v3} as Cinder's router matches them: an optional project id segment, the
 * resource, an optional {@code .json} format suffix.
 */
final class CinderRoutes {
    static final Pattern PROJECT_ID = Pattern.compile("[0-9a-f-]+");

    /** The resources of {@code /v3}, once the path is matched. */
    enum Route {
        SERVICES,
        SERVICE_ACTION,
        POOLS,
        VERSION
    }

    private CinderRoutes() {}

    static List<String> segments(String rest) {
        if (rest.isEmpty() || rest.equals("/")) {
            return List.of();
        }
        return List.of(rest.substring(1).split("/", -1));
    }

    static String lastSegment(List<String> segments) {
        return stripFormat(segments.get(segments.size() - 1));
    }

    /** Cinder's routes accept a {@code .json} format suffix. */
    static String stripFormat(String segment) {
        return segment.endsWith(".json") ? segment.substring(0, segment.length() - 5) : segment;
    }

    static Route route(List<String> segments, Optional<String> project) {
        if (segments.isEmpty()) {
            return project.isEmpty() ? Route.VERSION : null;
        }
        List<String> s = new ArrayList<>(segments);
        s.set(s.size() - 1, stripFormat(s.get(s.size() - 1)));
        if (s.size() == 1 && s.get(0).equals("os-services")) {
            return Route.SERVICES;
        }
        if (s.size() == 2 && s.get(0).equals("os-services") && !s.get(1).isEmpty()) {
            return Route.SERVICE_ACTION;
        }
        if (s.size() == 2 && s.get(0).equals("scheduler-stats") && s.get(1).equals("get_pools")) {
            return Route.POOLS;
        }
        return null;
    }
}
