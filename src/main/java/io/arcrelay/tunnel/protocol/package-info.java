/**
 * The tunnel's wire protocol, shared by the relay ({@code tunnel}) and the agent
 * ({@code tunnel.agent}): the control socket's paths, messages and close codes, and the data link's
 * binary messages. A message or close code is spelled here once. Depends on Vert.x only.
 */
package io.arcrelay.tunnel.protocol;
