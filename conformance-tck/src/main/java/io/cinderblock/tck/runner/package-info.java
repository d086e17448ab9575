/** The standalone runner: {@code java -jar conformance-tck.jar --driver-jar ... --config ...}. */
package io.cinderblock.tck.runner;
