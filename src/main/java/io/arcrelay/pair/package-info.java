/**
 * The {@code ?pair=} relay: pair codes, the registry where a code's two sides meet on this node,
 * and the endpoint that admits and upgrades them into a splice.
 *
 * <p>Depends on {@code splice}, {@code edge} and {@code config}; {@code cluster} provides the same
 * registry across nodes.
 */
package io.arcrelay.pair;
