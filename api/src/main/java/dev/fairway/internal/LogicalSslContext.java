package dev.fairway.internal;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.KeyManager;
import javax.net.ssl.TrustManager;
import java.security.SecureRandom;

/**
 * An {@link SSLContext} that creates every engine for the logical host name, whatever host the
 * {@link java.net.http.HttpClient} asks for.
 *
 * <p>A leaf connects to a backend IP, so the JDK asks for an engine for that IP. Creating it for the logical name
 * instead makes JSSE's own endpoint identification (which the JDK's client always enables) verify the certificate
 * against the logical name, both through the SNI name and through the peer host, with the user's trust managers
 * whatever their type. Combined with SNI set on the leaf's parameters, no IP ever takes part in the check, no
 * JVM-wide flag is needed and verification is never disabled.
 */
final class LogicalSslContext extends SSLContext {

    LogicalSslContext(SSLContext delegate, String logicalHost) {
        super(new Spi(delegate, logicalHost), delegate.getProvider(), delegate.getProtocol());
    }

    private static final class Spi extends SSLContextSpi {
        private final SSLContext delegate;
        private final String logicalHost;

        Spi(SSLContext delegate, String logicalHost) {
            this.delegate = delegate;
            this.logicalHost = logicalHost;
        }

        @Override
        protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom sr) {
            throw new UnsupportedOperationException("already initialised");
        }

        @Override
        protected SSLSocketFactory engineGetSocketFactory() {
            return delegate.getSocketFactory();
        }

        @Override
        protected SSLServerSocketFactory engineGetServerSocketFactory() {
            return delegate.getServerSocketFactory();
        }

        @Override
        protected SSLEngine engineCreateSSLEngine() {
            return delegate.createSSLEngine(logicalHost, -1);
        }

        @Override
        protected SSLEngine engineCreateSSLEngine(String host, int port) {
            return delegate.createSSLEngine(logicalHost, port);
        }

        @Override
        protected SSLSessionContext engineGetServerSessionContext() {
            return delegate.getServerSessionContext();
        }

        @Override
        protected SSLSessionContext engineGetClientSessionContext() {
            return delegate.getClientSessionContext();
        }

        @Override
        protected SSLParameters engineGetDefaultSSLParameters() {
            return delegate.getDefaultSSLParameters();
        }

        @Override
        protected SSLParameters engineGetSupportedSSLParameters() {
            return delegate.getSupportedSSLParameters();
        }
    }
}
