/** Finding driver providers on the class path and in a drivers directory. */
package io.cinderblock.sdk.host.discovery;
