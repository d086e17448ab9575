package io.cinderblock.tck.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The UDP fault proxy (SNMP's transport) in front of a datagram echo server on 127.0.0.1. */
class UdpFaultProxyTest {
    private DatagramSocket echo;
    private UdpFaultProxy proxy;

    @BeforeEach
    void start() throws IOException {
        echo = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[1500];
            while (!echo.isClosed()) {
                try {
                    DatagramPacket p = new DatagramPacket(buffer, buffer.length);
                    echo.receive(p);
                    byte[] answer = ("echo " + new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8))
                            .getBytes(StandardCharsets.UTF_8);
                    echo.send(new DatagramPacket(answer, answer.length, p.getSocketAddress()));
                } catch (IOException e) {
                    return;
                }
            }
        });
        t.setDaemon(true);
        t.start();
        proxy = UdpFaultProxy.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), echo.getLocalPort()));
    }

    @AfterEach
    void stop() {
        proxy.close();
        echo.close();
    }

    private String ask(String text, int timeoutMillis) throws IOException {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            socket.setSoTimeout(timeoutMillis);
            byte[] data = text.getBytes(StandardCharsets.UTF_8);
            socket.send(new DatagramPacket(data, data.length, proxy.address()));
            byte[] buffer = new byte[1500];
            DatagramPacket answer = new DatagramPacket(buffer, buffer.length);
            socket.receive(answer);
            return new String(answer.getData(), 0, answer.getLength(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void passForwardsAnswers() throws IOException {
        assertThat(ask("get", 2000)).isEqualTo("echo get");
    }

    @Test
    void stallDropsDatagramsUntilHealed() throws IOException {
        proxy.mode(FaultMode.STALL);
        assertThatThrownBy(() -> ask("lost", 300)).isInstanceOf(SocketTimeoutException.class);
        proxy.heal();
        assertThat(ask("found", 2000)).isEqualTo("echo found");
    }

    @Test
    void slowDelaysAnswers() throws IOException {
        proxy.latency(Duration.ofMillis(300));
        proxy.mode(FaultMode.SLOW);
        long start = System.nanoTime();
        assertThat(ask("slow", 3000)).isEqualTo("echo slow");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    }

    @Test
    void refuseClosesThePortAndHealReopensIt() throws IOException {
        proxy.mode(FaultMode.REFUSE);
        assertThatThrownBy(() -> ask("nobody", 300)).isInstanceOf(IOException.class);
        proxy.heal();
        assertThat(ask("back", 2000)).isEqualTo("echo back");
    }

    @Test
    void resetIsNotAUdpFault() {
        assertThat(proxy.supports(FaultMode.RESET)).isFalse();
        assertThatThrownBy(() -> proxy.mode(FaultMode.RESET)).isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("UDP has no connection");
    }
}
