package org.ovaflow.core.event;

import java.util.Base64;

/** Bytes an event carries in base64, checked against the size and sha256 it names for them. */
final class CarriedBytes {

    private CarriedBytes() {
    }

    /**
     * @throws IllegalArgumentException when {@code content} is not base64, or not {@code size} bytes with
     *                                  {@code sha256}
     */
    static byte[] decode(String name, String content, long size, String sha256) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(content);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + " is carried in a content that is not base64: "
                    + e.getMessage(), e);
        }
        String digest = Sha256.hex(bytes);
        if (bytes.length != size || !digest.equals(sha256)) {
            throw new IllegalArgumentException(name + " is carried as " + bytes.length + " bytes with sha256 " + digest
                    + ", not the " + size + " bytes with sha256 " + sha256 + " it names");
        }
        return bytes;
    }
}
