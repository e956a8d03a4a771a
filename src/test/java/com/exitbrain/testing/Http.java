package com.exitbrain.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** GET on a worker's HTTP port ({@code /health}, {@code /metrics}), its JSON parsed rather than matched as text. */
public final class Http {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    private Http() {
    }

    /** A status and a body; {@link #json} parses the body. */
    public record Response(int status, String body) {
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (JsonProcessingException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }

        /** {@code /health}'s {@code streams.<stream>} object: {@code lag}, {@code pending} (and {@code group} when missing). */
        public JsonNode stream(String stream) {
            return json().path("streams").path(stream);
        }
    }

    /** What {@code /health} shows for an input stream whose group has read and acked everything. */
    public static final JsonNode CAUGHT_UP = parse("{\"lag\":0,\"pending\":0}");

    public static Response get(int port, String path) {
        return get(port, path, Duration.ofSeconds(10));
    }

    /** With a time limit of its own: a port that hangs fails the test. */
    public static Response get(int port, String path, Duration timeout) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(timeout).build();
        try {
            HttpResponse<String> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException("GET " + request.uri(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: GET " + request.uri(), e);
        }
    }

    public static Response health(int port) {
        return get(port, "/health");
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
