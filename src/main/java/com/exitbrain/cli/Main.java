package com.exitbrain.cli;

import com.exitbrain.config.ConfigurationError;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar exitbrain.jar run | levels | plan | validate} (SPEC §7). */
@Command(name = "exitbrain", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Adaptive leverage-aware take-profit / stop-loss levels over Redis Streams.",
        subcommands = {RunCommand.class, LevelsCommand.class, PlanCommand.class, ValidateCommand.class,
                WarmUpCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    public static int execute(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, command, parsed) -> {
            if (e instanceof ConfigurationError) {
                command.getErr().println("exitbrain: bad configuration: " + e.getMessage());
                return ConfigurationError.EXIT_STATUS;
            }
            if (e instanceof java.net.BindException || e instanceof java.net.UnknownHostException) {
                command.getErr().println("exitbrain: " + e.getMessage());
                return 1;
            }
            throw e;
        });
        cli.setParameterExceptionHandler((e, a) -> {
            e.getCommandLine().getErr().println("exitbrain: " + e.getMessage()
                    + " (see " + e.getCommandLine().getCommandSpec().qualifiedName() + " --help)");
            return CommandLine.ExitCode.USAGE;
        });
        return cli.execute(args);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required: run, levels, plan or validate");
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {"exitbrain " + (version == null ? "3.5" : version)};
        }
    }
}
