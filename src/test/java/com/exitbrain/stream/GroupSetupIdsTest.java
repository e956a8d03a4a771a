package com.exitbrain.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Stream ids compare as (milliseconds, sequence), numerically, the sequence unsigned. */
class GroupSetupIdsTest {
    @Test
    void comparesNumericallyNotAsText() {
        assertTrue(GroupSetup.compare("9-0", "10-0") < 0);
        assertTrue(GroupSetup.compare("10-2", "10-10") < 0);
        assertTrue(GroupSetup.compare("1795504345633-0", "1795504345633-1") < 0);
        assertTrue(GroupSetup.compare("1795504345634-0", "1795504345633-99") > 0);
        assertEquals(0, GroupSetup.compare("1795504345633-7", "1795504345633-7"));
        assertEquals(0, GroupSetup.compare("0-0", "0-0"));
    }

    @Test
    void sequenceIsUnsigned() {
        assertTrue(GroupSetup.compare("5-18446744073709551615", "5-1") > 0);
        assertTrue(GroupSetup.compare(GroupSetup.predecessor("6-0"), "6-0") < 0);
        assertTrue(GroupSetup.compare(GroupSetup.predecessor("6-0"), "5-9") > 0);
    }
}
