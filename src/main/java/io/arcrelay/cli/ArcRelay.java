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
    description = {"A self-hostable WebSocket relay, for two things:",
        "- a pair relay: two endpoints that connect with the same ?pair=<code> are",
        "  spliced together (arc-relay start; then arc-relay pipe --pair demo, twice);",
        "- tunnels: a local HTTP or WebSocket service served at",
        "  http://<name>.<tunnelDomain>/ (arc-relay start --tunnel-tokens T; then",
        "  arc-relay tunnel --to http://127.0.0.1:3000 --token T)."},
    subcommands = {StartCommand.class, PipeCommand.class, TunnelCommand.class, TokenCommand.class, LoadGenerator.class})
public final class ArcRelay {

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  private static String optionName(CommandLine.Model.ArgSpec spec) {
    return spec instanceof OptionSpec option ? option.longestName() : spec.paramLabel();
  }

  /** The command line with one {@code start} flag per {@link Setting}. */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new ArcRelay());
    // A mistake on the command line is one line and exit code 2, as every command's own checks are.
    cli.setParameterExceptionHandler((e, args) -> {
      String message = e instanceof CommandLine.MissingParameterException missing && !missing.getMissing().isEmpty()
          ? missing.getMissing().stream().map(ArcRelay::optionName).reduce((a, b) -> a + ", " + b).orElseThrow()
              + (missing.getMissing().size() == 1 ? " is required" : " are required")
          : e.getMessage();
      e.getCommandLine().getErr().println("arc-relay: " + message);
      e.getCommandLine().getErr().flush();
      return 2;
    });
    CommandLine start = cli.getSubcommands().get("start");
    StartCommand command = start.getCommand();
    for (Setting setting : Setting.values()) {
      OptionSpec.Builder option = OptionSpec.builder(setting.flag());
      if (setting.isSwitch()) option.arity("0..1").fallbackValue("true"); // --cluster alone means true
      start.getCommandSpec().addOption(option
          .paramLabel("<" + setting.key() + ">")
          .type(String.class)
          // ${...} would be taken for one of picocli's variables (and shown as null): written as $${...}
          .description((setting.description() + (setting.defaultText() == null ? " (env " : " (default: "
              + setting.defaultText() + ", env ") + setting.env() + ")").replace("${", "$${"))
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
