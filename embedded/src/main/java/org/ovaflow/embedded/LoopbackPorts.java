package org.ovaflow.embedded;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Properties;

/** Loopback port helpers shared by the embedded servers: free-port picking and a ports file in the data dir. */
final class LoopbackPorts {

    static final String LOOPBACK_HOST = "127.0.0.1";

    private LoopbackPorts() {
    }

    static InetAddress loopback() {
        try {
            return InetAddress.getByName(LOOPBACK_HOST);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether {@code port} can be bound on 127.0.0.1 right now. */
    static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            // same SO_REUSEADDR as the servers use, so a port in TIME_WAIT after our own close counts as free
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(loopback(), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Asks the OS for a free loopback port. There is a small window before the server binds it; that is
     * accepted because a KRaft voter address must be known before the controller starts.
     */
    static int pickFree() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(loopback(), 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }

    /**
     * Resolves the port to use for {@code key}: the requested one if not 0, else the one remembered in
     * {@code stored} if it is still free, else a fresh free port.
     */
    static int resolve(int requested, Properties stored, String key) {
        if (requested != 0) {
            return requested;
        }
        String remembered = stored.getProperty(key);
        if (remembered != null) {
            int port = Integer.parseInt(remembered.trim());
            if (isFree(port)) {
                return port;
            }
        }
        return pickFree();
    }

    static void checkPort(int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }

    static Properties load(Path file) {
        Properties props = new Properties();
        if (Files.isRegularFile(file)) {
            try (InputStream in = Files.newInputStream(file)) {
                props.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
        }
        return props;
    }

    static void store(Path file, Properties props, String comment) {
        // write then rename so a crash never leaves a half-written ports file behind
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                props.store(out, comment);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
