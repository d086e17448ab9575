package io.cinderblock.service.model;

/** No service has this host and binary; the API answers Cinder's 404. */
public final class ServiceNotFoundException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String host;
    private final String binary;

    /** Creates the exception for a host and binary pair. */
    public ServiceNotFoundException(String host, String binary) {
        super("Service " + binary + " could not be found on host " + host + ".");
        this.host = host;
        this.binary = binary;
    }

    /** The host asked for. */
    public String host() {
        return host;
    }

    /** The binary asked for. */
    public String binary() {
        return binary;
    }
}
