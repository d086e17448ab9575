package io.cinderblock.service.api;

import io.cinderblock.service.auth.KeystoneAuthenticator;
import io.cinderblock.service.auth.Policy;
import io.cinderblock.service.config.AuthSettings;
import io.cinderblock.service.config.ConfigException;
import io.cinderblock.service.config.FileProblem;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Turns a request's headers into a {@link RequestContext}, or says why not.
 *
 * <p>{@code noauth} is Cinder's: {@code X-Auth-Token: user:project} (project defaults to user) is
 * an admin context, and a request without a token is answered 204 with a token to use.
 * {@code tokens} reads a file of lines {@code TOKEN USER PROJECT ROLE[,ROLE...]} ({@code #}
 * comments); an unknown or missing token is answered 401. {@code keystone} validates tokens with
 * Keystone ({@link KeystoneAuthenticator}); when Keystone cannot answer it throws an
 * {@link ApiException} with status 503. Every context carries the configured {@link Policy}.
 */
public abstract class Authenticator {
    /** The outcome: a context, or no token given (noauth's 204), or unauthorized (401). */
    public sealed interface Outcome permits Authenticated, TokenIssued, Unauthorized {}

    /** A context to serve the request with. */
    public record Authenticated(RequestContext context) implements Outcome {}

    /** noauth without a token: answer 204 with this token. */
    public record TokenIssued(String token) implements Outcome {}

    /** No valid credentials: answer 401. */
    public record Unauthorized() implements Outcome {}

    /** Authenticates a request given its headers (looked up case-insensitively). */
    public abstract Outcome authenticate(Function<String, Optional<String>> header);

    /** The authenticator a configuration asks for. */
    public static Authenticator from(AuthSettings settings) {
        Policy policy = settings.policyFile().map(Policy::load).orElseGet(Policy::cinderDefaults);
        switch (settings.strategy()) {
            case NOAUTH:
                return new NoAuth(policy);
            case TOKENS:
                return TokensFile.read(settings.tokensFile().orElseThrow(), policy);
            case KEYSTONE:
                return new KeystoneAuthenticator(settings.keystone().orElseThrow(), policy, Clock.systemUTC());
            default:
                throw new IllegalArgumentException("Unknown strategy " + settings.strategy());
        }
    }

    /** Cinder's noauth middleware. */
    static final class NoAuth extends Authenticator {
        private final Policy policy;

        NoAuth(Policy policy) {
            this.policy = policy;
        }

        @Override
        public Outcome authenticate(Function<String, Optional<String>> header) {
            Optional<String> token = header.apply("X-Auth-Token");
            if (token.isEmpty()) {
                String user = header.apply("X-Auth-User").orElse("admin");
                String project = header.apply("X-Auth-Project-Id").orElse("admin");
                return new TokenIssued(user + ":" + project);
            }
            String value = token.get();
            int colon = value.indexOf(':');
            String user = colon < 0 ? value : value.substring(0, colon);
            String project = colon < 0 || colon == value.length() - 1 ? user : value.substring(colon + 1);
            // noauth makes every context an admin one, as Cinder's does.
            return new Authenticated(new RequestContext(user, project, Set.of("admin"), true, policy));
        }
    }

    /** A static file of tokens. */
    static final class TokensFile extends Authenticator {
        private final Map<String, RequestContext> tokens;

        private TokensFile(Map<String, RequestContext> tokens) {
            this.tokens = tokens;
        }

        static TokensFile read(Path file, Policy policy) {
            List<String> lines = FileProblem.readLines("[auth] tokens_file", file);
            Map<String, RequestContext> tokens = new HashMap<>();
            int number = 0;
            for (String raw : lines) {
                number++;
                String line = raw.strip();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                String[] words = line.split("\\s+");
                if (words.length != 4) {
                    // The line holds a token: say where, never what.
                    throw new ConfigException("[auth] tokens_file " + file + " line " + number
                            + ": expected 'TOKEN USER PROJECT ROLE[,ROLE...]' (" + words.length + " fields found)");
                }
                // A role named twice is harmless (Keystone's role lists have no duplicates either);
                // an empty one is a typo worth naming.
                Set<String> roles = new LinkedHashSet<>(List.of(words[3].split(",", -1)));
                if (roles.contains("")) {
                    throw new ConfigException("[auth] tokens_file " + file + " line " + number
                            + ": an empty role name in the roles field (roles are separated by single commas)");
                }
                if (tokens.put(words[0], new RequestContext(words[1], words[2], roles, true, policy)) != null) {
                    throw new ConfigException("[auth] tokens_file " + file + " line " + number
                            + ": the same token appears twice");
                }
            }
            return new TokensFile(Map.copyOf(tokens));
        }

        @Override
        public Outcome authenticate(Function<String, Optional<String>> header) {
            Optional<RequestContext> context = header.apply("X-Auth-Token").map(tokens::get);
            return context.<Outcome>map(Authenticated::new).orElseGet(Unauthorized::new);
        }
    }
}
