/**
 * The load generator behind {@code bench/}: clients that speak to a relay over the network only, so
 * it imports nothing of the relay's own packages.
 */
package io.arcrelay.bench;
