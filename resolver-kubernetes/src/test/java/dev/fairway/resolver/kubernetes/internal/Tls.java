package dev.fairway.resolver.kubernetes.internal;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A self-signed server certificate made with the JDK's keytool, and its PEM as the resolver's trust anchor. */
final class Tls {

    final Path keyStore;
    final Path pem;

    private Tls(Path keyStore, Path pem) {
        this.keyStore = keyStore;
        this.pem = pem;
    }

    /** A certificate for {@code san}, for example {@code dns:localhost,ip:127.0.0.1}. */
    static Tls create(Path dir, String name, String san) throws IOException, InterruptedException {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Path ks = dir.resolve(name + ".p12");
        Path pem = dir.resolve(name + ".crt");
        run(List.of(keytool.toString(), "-genkeypair", "-alias", "api", "-keyalg", "EC", "-dname", "CN=" + name, "-ext", "san=" + san,
                "-validity", "2", "-keystore", ks.toString(), "-storetype", "PKCS12", "-storepass", "changeit"));
        run(List.of(keytool.toString(), "-exportcert", "-rfc", "-alias", "api", "-keystore", ks.toString(), "-storepass", "changeit",
                "-file", pem.toString()));
        return new Tls(ks, pem);
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("keytool failed: " + command + "\n" + out);
        }
    }

    SSLContext serverContext() throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            ks.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "changeit".toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), null, null);
        return context;
    }
}
