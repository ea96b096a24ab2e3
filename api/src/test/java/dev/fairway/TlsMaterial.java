package dev.fairway;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test TLS material made at test time: a self-signed certificate with chosen subject alternative names in a PKCS12
 * keystore (made by the running JDK's {@code keytool}), and the contexts that serve it or trust exactly it.
 */
public final class TlsMaterial {

    /** The keystore and key password of every keystore made here. */
    public static final String PASSWORD = "fairway-test";

    private final Path keystore;
    private final X509Certificate certificate;

    private TlsMaterial(Path keystore, X509Certificate certificate) {
        this.keystore = keystore;
        this.certificate = certificate;
    }

    /** What to generate: the keystore file name, the subject and the {@code keytool -ext SAN=} value. */
    public record Spec(String name, String subject, String subjectAltNames) {
    }

    /**
     * Generates each spec's self-signed EC certificate into {@code dir/<name>.p12}, running the keytools in
     * parallel, each bounded to 60 seconds.
     */
    public static List<TlsMaterial> generate(Path dir, Spec... specs) throws IOException, InterruptedException {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        List<Process> processes = new ArrayList<>();
        List<Path> outputs = new ArrayList<>();
        for (Spec spec : specs) {
            Path file = dir.resolve(spec.name() + ".p12");
            Path output = dir.resolve(spec.name() + ".keytool.txt");
            outputs.add(output);
            processes.add(new ProcessBuilder(keytool.toString(), "-genkeypair", "-noprompt",
                    "-alias", spec.name(), "-keyalg", "EC", "-groupname", "secp256r1", "-sigalg", "SHA256withECDSA",
                    "-dname", spec.subject(), "-ext", "SAN=" + spec.subjectAltNames(), "-validity", "2",
                    "-keystore", file.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD, "-keypass", PASSWORD)
                    .redirectErrorStream(true).redirectOutput(output.toFile()).start());
        }
        List<TlsMaterial> result = new ArrayList<>();
        for (int i = 0; i < specs.length; i++) {
            Process p = processes.get(i);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                processes.forEach(Process::destroyForcibly);
                throw new IOException("keytool did not finish within 60 s for " + specs[i]);
            }
            if (p.exitValue() != 0) {
                throw new IOException("keytool failed (" + p.exitValue() + ") for " + specs[i] + ": "
                        + Files.readString(outputs.get(i), StandardCharsets.UTF_8));
            }
            Path file = dir.resolve(specs[i].name() + ".p12");
            result.add(read(file, specs[i].name()));
        }
        return result;
    }

    /** Reads a keystore made by {@link #generate}, whose only entry is {@code alias}. */
    public static TlsMaterial read(Path keystore, String alias) throws IOException {
        return new TlsMaterial(keystore, (X509Certificate) certificate(load(keystore), alias));
    }

    private static Certificate certificate(KeyStore ks, String alias) throws IOException {
        try {
            Certificate c = ks.getCertificate(alias);
            if (c == null) {
                throw new IOException("no certificate " + alias);
            }
            return c;
        } catch (GeneralSecurityException e) {
            throw new IOException(e);
        }
    }

    private static KeyStore load(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, PASSWORD.toCharArray());
            return ks;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot read " + file, e);
        }
    }

    public Path keystore() {
        return keystore;
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /** The trust manager of a PKIX {@link TrustManagerFactory} that trusts exactly this certificate. */
    public X509ExtendedTrustManager trustManager() {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("trusted", certificate);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
            tmf.init(trust);
            for (TrustManager tm : tmf.getTrustManagers()) {
                if (tm instanceof X509ExtendedTrustManager x) {
                    return x;
                }
            }
            throw new IllegalStateException("PKIX made no X509ExtendedTrustManager");
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A client context that trusts exactly this certificate, through the JDK's own (extended) trust manager. */
    public SSLContext trustingContext() {
        return context(null, trustManager());
    }

    /** A client context whose only trust manager is {@code trustManager}. */
    public static SSLContext clientContext(TrustManager trustManager) {
        return context(null, trustManager);
    }

    /** A plain (not extended) trust manager over {@link #trustManager()} that counts server checks. */
    public CountingTrustManager plainTrustManager() {
        return new CountingTrustManager(trustManager());
    }

    /** A server context presenting this certificate. */
    public SSLContext serverContext() {
        try {
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(load(keystore), PASSWORD.toCharArray());
            SSLContext c = SSLContext.getInstance("TLS");
            c.init(kmf.getKeyManagers(), null, null);
            return c;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static SSLContext context(javax.net.ssl.KeyManager[] keyManagers, TrustManager trustManager) {
        try {
            SSLContext c = SSLContext.getInstance("TLS");
            c.init(keyManagers, new TrustManager[] {trustManager}, null);
            return c;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return certificate.getSubjectX500Principal() + " in " + keystore.getFileName();
    }

    /**
     * A trust manager that is deliberately <em>not</em> an {@link X509ExtendedTrustManager}: JSSE wraps it and does
     * the endpoint identification itself.
     */
    public static final class CountingTrustManager implements X509TrustManager {
        private final X509TrustManager delegate;
        private final AtomicInteger serverChecks = new AtomicInteger();

        CountingTrustManager(X509TrustManager delegate) {
            this.delegate = delegate;
        }

        public int serverChecks() {
            return serverChecks.get();
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            delegate.checkClientTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            serverChecks.incrementAndGet();
            delegate.checkServerTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return delegate.getAcceptedIssuers();
        }
    }
}
