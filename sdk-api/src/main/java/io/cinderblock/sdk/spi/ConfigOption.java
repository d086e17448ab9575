package io.cinderblock.sdk.spi;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.ApiStatus;
import io.cinderblock.sdk.error.InvalidConfigException;
import io.cinderblock.sdk.internal.OptionValues;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One configuration option a driver declares. The SDK validates a backend's configuration against
 * the declared options before {@link VolumeDriverProvider#open} is called: unknown names, missing
 * required values and values of the wrong type are refused with an error naming the option.
 *
 * <p>Build with {@link #builder(String, OptionType)}, never with the constructor, whose parameter
 * list grows when a component is added:
 *
 * <pre>{@code
 * ConfigOption.builder("san_ip", OptionType.STRING)
 *         .required()
 *         .endpoint(EndpointRole.HOST, Transport.TCP)
 *         .description("Management address of the array")
 *         .build();
 * }</pre>
 *
 * @param name lower-case, {@code [a-z][a-z0-9_]*}, as in {@code cinder.conf}
 * @param type how the value is parsed
 * @param defaultValue the text used when the option is absent; never present for a required option
 * @param required whether a value must be given
 * @param secret whether the value is a credential: it is masked everywhere the SDK shows it
 * @param description one sentence for operators
 * @param choices the allowed values of a {@link OptionType#CHOICE} option; empty otherwise
 * @param endpoint whether the option is part of the device's address
 * @param transport the transport of the device endpoint; {@link Transport#TCP} unless set
 * @since 0.1
 */
@ApiStatus(value = ApiStatus.Status.STABLE, since = "0.1")
public record ConfigOption(
        String name,
        OptionType type,
        Optional<String> defaultValue,
        boolean required,
        boolean secret,
        String description,
        List<String> choices,
        Optional<EndpointRole> endpoint,
        Transport transport) {

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]*");

    /**
     * Checks the components. Prefer {@link #builder(String, OptionType)}.
     *
     * @param name {@code [a-z][a-z0-9_]*}
     * @param type not null
     * @param defaultValue empty for a required option; otherwise text that parses as {@code type}
     * @param required whether a value must be given
     * @param secret whether the value is a credential; not for an endpoint
     * @param description not null
     * @param choices non-empty exactly for {@link OptionType#CHOICE}; copied
     * @param endpoint the endpoint role, or empty; not null
     * @param transport not null
     * @throws IllegalArgumentException naming the option and the broken rule
     * @throws InvalidConfigException if the default does not parse as {@code type}
     * @since 0.1
     */
    public ConfigOption {
        requireNonNull(name, "name is null");
        requireNonNull(type, "type is null");
        requireNonNull(defaultValue, "defaultValue is null");
        requireNonNull(description, "description is null");
        choices = List.copyOf(requireNonNull(choices, "choices is null"));
        requireNonNull(endpoint, "endpoint is null");
        requireNonNull(transport, "transport is null");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("Option name '" + name + "' must match " + NAME.pattern());
        }
        if (required && defaultValue.isPresent()) {
            throw new IllegalArgumentException("Required option '" + name + "' cannot have a default");
        }
        if ((type == OptionType.CHOICE) == choices.isEmpty()) {
            throw new IllegalArgumentException(
                    "Option '" + name + "': choices are required for CHOICE options and only for them");
        }
        if (endpoint.isPresent() && secret) {
            throw new IllegalArgumentException("Endpoint option '" + name + "' cannot be secret");
        }
        // A default that does not parse is a driver bug: fail when the descriptor is built, not at open.
        if (defaultValue.isPresent()) {
            OptionValues.parse(new ConfigOption(name, type, Optional.empty(), false, secret, description, choices,
                    endpoint, transport), defaultValue.get());
        }
    }

    /**
     * Starts an optional, non-secret, non-endpoint option with no default and no description.
     * Called by providers while building their descriptor.
     *
     * @param name the option's name as in {@code cinder.conf}, {@code [a-z][a-z0-9_]*}; checked by
     *     {@link Builder#build()}
     * @param type how the value is parsed
     * @return a new builder
     * @since 0.1
     */
    public static Builder builder(String name, OptionType type) {
        return new Builder(name, type);
    }

    /**
     * Builds a {@link ConfigOption}. Not thread-safe; the values are checked by {@link #build()}.
     *
     * @since 0.1
     */
    public static final class Builder {
        private final String name;
        private final OptionType type;
        private Optional<String> defaultValue = Optional.empty();
        private boolean required;
        private boolean secret;
        private String description = "";
        private List<String> choices = List.of();
        private Optional<EndpointRole> endpoint = Optional.empty();
        private Transport transport = Transport.TCP;

        private Builder(String name, OptionType type) {
            this.name = name;
            this.type = type;
        }

        /**
         * Sets the text used when the option is absent. Not for a required option.
         *
         * @param value text that parses as the option's type; not null
         * @return this builder
         * @since 0.1
         */
        public Builder defaultValue(String value) {
            this.defaultValue = Optional.of(requireNonNull(value, "value is null"));
            return this;
        }

        /**
         * Makes the option required: a backend without it is refused before {@code open}.
         *
         * @return this builder
         * @since 0.1
         */
        public Builder required() {
            this.required = true;
            return this;
        }

        /**
         * Marks the value as a credential: masked everywhere the SDK shows it, and never quoted in an
         * error.
         *
         * @return this builder
         * @since 0.1
         */
        public Builder secret() {
            this.secret = true;
            return this;
        }

        /**
         * Sets the one-sentence description operators read.
         *
         * @param text not null
         * @return this builder
         * @since 0.1
         */
        public Builder description(String text) {
            this.description = requireNonNull(text, "text is null");
            return this;
        }

        /**
         * Sets the allowed values of a {@link OptionType#CHOICE} option, replacing earlier ones.
         *
         * @param values at least one; none null
         * @return this builder
         * @since 0.1
         */
        public Builder choices(String... values) {
            this.choices = List.of(values);
            return this;
        }

        /**
         * Marks the option as part of the device's address, so that tools can reroute the driver's
         * traffic. An endpoint option cannot be secret.
         *
         * @param role host, port or URL; not null
         * @param transport the endpoint's transport; not null
         * @return this builder
         * @since 0.1
         */
        public Builder endpoint(EndpointRole role, Transport transport) {
            this.endpoint = Optional.of(requireNonNull(role, "role is null"));
            this.transport = requireNonNull(transport, "transport is null");
            return this;
        }

        /**
         * Builds and checks the option.
         *
         * @return the option
         * @throws IllegalArgumentException naming the option and the broken rule
         * @throws InvalidConfigException if the default does not parse as the type
         * @since 0.1
         */
        public ConfigOption build() {
            return new ConfigOption(name, type, defaultValue, required, secret, description, choices, endpoint, transport);
        }
    }
}
