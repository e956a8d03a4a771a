package com.exitbrain.cli;

import com.exitbrain.config.Settings;
import com.exitbrain.config.SettingsLoader;
import com.exitbrain.engine.Decimals;
import com.exitbrain.event.InputNumbers;
import com.exitbrain.engine.InvalidInputException;
import com.exitbrain.engine.LevelEngine;
import com.exitbrain.engine.LevelSet;
import com.exitbrain.plan.ExitPlan;
import com.exitbrain.plan.Fill;
import com.exitbrain.plan.FillOrder;
import com.exitbrain.plan.PlanRecord;
import com.exitbrain.plan.PlanRules;
import com.exitbrain.plan.StopRule;
import com.exitbrain.plan.StopRules;
import com.exitbrain.output.LevelsRecord;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Follows one position's exit plan through a list of fills (SPEC §9), with the worker's code: the
 * levels of {@link LevelEngine}, the plan of {@link PlanRules}, the entries of {@link LevelsRecord}
 * and {@link PlanRecord}. Nothing is read from or written to Redis.
 */
@Command(name = "plan", mixinStandardHelpOptions = true,
        description = {"Create a position's exit plan and apply fills to it, printing the plan after each fill "
                + "as the worker would publish it (or --json: one JSON object per line, the levels entry first).",
                "A fill the rules refuse (overfill, position_closed) prints its dead-letter code and reason; "
                        + "the plan is unchanged and the next fill is applied. Plan entries carry source_id "
                        + "cli:<n> (the n-th --fill) where the worker puts the fill's stream entry id."})
