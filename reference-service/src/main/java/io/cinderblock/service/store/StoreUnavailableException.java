package io.cinderblock.service.store;

/**
 * The database cannot take writes safely: its SQLite file was deleted or replaced while the
 * service ran, so a write would go to an unlinked file and be lost at the next restart. Nothing
 * was written. The message names the file and what happened; {@link #publicReason()} says it
 * without the path, for API clients.
 */
public final class StoreUnavailableException extends StoreException {
    private static final long serialVersionUID = 1L;

    private final String publicReason;

    /** Creates the exception. */
    public StoreUnavailableException(String message, String publicReason) {
        super(message, null);
        this.publicReason = publicReason;
    }

    /** What happened, without file names. */
    public String publicReason() {
        return publicReason;
    }
}
