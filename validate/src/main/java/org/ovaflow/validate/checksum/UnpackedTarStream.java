package org.ovaflow.validate.checksum;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.List;

/**
 * The files of an unpacked package as the bytes of one tar, made while it is read: each member's header, then
 * its data as it is read from its own stream (opened only when its turn comes), so no more than a chunk of one
 * file is held however large the files are. The caller gives the members in DSP0243's order: descriptor,
 * manifest, certificate, then the referenced files.
 */
final class UnpackedTarStream extends InputStream {

    /** One file of the package: its name in the tar, its size (the header states it first) and its data. */
    record Member(String name, long size, Opener data) {
    }

    /** Opens a member's data when the tar reaches it. */
    @FunctionalInterface
    interface Opener {
        InputStream open() throws IOException;
    }

    private static final int CHUNK = 64 * 1024;

    private final Iterator<Member> members;
    private final Buffer produced = new Buffer();
    private final TarArchiveOutputStream tar;
    private final byte[] chunk = new byte[CHUNK];
    private Member member;
    private InputStream data;
    private long left;
    private int position;
    private boolean finished;

    UnpackedTarStream(List<Member> members) {
        this.members = List.copyOf(members).iterator();
        this.tar = new TarArchiveOutputStream(produced);
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        // disks over 8 GiB: a PAX size record, which every tar reader (and ovaflow's walk) understands
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (position == produced.size()) {
            produced.reset();
            position = 0;
            if (!produceMore()) {
                return -1;
            }
        }
        int n = Math.min(len, produced.size() - position);
        System.arraycopy(produced.bytes(), position, b, off, n);
        position += n;
        return n;
    }

    /** Writes the next piece of the tar into {@link #produced}; false once the archive is complete. */
    private boolean produceMore() throws IOException {
        if (finished) {
            return false;
        }
        if (member == null) {
            if (!members.hasNext()) {
                tar.finish();
                tar.close();
                finished = true;
                return true;
            }
            member = members.next();
            TarArchiveEntry entry = new TarArchiveEntry(member.name(), true);
            entry.setSize(member.size());
            entry.setMode(0644);
            tar.putArchiveEntry(entry);
            data = member.size() == 0 ? InputStream.nullInputStream() : member.data().open();
            left = member.size();
            return true;
        }
        if (left > 0) {
            int n = data.read(chunk, 0, (int) Math.min(chunk.length, left));
            if (n < 0) {
                throw new IOException(member.name() + " ended " + left + " bytes before its stated size of "
                        + member.size());
            }
            tar.write(chunk, 0, n);
            left -= n;
            return true;
        }
        data.close();
        tar.closeArchiveEntry();
        member = null;
        return true;
    }

    @Override
    public void close() throws IOException {
        if (data != null) {
            data.close();
        }
    }

    /** A ByteArrayOutputStream whose bytes are read in place. */
    private static final class Buffer extends ByteArrayOutputStream {
        Buffer() {
            super(CHUNK + 2 * 10240);
        }

        byte[] bytes() {
            return buf;
        }
    }
}
