package io.cinderblock.sdk;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares how stable a public type of the SDK is, so that a driver author knows what may change.
 *
 * <p>{@link Status#STABLE} types keep binary compatibility within a major SPI version. {@link
 * Status#EXPERIMENTAL} types may change in any minor version. Types in packages named {@code
 * internal} are never API, annotated or not.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.CONSTRUCTOR, ElementType.FIELD})
public @interface ApiStatus {

    /** The stability level. */
    Status value();

    /** The SDK version in which the element got this status. */
    String since();

    /** Stability levels. */
    enum Status {
        /** Binary compatible within a major SPI version. */
        STABLE,
        /** May change in a minor version; feedback welcome. */
        EXPERIMENTAL
    }
}
