package com.exitbrain.plan;

import java.math.BigDecimal;

/**
 * A fill of one of a position's exit orders (SPEC §9), validated: quantity and price above 0, the
 * fee any exact decimal (negative for a maker rebate).
 */
public record Fill(String positionId, FillOrder order, BigDecimal quantity, BigDecimal price, BigDecimal fee,
                   String fillId, String filledAt) {
}
