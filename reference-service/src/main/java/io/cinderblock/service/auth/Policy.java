package io.cinderblock.service.auth;

import static java.util.Objects.requireNonNull;

import io.cinderblock.service.config.ConfigException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Cinder's policy for the rules this service enforces, in oslo.policy's syntax.
 *
 * <p>Without a file the rules are Cinder's defaults ({@link #CINDER_DEFAULTS}): every admin API is
 * {@code rule:admin_api}, i.e. {@code is_admin:True or (role:admin and is_admin_project:True)},
 * where {@code is_admin} is Cinder's {@code context_is_admin} ({@code role:admin}). A file (as
 * Cinder's {@code [oslo_policy] policy_file}) overrides the rules it names; the others keep their
 * defaults, as oslo.policy does.
 *
 * <p>Check strings: {@code rule:NAME}, {@code role:NAME}, {@code is_admin:True|False},
 * {@code is_admin_project:True|False}, {@code FIELD:VALUE} and {@code FIELD:%(TARGET_FIELD)s} for the
 * credentials {@code user_id} and {@code project_id}, {@code @} and the empty string (always),
 * {@code !} (never), with {@code and}, {@code or}, {@code not} and parentheses. Anything else
 * ({@code http:}, {@code system_scope:}, the old list syntax, a rule naming an undefined rule) is
 * refused when the policy is loaded, with an error naming the rule: a rule this service cannot
 * evaluate must not silently allow or deny.
 *
 * <p>File syntax: JSON (parsed with Jackson), or the YAML subset oslo.policy's generated files use:
 * one {@code "name": "check string"} per line, keys and values plain or in single or double quotes,
 * {@code #} comments and blank lines. No YAML library is in the parent POM and the subset is all a
 * policy file needs; anything else (nesting, multi-line values, anchors) is refused with the line.
 */
public final class Policy {
    /** The rule guarding the status page and {@code /status/data} (this service's own). */
    public static final String STATUS_VIEW = "cinderblock:status:view";
    /** Cinder's rule for the service list. */
    public static final String SERVICES_INDEX = "volume_extension:services:index";
    /** Cinder's rule for enabling and disabling services. */
    public static final String SERVICES_UPDATE = "volume_extension:services:update";
    /** Cinder's rule for the pool list. */
    public static final String GET_POOLS = "scheduler_extension:scheduler_stats:get_pools";

    /** Cinder's defaults (2023.x) for the rules this service uses, plus the status page's. */
    public static final Map<String, String> CINDER_DEFAULTS = defaults();

    private static final Set<String> CREDENTIAL_FIELDS = Set.of("user_id", "project_id");

    private final Map<String, Check> rules;

    private Policy(Map<String, Check> rules) {
        this.rules = rules;
    }

    private static Map<String, String> defaults() {
        Map<String, String> rules = new LinkedHashMap<>();
        rules.put("context_is_admin", "role:admin");
        rules.put("admin_or_owner", "is_admin:True or (role:admin and is_admin_project:True) or project_id:%(project_id)s");
        rules.put("admin_api", "is_admin:True or (role:admin and is_admin_project:True)");
        rules.put(SERVICES_INDEX, "rule:admin_api");
        rules.put(SERVICES_UPDATE, "rule:admin_api");
        rules.put(GET_POOLS, "rule:admin_api");
        rules.put(STATUS_VIEW, "rule:admin_api");
        return java.util.Collections.unmodifiableMap(rules);
    }

    /** Cinder's defaults. */
    public static Policy cinderDefaults() {
        return DEFAULT;
    }

    private static final Policy DEFAULT = of(Map.of(), "Cinder's defaults");

    /**
     * Cinder's defaults overridden by the given rules.
     *
     * @param overrides rule name to check string
     * @param source named in errors (a file name)
     * @throws ConfigException naming the first rule that cannot be evaluated
     */
    public static Policy of(Map<String, String> overrides, String source) {
        Map<String, String> text = new LinkedHashMap<>(CINDER_DEFAULTS);
        text.putAll(overrides);
        Map<String, Check> rules = new LinkedHashMap<>();
        text.forEach((name, check) -> rules.put(name, Parser.parse(source, name, check)));
        // Every rule:NAME must resolve, and no rule may refer to itself through others.
        for (String name : rules.keySet()) {
            verifyReferences(source, name, rules.get(name), rules, new ArrayList<>(List.of(name)));
        }
        return new Policy(Map.copyOf(rules));
    }

    private static void verifyReferences(String source, String name, Check check, Map<String, Check> rules,
            List<String> path) {
        for (String ref : check.references()) {
            if (!rules.containsKey(ref)) {
                throw new ConfigException(source + ": policy rule '" + path.get(0) + "' refers to 'rule:" + ref
                        + "', which is not defined");
            }
            if (path.contains(ref)) {
                throw new ConfigException(source + ": policy rule '" + path.get(0) + "' refers to itself through "
                        + String.join(" -> ", path) + " -> " + ref);
            }
            path.add(ref);
            verifyReferences(source, name, rules.get(ref), rules, path);
            path.remove(path.size() - 1);
        }
    }

    /**
     * Reads a policy file: JSON when it starts with an opening brace, otherwise the YAML subset.
     *
     * @throws ConfigException naming the file and the line or rule at fault
     */
    public static Policy load(Path file) {
        return of(PolicyFile.read(file), "policy file " + file);
    }

    /**
     * Evaluates a rule for a caller.
     *
     * @param rule the rule's name
     * @param credentials the caller
     * @param target the object acted on ({@code project_id}, {@code user_id})
     * @throws IllegalArgumentException for a rule the policy does not define (a programming error:
     *     every rule the service checks has a default)
     */
    public boolean allows(String rule, Credentials credentials, Map<String, String> target) {
        Check check = rules.get(rule);
        if (check == null) {
            throw new IllegalArgumentException("No policy rule '" + rule + "'");
        }
        return check.test(this, credentials, target);
    }

    /**
     * What a policy check knows about the caller.
     *
     * @param userId the user's id
     * @param projectId the project's id
     * @param roles role names (compared case-insensitively, as oslo.policy does)
     * @param isAdminProject Keystone's {@code is_admin_project}
     */
    public record Credentials(String userId, String projectId, Set<String> roles, boolean isAdminProject) {
        public Credentials {
            requireNonNull(userId, "userId is null");
            requireNonNull(projectId, "projectId is null");
            roles = Set.copyOf(requireNonNull(roles, "roles is null"));
        }

        boolean hasRole(String role) {
            return roles.stream().anyMatch(r -> r.equalsIgnoreCase(role));
        }

        String field(String name) {
            return name.equals("user_id") ? userId : projectId;
        }
    }

    /** A parsed check string. */
    private interface Check {
        boolean test(Policy policy, Credentials c, Map<String, String> target);

        default List<String> references() {
            return List.of();
        }
    }

    private record Constant(boolean value) implements Check {
        @Override
        public boolean test(Policy policy, Credentials c, Map<String, String> target) {
            return value;
        }
    }

    private record Not(Check inner) implements Check {
        @Override
        public boolean test(Policy policy, Credentials c, Map<String, String> target) {
            return !inner.test(policy, c, target);
        }

        @Override
        public List<String> references() {
            return inner.references();
        }
    }

    private record Combined(boolean and, List<Check> parts) implements Check {
        @Override
        public boolean test(Policy policy, Credentials c, Map<String, String> target) {
            for (Check part : parts) {
                if (part.test(policy, c, target) != and) {
                    return !and;
                }
            }
            return and;
        }

        @Override
        public List<String> references() {
            return parts.stream().flatMap(p -> p.references().stream()).toList();
        }
    }

    private record RuleRef(String name) implements Check {
        @Override
        public boolean test(Policy policy, Credentials c, Map<String, String> target) {
            return policy.rules.get(name).test(policy, c, target);
        }

        @Override
        public List<String> references() {
            return List.of(name);
        }
    }

    private record Role(String role) implements Check {
        @Override
        public boolean test(Policy policy, Credentials c, Map<String, String> target) {
            return c.hasRole(role);
        }
    }

    /** {@code is_admin:True}: Cinder's context.is_admin, which is its {@code context_is_admin} rule. */
    private record IsAdmin(boolean expected) implements Check {
        @Override
        public boolean test(Policy policy, Credentials c, Map<String, String> target) {
            return policy.rules.get("context_is_admin").test(policy, c, target) == expected;
        }

        @Override
        public List<String> references() {
            return List.of("context_is_admin");
        }
    }

    private record IsAdminProject(boolean expected) implements Check {
        @Override
        public boolean test(Policy policy, Credentials c, Map<String, String> target) {
            return c.isAdminProject() == expected;
        }
    }

    /** {@code project_id:%(project_id)s} or {@code user_id:LITERAL}. */
    private record Field(String field, String literal, String targetField) implements Check {
        @Override
        public boolean test(Policy policy, Credentials c, Map<String, String> target) {
            String expected = targetField == null ? literal : target.get(targetField);
            return expected != null && expected.equals(c.field(field));
        }
    }

    /** A recursive-descent parser for oslo.policy's check strings (its {@code _parser} grammar). */
    private static final class Parser {
        private final String source;
        private final String rule;
        private final List<String> tokens;
        private int pos;

        private Parser(String source, String rule, List<String> tokens) {
            this.source = source;
            this.rule = rule;
            this.tokens = tokens;
        }

        static Check parse(String source, String rule, String text) {
            if (text.isBlank()) {
                return new Constant(true);
            }
            Parser p = new Parser(source, rule, tokenize(text));
            Check check = p.or();
            if (p.pos != p.tokens.size()) {
                throw p.bad("unexpected '" + p.tokens.get(p.pos) + "' in '" + text + "'");
            }
            return check;
        }

        private static List<String> tokenize(String text) {
            List<String> out = new ArrayList<>();
            for (String word : text.strip().split("\\s+")) {
                // Parentheses may touch their neighbours: "(role:admin".
                int start = 0;
                int end = word.length();
                while (start < end && word.charAt(start) == '(') {
                    out.add("(");
                    start++;
                }
                int closing = 0;
                while (end > start && word.charAt(end - 1) == ')') {
                    closing++;
                    end--;
                }
                if (end > start) {
                    out.add(word.substring(start, end));
                }
                for (int i = 0; i < closing; i++) {
                    out.add(")");
                }
            }
            return out;
        }

        private ConfigException bad(String what) {
            return new ConfigException(source + ": policy rule '" + rule + "' cannot be evaluated: " + what);
        }

        private String peek() {
            return pos < tokens.size() ? tokens.get(pos) : null;
        }

        private boolean keyword(String word) {
            String t = peek();
            if (t != null && t.toLowerCase(Locale.ROOT).equals(word)) {
                pos++;
                return true;
            }
            return false;
        }

        private Check or() {
            List<Check> parts = new ArrayList<>(List.of(and()));
            while (keyword("or")) {
                parts.add(and());
            }
            return parts.size() == 1 ? parts.get(0) : new Combined(false, parts);
        }

        private Check and() {
            List<Check> parts = new ArrayList<>(List.of(unary()));
            while (keyword("and")) {
                parts.add(unary());
            }
            return parts.size() == 1 ? parts.get(0) : new Combined(true, parts);
        }

        private Check unary() {
            if (keyword("not")) {
                return new Not(unary());
            }
            String t = peek();
            if (t == null) {
                throw bad("the check string ends where a check was expected");
            }
            pos++;
            if (t.equals("(")) {
                Check inner = or();
                if (!")".equals(peek())) {
                    throw bad("missing ')'");
                }
                pos++;
                return inner;
            }
            return atom(t);
        }

        private Check atom(String t) {
            if (t.equals("@")) {
                return new Constant(true);
            }
            if (t.equals("!")) {
                return new Constant(false);
            }
            int colon = t.indexOf(':');
            if (colon <= 0) {
                throw bad("'" + t + "' is not a check (expected KIND:VALUE, '@' or '!')");
            }
            String kind = t.substring(0, colon);
            String value = t.substring(colon + 1);
            switch (kind) {
                case "rule":
                    return new RuleRef(value);
                case "role":
                    return new Role(value);
                case "is_admin":
                    return new IsAdmin(bool(t, value));
                case "is_admin_project":
                    return new IsAdminProject(bool(t, value));
                default:
                    if (!CREDENTIAL_FIELDS.contains(kind)) {
                        throw bad("'" + t + "': this service evaluates rule:, role:, is_admin:, is_admin_project:,"
                                + " user_id: and project_id: checks only");
                    }
                    if (value.startsWith("%(") && value.endsWith(")s")) {
                        String field = value.substring(2, value.length() - 2);
                        if (!CREDENTIAL_FIELDS.contains(field)) {
                            throw bad("'" + t + "': the target has only project_id and user_id");
                        }
                        return new Field(kind, null, field);
                    }
                    return new Field(kind, value.replaceAll("^['\"]|['\"]$", ""), null);
            }
        }

        private boolean bool(String t, String value) {
            if (value.equalsIgnoreCase("true")) {
                return true;
            }
            if (value.equalsIgnoreCase("false")) {
                return false;
            }
            throw bad("'" + t + "' must be True or False");
        }
    }
}
