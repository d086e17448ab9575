package io.cinderblock.tck.runner;

/**
 * Stands for a library a vendor forgot to package (Jackson, say): the setup tests put the classes
 * that use it in a driver jar and leave this one out.
 */
public final class MissingLibrary {
    /** Used by the test providers only. */
    public MissingLibrary() {}

    /** Something the driver calls. */
    public String parse(String text) {
        return text.strip();
    }
}
