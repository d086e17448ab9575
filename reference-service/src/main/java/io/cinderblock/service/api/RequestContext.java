package io.cinderblock.service.api;

import static java.util.Objects.requireNonNull;

import io.cinderblock.service.auth.Policy;
import java.util.Map;
import java.util.Set;

/**
 * Who is asking: Cinder's request context, reduced to what the served API checks.
 *
 * @param userId the user
 * @param projectId the project; a URL's project id must equal it
 * @param roles the roles; {@code admin} makes an admin context
 * @param isAdminProject Keystone's {@code is_admin_project} (true without Keystone, as in Cinder)
 * @param policy the policy {@link #allowed(String)} evaluates
 */
public record RequestContext(String userId, String projectId, Set<String> roles, boolean isAdminProject,
        Policy policy) {
    public RequestContext {
        requireNonNull(userId, "userId is null");
        requireNonNull(projectId, "projectId is null");
        roles = Set.copyOf(requireNonNull(roles, "roles is null"));
        requireNonNull(policy, "policy is null");
    }

    /** A context checked against Cinder's default policy. */
    public RequestContext(String userId, String projectId, Set<String> roles) {
        this(userId, projectId, roles, true, Policy.cinderDefaults());
    }

    /** Whether the context may use admin-only APIs (the service list, pools, service actions). */
    public boolean isAdmin() {
        return roles.contains("admin");
    }

    /**
     * Whether the policy allows this context a rule, with Cinder's default target (the context's
     * own project and user).
     */
    public boolean allowed(String rule) {
        return policy.allows(rule, new Policy.Credentials(userId, projectId, roles, isAdminProject),
                Map.of("project_id", projectId, "user_id", userId));
    }
}
