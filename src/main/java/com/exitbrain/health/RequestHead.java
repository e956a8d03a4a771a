package com.exitbrain.health;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * The request line of an HTTP request, read from a client under two limits: the whole head (request
 * line and headers) within {@code maxBytes} and within {@code limitMs}, however slowly it trickles
 * in. A client over either gets an answer ({@link Refused}: 431, 408 or 400), not a reset.
 */
record RequestHead(String method, String path) {

    /** A request that is answered with {@code status} and nothing more. */
    static final class Refused extends Exception {
        final int status;

        Refused(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    static RequestHead read(Socket client, long limitMs, int maxBytes) throws IOException, Refused {
        long deadline = System.nanoTime() + limitMs * 1_000_000;
        InputStream in = client.getInputStream();
        byte[] head = new byte[maxBytes];
        int length = 0;
        while (!complete(head, length)) {
            if (length == maxBytes) {
                throw new Refused(431, "request head over " + maxBytes + " bytes");
            }
            long remainingMs = (deadline - System.nanoTime()) / 1_000_000;
            if (remainingMs <= 0) {
                throw new Refused(408, "request not received within " + limitMs + " ms");
            }
            client.setSoTimeout((int) remainingMs);
            int n;
            try {
                n = in.read(head, length, maxBytes - length);
            } catch (SocketTimeoutException e) {
                throw new Refused(408, "request not received within " + limitMs + " ms");
            }
            if (n < 0) {
                throw new IOException("client closed the connection mid-request");
            }
            length += n;
        }
        return parse(new String(head, 0, lineEnd(head, length), StandardCharsets.ISO_8859_1));
    }

    private static RequestHead parse(String requestLine) throws Refused {
        String[] parts = requestLine.split(" ", -1);
        if (parts.length != 3 || parts[0].isEmpty() || !parts[1].startsWith("/") || !parts[2].startsWith("HTTP/1.")) {
            throw new Refused(400, "malformed request line");
        }
        int query = parts[1].indexOf('?');
        return new RequestHead(parts[0], query < 0 ? parts[1] : parts[1].substring(0, query));
    }

    /** Whether the head has ended: an empty line (CRLF CRLF, or bare LF LF from lenient clients). */
    private static boolean complete(byte[] b, int length) {
        for (int i = 1; i < length; i++) {
            if (b[i] == '\n' && (b[i - 1] == '\n' || i >= 3 && b[i - 1] == '\r' && b[i - 2] == '\n')) {
                return true;
            }
        }
        return false;
    }

    private static int lineEnd(byte[] b, int length) {
        for (int i = 0; i < length; i++) {
            if (b[i] == '\n') {
                return i > 0 && b[i - 1] == '\r' ? i - 1 : i;
            }
        }
        return length;
    }
}
