package io.arcrelay.edge;

import java.util.Locale;

/**
 * Why an upgrade was refused before any WebSocket existed, with the HTTP status the client gets.
 * The refusal table of docs/protocol.md is written from this enum; ProtocolDocTest keeps the two in step.
 */
public enum Refusal {
  /** Not RFC 6455 (version 13): older drafts' frames are not what the relay counts and forwards. */
  UNSUPPORTED_VERSION(426, "WebSocket version 13 required"),
  /** The pair code is missing or malformed (the body says which). */
  BAD_CODE(400, "bad pair code"),
  /** An access secret is configured and the token is missing, expired or wrong. */
  UNAUTHORIZED(401, "missing, expired or invalid token"),
  /** A tunnel agent's token is missing or not one of {@code tunnelTokens}. */
  TUNNEL_TOKEN(401, "missing or invalid tunnel token"),
  /** A tunnel data connection named no link waiting for it (unknown, used, expired or another session's). */
  UNKNOWN_LINK(404, "unknown data link"),
  /** The browser's Origin is not in {@code allowedOrigins}. */
  FORBIDDEN_ORIGIN(403, "origin not allowed"),
  /** Both sides of the code are taken. */
  PAIR_FULL(409, "pair is full"),
  /** The client address made more than {@code upgradesPerIp} upgrades per second. */
  TOO_MANY_UPGRADES(429, "too many upgrades from your address"),
  /** The client address was refused more than {@code refusalsPerIp} times a minute (code guessing). */
  TOO_MANY_REFUSALS(429, "too many refused attempts from your address"),
  /** The client address holds {@code maxConnectionsPerIp} connections. */
  TOO_MANY_CONNECTIONS(429, "too many connections from your address"),
  /** The node holds {@code maxConnections} connections. */
  NODE_FULL(503, "relay full"),
  /** The node's memory budget is spent. */
  MEMORY_SPENT(503, "relay busy"),
  /** The request's framing or head breaks RFC 9112 (the body says how); 501 and 505 for an unknown coding or version. */
  MALFORMED_REQUEST(400, "malformed request"),
  /** The pair map could not be reached (a clustered node between members). */
  UNAVAILABLE(503, "relay unavailable");

  private final int status;
  private final String reason;

  Refusal(int status, String reason) {
    this.status = status;
    this.reason = reason;
  }

  public int status() {
    return status;
  }

  /** The one-line body the client gets. */
  public String reason() {
    return reason;
  }

  /** The metric label. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Refusals a code guesser collects: they count against the address's refusal allowance. */
  boolean isAGuess() {
    return this == BAD_CODE || this == UNAUTHORIZED || this == FORBIDDEN_ORIGIN || this == PAIR_FULL
        || this == TUNNEL_TOKEN || this == UNKNOWN_LINK;
  }
}
