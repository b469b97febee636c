/**
 * The node's settings: every key, environment variable, flag, default and description, once, in
 * {@link io.arcrelay.config.Setting}; read once into an immutable
 * {@link io.arcrelay.config.RelayConfig} of one record per concern (listen, limits, edge, pairing,
 * lifecycle, cluster, tunnel), each built by name and checking its own settings. Imports nothing
 * else of arc-relay's.
 */
package io.arcrelay.config;
