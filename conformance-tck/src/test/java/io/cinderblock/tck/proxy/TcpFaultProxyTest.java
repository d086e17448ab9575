package io.cinderblock.tck.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Each mode of the TCP fault proxy, in front of a line echo server on 127.0.0.1. */
class TcpFaultProxyTest {
    private ServerSocket echo;
    private Thread echoThread;
    private TcpFaultProxy proxy;

    @BeforeEach
    void start() throws IOException {
        echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        echoThread = new Thread(() -> {
            while (!echo.isClosed()) {
                try {
                    Socket s = echo.accept();
                    Thread t = new Thread(() -> serve(s));
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    return;
                }
            }
        });
        echoThread.setDaemon(true);
        echoThread.start();
        proxy = TcpFaultProxy.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), echo.getLocalPort()));
    }

    private static void serve(Socket socket) {
        try (socket; BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                StandardCharsets.UTF_8)); PrintWriter out = new PrintWriter(socket.getOutputStream(), true,
                        StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null) {
                out.println("echo " + line);
            }
        } catch (IOException e) {
            // client went away
        }
    }

    @AfterEach
    void stop() throws Exception {
        proxy.close();
        echo.close();
        echoThread.join(2000);
    }

    private String ask(String line, int timeoutMillis) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(proxy.address(), timeoutMillis);
            socket.setSoTimeout(timeoutMillis);
            PrintWriter out = new PrintWriter(socket.getOutputStream(), true, StandardCharsets.UTF_8);
            out.println(line);
            return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8)).readLine();
        }
    }

    @Test
    void passForwardsBothWays() throws IOException {
        assertThat(ask("hello", 2000)).isEqualTo("echo hello");
        assertThat(proxy.address().getAddress().isLoopbackAddress()).isTrue();
    }

    @Test
    void refuseStopsListeningAndHealListensOnTheSamePort() throws IOException {
        int port = proxy.address().getPort();
        proxy.mode(FaultMode.REFUSE);
        assertThatThrownBy(() -> ask("x", 2000)).isInstanceOf(ConnectException.class);
        proxy.heal();
        assertThat(proxy.address().getPort()).isEqualTo(port);
        assertThat(ask("back", 2000)).isEqualTo("echo back");
    }

    @Test
    void resetAbortsAcceptedConnections() {
        proxy.mode(FaultMode.RESET);
        assertThatThrownBy(() -> ask("x", 2000)).isInstanceOf(SocketException.class)
                .hasMessageContaining("reset");
    }

    @Test
    void stallAcceptsAndNeverAnswers() throws IOException {
        proxy.mode(FaultMode.STALL);
        assertThatThrownBy(() -> ask("x", 300)).isInstanceOf(SocketTimeoutException.class);
        proxy.heal();
        assertThat(ask("again", 2000)).isEqualTo("echo again");
    }

    @Test
    void stallAlsoFreezesOpenConnections() throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(proxy.address(), 2000);
            socket.setSoTimeout(300);
            PrintWriter out = new PrintWriter(socket.getOutputStream(), true, StandardCharsets.UTF_8);
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            out.println("one");
            assertThat(in.readLine()).isEqualTo("echo one");
            proxy.mode(FaultMode.STALL);
            out.println("two");
            assertThatThrownBy(in::readLine).isInstanceOf(SocketTimeoutException.class);
        }
    }

    @Test
    void slowDelaysAnswersButDelivers() throws IOException {
        proxy.latency(Duration.ofMillis(300));
        proxy.mode(FaultMode.SLOW);
        long start = System.nanoTime();
        assertThat(ask("slow", 3000)).isEqualTo("echo slow");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    }

    @Test
    void closedProxyRefusesModeChanges() {
        proxy.close();
        assertThatThrownBy(() -> proxy.mode(FaultMode.STALL)).isInstanceOf(IllegalStateException.class);
    }
}
