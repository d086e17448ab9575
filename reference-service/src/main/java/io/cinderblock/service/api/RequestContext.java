package io.cinderblock.service.api;

import static java.util.Objects.requireNonNull;

import java.util.Set;

/**
 * Who is asking: Cinder's request context, reduced to what the served API checks.
 *
 * @param userId the user
 * @param projectId the project; a URL's project id must equal it
 * @param roles the roles; {@code admin} makes an admin context
 */
public record RequestContext(String userId, String projectId, Set<String> roles) {
    public RequestContext {
        requireNonNull(userId, "userId is null");
        requireNonNull(projectId, "projectId is null");
        roles = Set.copyOf(requireNonNull(roles, "roles is null"));
    }

    /** Whether the context may use admin-only APIs (the service list, pools, service actions). */
    public boolean isAdmin() {
        return roles.contains("admin");
    }
}
