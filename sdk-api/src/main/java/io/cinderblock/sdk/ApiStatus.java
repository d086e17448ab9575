package io.cinderblock.sdk;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares how stable a public element of the SDK is, so that a driver author knows what may
 * change under them.
 *
 * <p>Every public type carries it. A member without its own {@code ApiStatus} has its type's
 * status; a member that differs (a volatile detail of a stable type) carries its own. The build
 * keeps a reviewed dump of every public signature with its status ({@code api/*.api} in each
 * published module) and fails when the code differs from it, so a change to either is a visible
 * diff.
 *
 * <p>Retained at run time, so that hosts and tools can read it by reflection. Never used by the
 * SDK to change behaviour.
 *
 * @since 0.1
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.CONSTRUCTOR, ElementType.FIELD})
@ApiStatus(value = ApiStatus.Status.STABLE, since = "0.1")
public @interface ApiStatus {

    /**
     * {@return the stability level of the annotated element}
     *
     * @since 0.1
     */
    Status value();

    /**
     * {@return the SDK version in which the element got this status, e.g. {@code "0.1"}}
     *
     * @since 0.1
     */
    String since();

    /**
     * Stability levels, from the strongest promise to none.
     *
     * @since 0.1
     */
    enum Status {
        /**
         * Binary and source compatible within a major {@code SpiVersion}: nothing removed or changed,
         * only added. Drivers may depend on it freely.
         */
        STABLE,
        /**
         * New or still settling: may change or go in any minor version, with a note in the change
         * log. Drivers may use it, and should tell us how it works for them.
         */
        EXPERIMENTAL,
        /**
         * Public only because Java's access rules need it (shared between the SDK's own modules).
         * Not API: may change in any version without notice. Drivers must not use it.
         *
         * @since 0.2
         */
        @ApiStatus(value = ApiStatus.Status.STABLE, since = "0.2")
        INTERNAL
    }
}
