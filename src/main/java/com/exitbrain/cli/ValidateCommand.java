package com.exitbrain.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Checks the source's worked examples and SPEC's checks; non-zero exit on any failure. */
@Command(name = "validate", mixinStandardHelpOptions = true,
        description = "Check the engine against the source's worked examples and SPEC's checks,"
                + " at the SPEC's default tuning (the configuration is not read).")
final class ValidateCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        List<WorkedExamples.Check> checks = WorkedExamples.run();
        checks.forEach(out::println);
        long failed = checks.stream().filter(c -> !c.passed()).count();
        out.printf("%d checks, %d passed, %d failed%n", checks.size(), checks.size() - failed, failed);
        out.flush();
        return failed == 0 ? 0 : 1;
    }
}
