/**
 * The node's settings: every key, environment variable and flag, read once into an immutable
 * {@link io.arcrelay.config.RelayConfig}. Imports nothing else of arc-relay's.
 */
package io.arcrelay.config;
