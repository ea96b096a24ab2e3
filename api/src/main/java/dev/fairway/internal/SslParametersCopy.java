package dev.fairway.internal;

import javax.net.ssl.SSLParameters;

/** Copies every property of {@link SSLParameters} that JDK 21 defines (the class has no copy constructor). */
public final class SslParametersCopy {

    private SslParametersCopy() {
    }

    /**
     * A deep copy.
     *
     * @param p the parameters
     * @return a copy that shares nothing mutable with {@code p}
     */
    public static SSLParameters of(SSLParameters p) {
        SSLParameters c = new SSLParameters(p.getCipherSuites(), p.getProtocols());
        c.setAlgorithmConstraints(p.getAlgorithmConstraints());
        c.setApplicationProtocols(p.getApplicationProtocols());
        c.setEnableRetransmissions(p.getEnableRetransmissions());
        c.setEndpointIdentificationAlgorithm(p.getEndpointIdentificationAlgorithm());
        c.setMaximumPacketSize(p.getMaximumPacketSize());
        if (p.getNeedClientAuth()) {
            c.setNeedClientAuth(true);
        } else if (p.getWantClientAuth()) {
            c.setWantClientAuth(true);
        }
        c.setServerNames(p.getServerNames());
        c.setSNIMatchers(p.getSNIMatchers());
        c.setUseCipherSuitesOrder(p.getUseCipherSuitesOrder());
        c.setSignatureSchemes(p.getSignatureSchemes());
        c.setNamedGroups(p.getNamedGroups());
        return c;
    }
}
