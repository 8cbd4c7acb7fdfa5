package org.ovaflow.validate.fuzz;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Mutations of a seed input, as a coverage-blind fuzzer makes them: bytes flipped, runs overwritten with
 * values parsers trip on (octal size fields, huge numbers, markup), cuts and splices. Shrinkable by jqwik, so a
 * failure is reported as a small list of edits to the seed.
 */
final class Mutations {

    private Mutations() {
    }

    /** One edit at a position given as a fraction of the input's length, so it fits any seed. */
    record Edit(Kind kind, double where, int value, byte[] text) {
        enum Kind { FLIP, SET, OVERWRITE, INSERT, DELETE, TRUNCATE }

        byte[] applyTo(byte[] input) {
            if (input.length == 0) {
                return kind == Kind.INSERT ? text.clone() : input;
            }
            int at = Math.min(input.length - 1, (int) (where * input.length));
            return switch (kind) {
                case FLIP -> {
                    byte[] out = input.clone();
                    out[at] ^= (byte) (1 << (value & 7));
                    yield out;
                }
                case SET -> {
                    byte[] out = input.clone();
                    out[at] = (byte) value;
                    yield out;
                }
                case OVERWRITE -> {
                    byte[] out = input.clone();
                    System.arraycopy(text, 0, out, at, Math.min(text.length, out.length - at));
                    yield out;
                }
                case INSERT -> {
                    byte[] out = new byte[input.length + text.length];
                    System.arraycopy(input, 0, out, 0, at);
                    System.arraycopy(text, 0, out, at, text.length);
                    System.arraycopy(input, at, out, at + text.length, input.length - at);
                    yield out;
                }
                case DELETE -> {
                    int end = Math.min(input.length, at + 1 + (value & 0x1ff));
                    byte[] out = new byte[input.length - (end - at)];
                    System.arraycopy(input, 0, out, 0, at);
                    System.arraycopy(input, end, out, at, input.length - end);
                    yield out;
                }
                case TRUNCATE -> Arrays.copyOf(input, at);
            };
        }
    }

    /** What parsers of tar headers and XML trip on. */
    private static final List<String> TOKENS = List.of("77777777777", "99999999999 ", "\0\0\0\0", "../../etc/passwd",
            "/etc/shadow", "ustar\0", "ustar  \0", "././@LongLink", "30 path=", "PaxHeader", "-1", "18446744073709551615",
            "<!DOCTYPE x [<!ENTITY a \"aaaa\">]>", "&a;", "<xi:include href=\"file:///etc/passwd\"/>", "</Envelope>",
            "<Envelope>", "ovf:capacity=\"99999999999999999999\"", "byte * 2^62", "${x}", "]]>", "<![CDATA[",
            "\uFEFF", "\u0000", "SHA256(disk1.img)= ", "SHA1 (", "-----BEGIN CERTIFICATE-----\n");

    static Arbitrary<List<Edit>> edits(int max) {
        Arbitrary<Edit.Kind> kinds = Arbitraries.of(Edit.Kind.class);
        Arbitrary<Double> where = Arbitraries.doubles().between(0, 1);
        Arbitrary<Integer> values = Arbitraries.integers().between(0, 0xffff);
        Arbitrary<byte[]> texts = Arbitraries.oneOf(
                Arbitraries.of(TOKENS).map(t -> t.getBytes(StandardCharsets.UTF_8)),
                Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(64));
        return Combinators.combine(kinds, where, values, texts).as(Edit::new).list().ofMinSize(1).ofMaxSize(max);
    }

    static byte[] apply(byte[] seed, List<Edit> edits) {
        byte[] out = seed;
        for (Edit edit : edits) {
            out = edit.applyTo(out);
        }
        return out;
    }

    /** Bytes this thread allocated so far: how the fuzz tests hold parsers to bounded memory. */
    static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }
}
