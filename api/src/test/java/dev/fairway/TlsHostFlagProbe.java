package dev.fairway;

import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Run in a separate JVM by {@code AuthorityTest}, because {@code -Djdk.httpclient.allowRestrictedHeaders=host} is
 * read once per JVM: sends an https HTTP/1.1 request for the logical name to a {@link TlsProbeServer} on
 * {@code 127.0.0.2}, then one that asks for HTTP/2 (the server offers no ALPN, so it runs on HTTP/1.1), and prints,
 * one {@code key=value} per line, what the server saw.
 *
 * <p>Argument: the PKCS12 keystore of the {@code orders} certificate made by {@link TlsMaterial}.
 */
public final class TlsHostFlagProbe {

    private TlsHostFlagProbe() {
    }

    public static void main(String[] args) throws Exception {
        TlsMaterial orders = TlsMaterial.read(Path.of(args[0]), "orders");
        System.out.println("property=" + System.getProperty("jdk.httpclient.allowRestrictedHeaders"));
        try (TlsProbeServer server = TlsProbeServer.tls(InetAddress.getByName("127.0.0.2"), orders.serverContext());
             FairwayClient client = FairwayClient.newBuilder()
                     .resolver("static").resolverOption("addresses", "127.0.0.2")
                     .sslContext(orders.trustingContext())
                     .version(HttpClient.Version.HTTP_1_1)
                     .connectTimeout(Duration.ofSeconds(5))
                     .build()) {
            URI uri = URI.create("https://" + AuthorityTest.LOGICAL + ":" + server.port() + "/flag");
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).build(),
                    HttpResponse.BodyHandlers.ofString());
            TlsProbeServer.Seen seen = server.seen().get(0);
            System.out.println("port=" + server.port());
            System.out.println("status=" + response.statusCode());
            System.out.println("uri=" + response.uri());
            System.out.println("requestUri=" + response.request().uri());
            System.out.println("servedBy=" + FairwayClient.servedBy(response).orElseThrow());
            System.out.println("requestLine=" + seen.requestLine());
            System.out.println("host=" + seen.host());
            System.out.println("sni=" + seen.sni().orElse(""));
            URI h2 = URI.create("https://" + AuthorityTest.LOGICAL + ":" + server.port() + "/flag-h2");
            HttpResponse<String> second = client.send(HttpRequest.newBuilder(h2).version(HttpClient.Version.HTTP_2)
                    .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
            System.out.println("h2RequestVersion=" + second.version());
            System.out.println("h2RequestUri=" + second.uri());
            System.out.println("h2RequestHost=" + server.seen().get(1).host());
        }
    }
}
