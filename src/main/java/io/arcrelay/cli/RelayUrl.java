package io.arcrelay.cli;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * A {@code --relay} URL as the commands take it: {@code ws://} and {@code wss://}, and
 * {@code http://} and {@code https://} read as those (the address a browser shows for the relay
 * works too). Anything else is a usage error, one line.
 */
final class RelayUrl {

  private RelayUrl() {}

  /** {@code text} as a WebSocket URL; {@code flag} names the option in the error. */
  static URI parse(String flag, String text) {
    URI uri;
    try {
      uri = new URI(text.trim());
    } catch (URISyntaxException e) {
      throw new UsageError(flag + ": not a URL: '" + text + "'");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    String ws = switch (scheme) {
      case "ws", "http" -> "ws";
      case "wss", "https" -> "wss";
      default -> throw new UsageError(flag + " must be a ws://, wss://, http:// or https:// URL, got '" + text + "'");
    };
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      throw new UsageError(flag + ": no host in '" + text + "' (e.g. ws://127.0.0.1:8765)");
    }
    try {
      return new URI(ws, uri.getRawUserInfo(), uri.getHost(), uri.getPort(), uri.getRawPath(), uri.getRawQuery(), null);
    } catch (URISyntaxException e) {
      throw new UsageError(flag + ": not a URL: '" + text + "'");
    }
  }
}
