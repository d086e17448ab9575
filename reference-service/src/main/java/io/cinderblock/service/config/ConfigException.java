package io.cinderblock.service.config;

/**
 * A configuration file the service cannot start with. The message names the file, the section and
 * the key, and quotes the offending value unless the key is a secret.
 */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with a message that already names file, section and key. */
    public ConfigException(String message) {
        super(message);
    }

    /** Creates the exception with a message that already names file, section and key, and its cause. */
    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