final class PlanCommand implements Callable<Integer> {
    @CommandLine.Mixin
    PositionOptions position;
    @Option(names = "--position-id", defaultValue = "p1", description = "The position id (default ${DEFAULT-VALUE}).")
    String positionId;
    @Option(names = "--fill", paramLabel = "<order>:<quantity>@<price>[:fee=<fee>][:id=<fill_id>]",
            description = "A fill, applied in the order given; order is tp1, tp2, tp3, sl or close; the fee is in "
                    + "the quote currency (negative for a rebate, default 0); the id defaults to f1, f2, ... "
                    + "(its place in the list). Repeatable.")
    List<String> fills = new ArrayList<>();
    @Option(names = "--after-tp1", paramLabel = "breakeven|keep",
            description = "Stop rule once TP1 is reached (default: the plan.after-tp1 setting, breakeven unless configured).")
    String afterTp1;
    @Option(names = "--after-tp2", paramLabel = "tp1|breakeven|keep",
            description = "Stop rule once TP2 is reached (default: the plan.after-tp2 setting, tp1 unless configured).")
    String afterTp2;
    @Option(names = "--breakeven-offset", paramLabel = "0..0.01",
            description = "Breakeven = entry x (1 + dir x offset) (default: the plan.breakeven-offset setting, 0 unless configured).")
    String breakevenOffset;
    @Option(names = "--json", description = "One JSON object per line: the levels entry's fields, then each plan "
            + "entry's fields, a refusal as {\"error\", \"reason\"}.")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Settings settings = SettingsLoader.fromEnvironment();
        List<Fill> parsedFills = new ArrayList<>(fills.size());
        for (int i = 0; i < fills.size(); i++) {
            try {
                parsedFills.add(parseFill(fills.get(i), positionId, "f" + (i + 1)));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--fill " + fills.get(i) + ": " + e.getMessage());
            }
        }
        StopRules rules = stopRules(settings.plans().stopRules());
        List<String> missing = new ArrayList<>();
        if (position.side == null || position.side.isEmpty()) {
            missing.add("--side");
        }
        if (position.entry == null) {
            missing.add("--entry");
        }
        if (position.quantity == null) {
            missing.add("--quantity");
        }
        if (!missing.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "a plan needs a position with --side, "
                    + "--entry and --quantity; missing: " + String.join(", ", missing));
        }
        PositionOptions.Position p;
        LevelSet set;
        try {
            p = position.read(settings);
            set = new LevelEngine(settings.tuning()).compute(p.request());
        } catch (InvalidInputException e) {
            err.println("exitbrain plan: " + e.code().wire() + ": " + e.reason());
            return CommandLine.ExitCode.USAGE;
        }
        long now = Instant.now().getEpochSecond();
        ExitPlan plan = PlanRules.create(positionId, p.symbol(), p.side().orElseThrow(), p.request().leverage(),
                p.entryPrice(), p.quantity(), p.tickSize(), set.prices().orElseThrow(), set.quantities().orElseThrow());
        PlanRules planRules = new PlanRules(rules);
        boolean recordTrades = settings.plans().recordTrades();
        ObjectMapper mapper = new ObjectMapper();

        Map<String, String> levels = LevelsRecord.fields(set, p.context(positionId), now);
        levels.put("plan", "created");
        if (json) {
            out.println(mapper.writeValueAsString(levels));
        } else {
            out.println("Plan " + positionId + ": " + plan.side().wire() + " " + Decimals.plain(plan.quantity()) + " "
                    + plan.symbol() + " @ " + Decimals.plain(plan.entryPrice()) + ", leverage " + plan.leverage()
                    + " (levels " + levels.get("mode") + ", warnings " + levels.get("warnings") + ")");
            out.println("Stop rules: after tp1 " + word(rules.afterTp1()) + ", after tp2 " + word(rules.afterTp2())
                    + ", breakeven offset " + Decimals.plain(rules.breakevenOffset()));
            out.println();
            out.print(table("plan created", plan, false, null, false));
        }
        Set<String> applied = new HashSet<>();
        for (int i = 0; i < parsedFills.size(); i++) {
            Fill fill = parsedFills.get(i);
            String title = fill.fillId() + ": " + fill.order().wire() + " " + Decimals.plain(fill.quantity()) + " @ "
                    + Decimals.plain(fill.price()) + (fill.fee().signum() == 0 ? "" : ", fee " + Decimals.plain(fill.fee()));
            if (applied.contains(fill.fillId())) { // rule 1: acknowledged, nothing else (no plan entry)
                if (!json) {
                    out.println();
                    out.println(title + ": fill_id already applied: nothing changes, no plan entry");
                }
                continue;
            }
            PlanRules.Outcome outcome = planRules.apply(plan, fill);
            if (outcome instanceof PlanRules.Refused refused) {
                if (json) {
                    Map<String, String> error = new LinkedHashMap<>();
                    error.put("error", refused.code().wire());
                    error.put("reason", refused.reason());
                    out.println(mapper.writeValueAsString(error));
                } else {
                    out.println();
                    out.println(title + ": refused, dead letter " + refused.code().wire() + ": " + refused.reason());
                }
                continue;
            }
            PlanRules.Applied done = (PlanRules.Applied) outcome;
            applied.add(fill.fillId());
            plan = done.plan();
            boolean recorded = plan.closed() && recordTrades; // nothing was recorded before: the first recording
            if (json) {
                out.println(mapper.writeValueAsString(PlanRecord.fields(done, fill, "cli:" + (i + 1), now, recorded)));
            } else {
                out.println();
                out.print(table(title, plan, done.stopMoved(), done.pnl(), recorded));
            }
        }
        out.flush();
        return 0;
    }

    /** One step for a trader: what is open, the orders to have working, what has been realized. */
    private static String table(String title, ExitPlan plan, boolean moved, Double pnl, boolean recorded) {
        StringBuilder s = new StringBuilder();
        s.append(title).append('\n');
        row(s, "open quantity", Decimals.plain(plan.openQuantity()));
        for (int i = 0; i < 3; i++) {
            row(s, "tp" + (i + 1), Decimals.plain(plan.remaining().get(i)) + " @ " + Decimals.plain(plan.tpPrices().get(i))
                    + (plan.reached(i + 1) ? "  (reached)" : ""));
        }
        row(s, "stop", Decimals.plain(plan.slPrice()) + " x " + Decimals.plain(plan.slQuantity()) + "  ("
                + plan.stopReason().wire() + (moved ? ", moved" : ", not moved") + ")");
        row(s, "realized PnL", Decimals.plain(plan.realizedPnl()) + "  (fees " + Decimals.plain(plan.fees()) + ")");
        if (plan.closed()) {
            row(s, "status", "closed: pnl " + Decimals.plain(pnl) + " on the initial margin; "
                    + (recorded ? "the trade would be recorded as trade_id " + plan.positionId()
                            : "not recorded (plan.record-trades=false)"));
        } else {
            row(s, "status", "open");
        }
        return s.toString();
    }

    private static void row(StringBuilder s, String label, String value) {
        s.append(String.format(Locale.ROOT, "  %-14s%s%n", label, value));
    }

    private static String word(StopRule rule) {
        return rule.name().toLowerCase(Locale.ROOT);
    }

    /** The configured rules (SPEC §9 defaults unless configured), each flag given winning. */
    private StopRules stopRules(StopRules configured) {
        StopRule tp1 = afterTp1 == null ? configured.afterTp1()
                : rule("--after-tp1", afterTp1, StopRule.BREAKEVEN, StopRule.KEEP);
        StopRule tp2 = afterTp2 == null ? configured.afterTp2()
                : rule("--after-tp2", afterTp2, StopRule.TP1, StopRule.BREAKEVEN, StopRule.KEEP);
        BigDecimal offset = configured.breakevenOffset();
        if (breakevenOffset != null) {
            try {
                // as the setting is read: a number in 0..0.01, exact from its shortest form
                offset = Decimals.exact(InputNumbers.number("breakeven-offset", breakevenOffset, 0, 0.01));
            } catch (InvalidInputException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--breakeven-offset: " + e.reason());
            }
        }
        return new StopRules(tp1, tp2, offset);
    }

    private StopRule rule(String flag, String text, StopRule... allowed) {
        List<String> words = new ArrayList<>();
        for (StopRule r : allowed) {
            if (word(r).equals(text.trim().toLowerCase(Locale.ROOT))) {
                return r;
            }
            words.add(word(r));
        }
        throw new CommandLine.ParameterException(spec.commandLine(),
                flag + " is \"" + text + "\", expected one of " + String.join(", ", words));
    }

    /**
     * {@code <order>:<quantity>@<price>[:fee=<fee>][:id=<fill_id>]}, its numbers read as the worker
     * reads a fill event's; an {@link IllegalArgumentException} says what is wrong.
     */
    static Fill parseFill(String text, String positionId, String defaultId) {
        String[] parts = text.split(":", -1);
        if (parts.length < 2) {
            throw new IllegalArgumentException("expected <order>:<quantity>@<price>[:fee=<fee>][:id=<fill_id>]");
        }
        FillOrder order = FillOrder.parse(parts[0]).orElseThrow(() -> new IllegalArgumentException(
                "order is \"" + parts[0] + "\", expected one of tp1, tp2, tp3, sl, close"));
        int at = parts[1].indexOf('@');
        if (at < 0) {
            throw new IllegalArgumentException("expected <quantity>@<price> after the order");
        }
        String fee = null;
        String id = null;
        for (int i = 2; i < parts.length; i++) {
            String part = parts[i];
            if (part.startsWith("fee=") && fee == null) {
                fee = part.substring(4);
            } else if (part.startsWith("id=") && id == null && part.length() > 3) {
                id = part.substring(3);
            } else {
                throw new IllegalArgumentException("\"" + part + "\" is not fee=<fee> or id=<fill_id> (each at most once)");
            }
        }
        try {
            BigDecimal quantity = InputNumbers.positive("quantity", parts[1].substring(0, at));
            BigDecimal price = InputNumbers.positive("price", parts[1].substring(at + 1));
            BigDecimal feeValue = fee == null ? BigDecimal.ZERO : InputNumbers.exactDecimal("fee", fee);
            return new Fill(positionId, order, quantity, price, feeValue, id == null ? defaultId : id, null);
        } catch (InvalidInputException e) {
            throw new IllegalArgumentException(e.code().wire() + ": " + e.reason(), e);
        }
    }
}
