package com.exitbrain.event;

import com.exitbrain.engine.ErrorCode;
import com.exitbrain.event.InputNumbers;
import com.exitbrain.engine.InvalidInputException;
import com.exitbrain.plan.Fill;
import com.exitbrain.plan.FillOrder;
import java.math.BigDecimal;

/** Reads a fill event (SPEC §9) into a {@link Fill}; a bad field is an {@link InvalidInputException}. */
public final class FillEvent {
    private FillEvent() {
    }

    public static Fill parse(EventFields f, String entryId) {
        String positionId = f.required("position_id");
        String orderText = f.required("order");
        FillOrder order = FillOrder.parse(orderText).orElseThrow(() -> new InvalidInputException(ErrorCode.INVALID_VALUE,
                "order is \"" + InputNumbers.abbreviate(orderText) + "\", expected one of tp1, tp2, tp3, sl, close."));
        BigDecimal quantity = InputNumbers.positive("quantity", f.requiredNumericText("quantity"));
        BigDecimal price = InputNumbers.positive("price", f.requiredNumericText("price"));
        String feeText = f.numericText("fee");
        BigDecimal fee = feeText == null ? BigDecimal.ZERO : InputNumbers.exactDecimal("fee", feeText);
        String fillId = f.text("fill_id");
        return new Fill(positionId, order, quantity, price, fee, fillId == null ? entryId : fillId, f.text("filled_at"));
    }
}
