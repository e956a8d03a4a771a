package com.exitbrain.redis;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.Arrays;

/**
 * Redis arguments written as RESP bulk strings ({@code $<length>\r\n<bytes>\r\n}) straight into one
 * growing byte array, as they are produced. A commit call has some 4,800 arguments; handing them to
 * Lettuce one String at a time costs an argument object each and, on Lettuce's I/O thread, a length
 * header and a UTF-8 encoding each (a third of that thread's time in a drain's profile). Written
 * here, the I/O thread copies one array. The bytes are those Lettuce writes for the same Strings
 * with {@link Utf8Codec} (RespWriterTest).
 */
public final class RespWriter {
    private static final byte[] CRLF = {'\r', '\n'};

    private byte[] bytes;
    private int length;
    private int count;

    public RespWriter(int capacity) {
        bytes = new byte[Math.max(64, capacity)];
    }

    /** One argument, encoded as UTF-8. */
    @SuppressWarnings("deprecation") // getBytes(int, int, byte[], int): chars to bytes, right for ASCII
    public RespWriter bulk(String s) {
        int n = s.length();
        int ascii = 0;
        while (ascii < n && s.charAt(ascii) < 0x80) {
            ascii++;
        }
        if (ascii < n) {
            // Netty's encoder, as Utf8Codec's: its bytes for malformed UTF-16 differ from the JDK's
            byte[] utf8 = new byte[ByteBufUtil.utf8Bytes(s)];
            ByteBufUtil.reserveAndWriteUtf8(Unpooled.wrappedBuffer(utf8).clear(), s, utf8.length);
            return bulk(utf8);
        }
        header(n);
        ensure(n + 2);
        // ASCII: one byte a char, copied whole (a loop of charAt was a tenth of the worker's time)
        s.getBytes(0, n, bytes, length);
        length += n;
        bytes[length++] = '\r';
        bytes[length++] = '\n';
        return this;
    }

    /** One argument of these bytes. */
    public RespWriter bulk(byte[] value) {
        header(value.length);
        ensure(value.length + 2);
        System.arraycopy(value, 0, bytes, length, value.length);
        length += value.length;
        bytes[length++] = '\r';
        bytes[length++] = '\n';
        return this;
    }

    /** One argument: a whole number, its digits written in place (the key indexes of every record). */
    public RespWriter bulk(long value) {
        if (value < 0) {
            return bulk(Long.toString(value));
        }
        int digits = digits(value);
        header(digits);
        ensure(digits + 2);
        writeDigits(value, digits);
        bytes[length++] = '\r';
        bytes[length++] = '\n';
        return this;
    }

    /** The decimal digits of a non-negative number, in place at the end (room ensured). */
    private void writeDigits(long value, int digits) {
        long rest = value;
        for (int i = length + digits - 1; i >= length; i--, rest /= 10) {
            bytes[i] = (byte) ('0' + rest % 10);
        }
        length += digits;
    }

    private static int digits(long value) {
        int digits = 1;
        for (long rest = value / 10; rest > 0; rest /= 10) {
            digits++;
        }
        return digits;
    }

    /** Arguments already written by another writer, appended whole. */
    public RespWriter append(RespWriter other) {
        ensure(other.length);
        System.arraycopy(other.bytes, 0, bytes, length, other.length);
        length += other.length;
        count += other.count;
        return this;
    }

    /** How many arguments are written. */
    public int count() {
        return count;
    }

    /** Where the writer stands, in bytes: {@link #truncate} to it drops what came after. */
    public int position() {
        return length;
    }

    /** Drops the arguments written after {@code position}, leaving {@code count} of them. */
    public void truncate(int position, int count) {
        if (position > length || count > this.count) {
            throw new IllegalArgumentException("truncate forward: " + position + " > " + length);
        }
        this.length = position;
        this.count = count;
    }

    public void writeTo(ByteBuf target) {
        target.writeBytes(bytes, 0, length);
    }

    public int length() {
        return length;
    }

    byte[] toBytes() {
        return Arrays.copyOf(bytes, length);
    }

    private void header(int size) {
        ensure(24);
        count++;
        bytes[length++] = '$';
        // the digits of the length, written in place (no String per argument)
        writeDigits(size, digits(size));
        bytes[length++] = CRLF[0];
        bytes[length++] = CRLF[1];
    }

    private void ensure(int more) {
        if (length + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
        }
    }
}
