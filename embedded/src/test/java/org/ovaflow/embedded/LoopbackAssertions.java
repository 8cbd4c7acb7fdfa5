package org.ovaflow.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Checks that a TCP port is listened on 127.0.0.1 and on no other address. */
final class LoopbackAssertions {

    private static final String TCP_LISTEN = "0A";
    // 127.0.0.1 as /proc/net/tcp prints it (little endian), and as /proc/net/tcp6 prints ::ffff:127.0.0.1:
    // Java binds an IPv4 address through a dual-stack IPv6 socket unless java.net.preferIPv4Stack is set
    private static final Set<String> LOOPBACK_HEX = Set.of("0100007F", "0000000000000000FFFF00000100007F");

    private LoopbackAssertions() {
    }

    static void assertListensOnLoopbackOnly(int port) {
        assertListenTableShowsLoopbackOnly(port);
        assertOtherAddressesRefuse(port);
    }

    /** On Linux the kernel's socket table is the ground truth: every listener on the port must be 127.0.0.1. */
    private static void assertListenTableShowsLoopbackOnly(int port) {
        Path tcp4 = Path.of("/proc/net/tcp");
        if (!Files.isReadable(tcp4)) {
            return; // not Linux: the connect check below still runs
        }
        List<String> bound = listeners(tcp4, port);
        bound.addAll(listeners(Path.of("/proc/net/tcp6"), port));
        assertThat(bound).as("local addresses listening on port %d", port)
                .isNotEmpty()
                .allSatisfy(address -> assertThat(LOOPBACK_HEX).contains(address));
    }

    private static List<String> listeners(Path table, int port) {
        List<String> addresses = new ArrayList<>();
        if (!Files.isReadable(table)) {
            return addresses;
        }
        String portHex = String.format(Locale.ROOT, "%04X", port);
        try {
            for (String line : Files.readAllLines(table)) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 3 && f[1].endsWith(":" + portHex) && f[3].equals(TCP_LISTEN)) {
                    addresses.add(f[1].substring(0, f[1].indexOf(':')));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return addresses;
    }

    /** Connecting through any non-loopback IPv4 address of this machine must be refused. */
    private static void assertOtherAddressesRefuse(int port) {
        for (InetAddress address : nonLoopbackAddresses()) {
            assertThatThrownBy(() -> {
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress(address, port), 2_000);
                }
            }).as("connect to %s:%d", address.getHostAddress(), port).isInstanceOf(IOException.class);
        }
    }

    private static List<InetAddress> nonLoopbackAddresses() {
        List<InetAddress> result = new ArrayList<>();
        try {
            for (NetworkInterface nic : NetworkInterface.networkInterfaces().toList()) {
                if (nic.isUp() && !nic.isLoopback()) {
                    nic.inetAddresses().filter(a -> a instanceof Inet4Address).forEach(result::add);
                }
            }
        } catch (SocketException e) {
            throw new UncheckedIOException(e);
        }
        return result;
    }
}
