/**
 * The tunnel agent, run by {@code arc-relay tunnel} on the user's machine: it knows the relay only by
 * the wire protocol in {@code tunnel.protocol}, never by the relay's own classes; its one reach into
 * Vert.x's internals (the data links' masking) is in {@code seams}.
 */
package io.arcrelay.tunnel.agent;
