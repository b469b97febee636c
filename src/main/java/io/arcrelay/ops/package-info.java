/**
 * The management port's endpoints: health, readiness and drain state, and the Prometheus meters
 * behind the relay's metrics interfaces.
 */
package io.arcrelay.ops;
