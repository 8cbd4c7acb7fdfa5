package org.ovaflow.validate.checksum;

/**
 * Another reader of the entries' bytes in the one streaming pass of {@link PackageVerifier}: {@code ovaflow
 * inspect} hands a disk image to the transcode stage's reader as the tar walk streams it past, so a disk read
 * forward is read once. The bytes are the walk's own buffers, lent rather than copied: the walk cannot take
 * another buffer from its small pool until enough lent ones are released, so a slow reader holds the walk back
 * (bounded memory) and one that no longer reads must release what it is given at once (a drain).
 */
@FunctionalInterface
public interface EntryTap {

    /**
     * A sink for the data of the file entry {@code name} of {@code size} bytes, whose first {@code length} bytes
     * are {@code head} (also handed to the sink, as the first bytes); null to leave the entry alone.
     *
     * @param listedInManifest a manifest read before the entry lists it: its digest is checked at the end of the
     *                         pass, and a failing digest rejects the package
     */
    Sink open(String name, long size, byte[] head, int length, boolean listedInManifest);

    /** One entry's bytes, in order. */
    interface Sink {

        /**
         * The next {@code length} bytes of the entry in {@code bytes[0, length)}, valid until {@code release} is
         * run (once, on any thread). Never blocks.
         */
        void accept(byte[] bytes, int length, Runnable release);

        /** Every byte of the entry was accepted. */
        void end();
    }
}
