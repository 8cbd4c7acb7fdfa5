package org.ovaflow.app.chaos;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback TCP proxy in front of a server, to cut it off as a network partition or a stopped server would:
 * {@link #cut()} resets every open connection and refuses new ones until {@link #restore()}. Counts the
 * connections clients attempted, refused ones included, to tell what an outage cost in requests.
 */
final class TcpProxy implements AutoCloseable {

    private final int port;
    private final int target;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicLong attempts = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private volatile ServerSocket server;
    private volatile boolean cut;
    private volatile boolean closed;

    TcpProxy(int port, int target) throws IOException {
        this.port = port;
        this.target = target;
        listen();
    }

    int port() {
        return port;
    }

    long attempts() {
        return attempts.get();
    }

    long refused() {
        return refused.get();
    }

    /** Resets every connection; new ones are accepted and reset at once (the port stays bound, for restore). */
    void cut() {
        cut = true;
        open.forEach(TcpProxy::reset);
        open.clear();
    }

    void restore() {
        cut = false;
    }

    private void listen() throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        server = socket;
        Thread acceptor = new Thread(() -> {
            while (!closed) {
                try {
                    Socket client = socket.accept();
                    attempts.incrementAndGet();
                    if (cut) {
                        refused.incrementAndGet();
                        reset(client);
                    } else {
                        relay(client);
                    }
                } catch (IOException e) {
                    if (closed) {
                        return;
                    }
                }
            }
        }, "proxy-" + port);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private void relay(Socket client) {
        try {
            Socket upstream = new Socket(InetAddress.getLoopbackAddress(), target);
            open.add(client);
            open.add(upstream);
            pipe(client, upstream);
            pipe(upstream, client);
        } catch (IOException e) {
            refused.incrementAndGet();
            reset(client);
        }
    }

    private void pipe(Socket from, Socket to) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[64 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    out.write(buffer, 0, n);
                }
            } catch (IOException e) {
                // either side gone: the other goes too
            } finally {
                reset(from);
                reset(to);
                open.remove(from);
                open.remove(to);
            }
        }, "proxy-" + port + "-pipe");
        thread.setDaemon(true);
        thread.start();
    }

    /** Closes with a reset (SO_LINGER 0), as a crashed peer or a dropped link shows to the client. */
    private static void reset(Socket socket) {
        try {
            socket.setSoLinger(true, 0);
            socket.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        open.forEach(TcpProxy::reset);
    }
}
