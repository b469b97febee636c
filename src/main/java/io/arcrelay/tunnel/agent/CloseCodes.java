package io.arcrelay.tunnel.agent;

import io.arcrelay.tunnel.protocol.ControlMessages;

/**
 * WebSocket close codes in words, for what the command line tells its user: the relay's own codes
 * (docs/protocol.md's close-code tables, {@code io.arcrelay.splice.PairEnd}, the tunnel's 4000 and 4009) and
 * RFC 6455's 1006, which no relay sends: the connection ended without a close frame.
 */
public final class CloseCodes {

  private CloseCodes() {}

  /** E.g. {@code 1006 (connection lost without a close: the relay's node went away or the network failed)}. */
  public static String describe(Short code, String reason) {
    if (code == null) return "no close code (connection lost)";
    String meaning = switch (code) {
      case 1000 -> "normal close";
      case 1001 -> "going away";
      case 1002 -> "protocol error";
      case 1003 -> "data of a type not accepted";
      case 1006 -> "connection lost without a close: the relay's node went away or the network failed";
      case 1007 -> "invalid data";
      case 1008 -> "policy violation";
      case 1009 -> "message too big";
      case 1011 -> "relay error";
      case 1012 -> "relay restarting";
      case 1013 -> "try again later";
      case ControlMessages.CLOSE_BAD_HELLO -> "bad hello: the agent and the relay do not agree";
      case ControlMessages.CLOSE_NAME_REFUSED -> "tunnel name refused";
      default -> null;
    };
    boolean hasReason = reason != null && !reason.isEmpty();
    StringBuilder text = new StringBuilder().append(code);
    if (meaning != null || hasReason) {
      text.append(" (");
      if (meaning != null) text.append(meaning);
      if (meaning != null && hasReason) text.append(": ");
      if (hasReason) text.append(reason);
      text.append(')');
    }
    return text.toString();
  }
}
