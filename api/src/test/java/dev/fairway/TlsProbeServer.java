package dev.fairway;

import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIMatcher;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A minimal HTTP/1.1 server that records what a client really sent: the request line, the header fields, and
 * with TLS the SNI host name of the handshake (through an {@link SNIMatcher}, which is what a server that routes by
 * SNI consults). Plain or TLS; answers every request with {@code 200 ok} and {@code Connection: close}; no ALPN,
 * so HTTP/2 clients fall back to HTTP/1.1.
 */
public final class TlsProbeServer implements AutoCloseable {

    /** One request as received. Header names are lower case; SNI is empty for plain HTTP or when none was sent. */
    public record Seen(InetSocketAddress local, String requestLine, Map<String, String> headers, Optional<String> sni) {
        public String host() {
            return headers.get("host");
        }
    }

    private final ServerSocket server;
    private final Thread acceptor;
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final List<String> sniMatched = new CopyOnWriteArrayList<>();
    private final List<Throwable> failures = new CopyOnWriteArrayList<>();
    private final List<Socket> open = new CopyOnWriteArrayList<>();

    private TlsProbeServer(InetAddress bind, SSLContext tls) throws IOException {
        if (tls == null) {
            server = new ServerSocket();
        } else {
            SSLServerSocket s = (SSLServerSocket) tls.getServerSocketFactory().createServerSocket();
            SSLParameters parameters = s.getSSLParameters();
            parameters.setSNIMatchers(List.of(new SNIMatcher(0 /* host_name */) {
                @Override
                public boolean matches(SNIServerName name) {
                    sniMatched.add(name instanceof SNIHostName h ? h.getAsciiName() : name.toString());
                    return true;
                }
            }));
            s.setSSLParameters(parameters);
            server = s;
        }
        server.bind(new InetSocketAddress(bind, 0), 50);
        acceptor = Thread.ofPlatform().daemon().name("tls-probe-" + server.getLocalSocketAddress()).start(this::accept);
    }

    /** Starts a plain HTTP server on {@code bind}, on a free port. */
    public static TlsProbeServer plain(InetAddress bind) throws IOException {
        return new TlsProbeServer(bind, null);
    }

    /** Starts an HTTPS server on {@code bind}, on a free port, presenting {@code tls}'s key. */
    public static TlsProbeServer tls(InetAddress bind, SSLContext tls) throws IOException {
        return new TlsProbeServer(bind, tls);
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Requests received so far. */
    public List<Seen> seen() {
        return List.copyOf(seen);
    }

    /** Every SNI host name the server's matcher was asked about, in order. */
    public List<String> sniMatched() {
        return List.copyOf(sniMatched);
    }

    /** Failures of connections (handshake errors, timeouts), for diagnostics. */
    public List<Throwable> failures() {
        return List.copyOf(failures);
    }

    private void accept() {
        while (!server.isClosed()) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            open.add(socket);
            Thread.ofVirtual().name("tls-probe-conn").start(() -> serve(socket));
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            socket.setSoTimeout(10_000);
            Optional<String> sni = Optional.empty();
            if (socket instanceof SSLSocket ssl) {
                ssl.startHandshake();
                sni = ((ExtendedSSLSession) ssl.getSession()).getRequestedServerNames().stream()
                        .filter(n -> n instanceof SNIHostName).map(n -> ((SNIHostName) n).getAsciiName()).findFirst();
            }
            InputStream in = socket.getInputStream();
            String head = readHead(in);
            if (head == null) {
                return;
            }
            String[] lines = head.split("\r\n");
            Map<String, String> headers = new TreeMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon > 0) {
                    headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
                }
            }
            seen.add(new Seen((InetSocketAddress) socket.getLocalSocketAddress(), lines[0], Map.copyOf(headers), sni));
            OutputStream out = socket.getOutputStream();
            out.write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
        } catch (IOException | RuntimeException e) {
            if (!(e instanceof SocketException && server.isClosed())) {
                failures.add(e);
            }
        } finally {
            open.remove(socket);
        }
    }

    /** Reads up to the blank line that ends the header section; {@code null} if the peer closed first. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < end.length) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            buffer.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
            if (buffer.size() > 64 * 1024) {
                throw new IOException("request head over 64 KiB");
            }
        }
        return buffer.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (Socket s : new ArrayList<>(open)) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        try {
            if (!acceptor.join(java.time.Duration.ofSeconds(10))) {
                throw new IllegalStateException("the probe server's acceptor did not stop within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
