package com.exitbrain.stream;

import java.util.Map;

/**
 * One input entry as delivered: which stream, its id and fields ({@code null} when the entry was
 * deleted while pending), and how many times it has been delivered.
 */
record Inbound(InputKind kind, String stream, String id, Map<String, String> body, long deliveries) {
}
