package org.ovaflow.core.store;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

import static org.assertj.core.api.Assertions.assertThat;

/** The store client's sockets send at once: Nagle's algorithm is off on every socket the factory makes. */
class NoDelaySocketFactoryTest {

    private final NoDelaySocketFactory factory = new NoDelaySocketFactory();

    @Test
    void anUnconnectedSocketKeepsNoDelayOnceConnected() throws IOException {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (ServerSocket server = new ServerSocket(0, 5, loopback);
             Socket socket = factory.createSocket()) {
            assertThat(socket.getTcpNoDelay()).isTrue();
            socket.connect(new InetSocketAddress(loopback, server.getLocalPort()), 5_000);
            try (Socket accepted = server.accept()) {
                assertThat(socket.getTcpNoDelay()).isTrue();
            }
        }
    }

    @Test
    void everyConnectingVariantHasNoDelay() throws IOException {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (ServerSocket server = new ServerSocket(0, 5, loopback)) {
            int port = server.getLocalPort();
            try (Socket byName = factory.createSocket(loopback.getHostAddress(), port);
                 Socket byNameFrom = factory.createSocket(loopback.getHostAddress(), port, loopback, 0);
                 Socket byAddress = factory.createSocket(loopback, port);
                 Socket byAddressFrom = factory.createSocket(loopback, port, loopback, 0)) {
                for (Socket socket : new Socket[] {byName, byNameFrom, byAddress, byAddressFrom}) {
                    assertThat(socket.isConnected()).isTrue();
                    assertThat(socket.getTcpNoDelay()).isTrue();
                }
            }
        }
    }
}
