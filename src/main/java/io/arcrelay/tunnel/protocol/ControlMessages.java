package io.arcrelay.tunnel.protocol;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The agent's control WebSocket, spelled once for the relay and the agent: where it and the data
 * WebSockets connect, its JSON text messages and the close codes that end it. See
 * {@code tunnel.ControlSocket} for what each message means.
 */
public final class ControlMessages {

  /** Path of the control WebSocket. */
  public static final String CONTROL_PATH = "/_tunnel/control";
  /** Path of the data WebSockets. */
  public static final String DATA_PATH = "/_tunnel/data";
  /** The header a data connection names its agent session in. */
  public static final String SESSION_HEADER = "X-Arc-Session";

  /** Message types: {@code hello} from the agent, the others from the relay. */
  public static final String HELLO = "hello";
  public static final String REGISTERED = "registered";
  public static final String SHARED = "shared";
  public static final String OPEN = "open";
  public static final String ERROR = "error";

  /** Codes of an {@code error} message. */
  public static final String BAD_HELLO = "bad-hello";
  public static final String NAME_TAKEN = "name-taken";
  public static final String NAMES_EXHAUSTED = "names-exhausted";

  /** Close code after a bad hello (an {@code error} message said why). */
  public static final short CLOSE_BAD_HELLO = 4000;
  /** Close code after a refused tunnel name (an {@code error} message said why). */
  public static final short CLOSE_NAME_REFUSED = 4009;

  /** Fields of the messages. */
  public static final String TYPE = "type";
  public static final String VERSION = "v";
  public static final String AGENT = "agent";
  public static final String NAME = "name";
  public static final String BASIC_AUTH = "basicAuth";
  public static final String ALLOW = "allow";
  public static final String URL = "url";
  public static final String SESSION = "session";
  public static final String OTHERS = "others";
  public static final String ID = "id";
  public static final String CODE = "code";
  public static final String MESSAGE = "message";

  private ControlMessages() {}

  /** The agent's hello; {@code name} and {@code basicAuth} may be null, {@code allow} empty. */
  public static String hello(String name, String basicAuth, List<String> allow) {
    JsonObject hello = new JsonObject().put(TYPE, HELLO).put(VERSION, LinkMessages.VERSION).put(AGENT, "arc-relay");
    if (name != null) hello.put(NAME, name);
    if (basicAuth != null) hello.put(BASIC_AUTH, basicAuth);
    if (!allow.isEmpty()) hello.put(ALLOW, new JsonArray(allow));
    return hello.encode();
  }

  public static String registered(String name, String url, String session) {
    return new JsonObject().put(TYPE, REGISTERED).put(NAME, name).put(URL, url).put(SESSION, session).encode();
  }

  public static String shared(int others) {
    return new JsonObject().put(TYPE, SHARED).put(OTHERS, others).encode();
  }

  public static String open(String linkId) {
    return new JsonObject().put(TYPE, OPEN).put(ID, linkId).encode();
  }

  public static String error(String code, String message) {
    return new JsonObject().put(TYPE, ERROR).put(CODE, code).put(MESSAGE, message).encode();
  }
}
