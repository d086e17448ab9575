package io.cinderblock.service.store;

/** The database failed; the message says which operation, never a password. */
public class StoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception. */
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
