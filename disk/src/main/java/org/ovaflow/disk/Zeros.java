package org.ovaflow.disk;

import java.util.Arrays;

/** Zero detection, vectorised by the JDK ({@link Arrays#mismatch} is an intrinsic). */
public final class Zeros {

    private static final byte[] ZEROS = new byte[64 * 1024];

    private Zeros() {
    }

    public static boolean allZero(byte[] bytes, int from, int length) {
        int at = from;
        int end = from + length;
        while (at < end) {
            int run = Math.min(ZEROS.length, end - at);
            if (Arrays.mismatch(bytes, at, at + run, ZEROS, 0, run) >= 0) {
                return false;
            }
            at += run;
        }
        return true;
    }
}
