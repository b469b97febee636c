package io.arcrelay.cli;

import io.arcrelay.bench.LoadGenerator;
import io.arcrelay.config.Setting;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The {@code arc-relay} command line.
 *
 * <ul>
 *   <li>{@code arc-relay start [--port 8765] [--host 0.0.0.0] [--pair-ttl 5m] [--config conf/relay.json] ...}
 *       runs a relay node until SIGINT/SIGTERM.</li>
 *   <li>{@code arc-relay pipe --pair CODE [--relay ws://127.0.0.1:8765]} joins a pair and copies
 *       stdin to the peer and the peer to stdout.</li>
 *   <li>{@code arc-relay tunnel --to http://127.0.0.1:3000 --token T [--name myapp] [--relay ws://127.0.0.1:8765]}
 *       exposes a local service at {@code http://<name>.<tunnelDomain>/} through the relay.</li>
 *   <li>{@code arc-relay token --pair CODE [--ttl 10m] [--secret-file FILE]} prints an access token for the code.</li>
 *   <li>{@code arc-relay bench ...} is the load generator behind {@code docs/benchmarks.md}.</li>
 * </ul>
 *
 * Exit codes: 0 success, 1 runtime failure, 2 bad command line or configuration.
 */
@Command(name = "arc-relay", mixinStandardHelpOptions = true, version = "arc-relay 0.1.0",
    scope = CommandLine.ScopeType.INHERIT, // `arc-relay start --help` works too
    description = "WebSocket pair relay: two endpoints with the same ?pair=<code> are spliced together.",
    subcommands = {StartCommand.class, PipeCommand.class, TunnelCommand.class, TokenCommand.class, LoadGenerator.class})
public final class ArcRelay {

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The command line with one {@code start} flag per {@link Setting}. */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new ArcRelay());
    CommandLine start = cli.getSubcommands().get("start");
    StartCommand command = start.getCommand();
    for (Setting setting : Setting.values()) {
      OptionSpec.Builder option = OptionSpec.builder(setting.flag());
      if (setting.isSwitch()) option.arity("0..1").fallbackValue("true"); // --cluster alone means true
      start.getCommandSpec().addOption(option
          .paramLabel("<" + setting.key() + ">")
          .type(String.class)
          .description(setting.description() + " (default: " + setting.defaultValue()
              + ", env " + setting.env() + ")")
          .setter(new CommandLine.Model.ISetter() {
            @Override
            public <T> T set(T value) {
              if (value != null) command.flag(setting, (String) value);
              return null;
            }
          })
          .build());
    }
    return cli;
  }
}
