package dev.fairway.internal;

import dev.fairway.NoBackendException;
import dev.fairway.spi.Target;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.ProtocolException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.util.concurrent.CompletionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** send() rethrows failures as the JDK's HttpClient.send does: same kind, caller's stack, original as cause. */
class RethrowTest {

    private static void same(Throwable original, Class<?> expected) {
        IOException thrown = MultiExchange.rethrowable(new CompletionException(original));
        assertEquals(expected, thrown.getClass());
        assertEquals(original.getMessage(), thrown.getMessage());
        assertSame(original, thrown.getCause());
    }

    @Test
    void mapsLikeTheJdk() {
        same(new HttpConnectTimeoutException("connect timed out"), HttpConnectTimeoutException.class);
        same(new HttpTimeoutException("request timed out"), HttpTimeoutException.class);
        same(new ConnectException("refused"), ConnectException.class);
        same(new SSLHandshakeException("No name matching orders found"), SSLHandshakeException.class);
        same(new SSLException("bad record"), SSLException.class);
        same(new ProtocolException("bad status line"), ProtocolException.class);
        same(new IOException("closed"), IOException.class);
        same(new NoBackendException(new Target("http", "orders", 80), NoBackendException.Reason.NO_ADDRESSES, "none", null),
                NoBackendException.class);
        same(new IllegalStateException("body handler failed"), IOException.class);
    }

    @Test
    void illegalArgumentStaysUnchecked() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MultiExchange.rethrowable(new IllegalArgumentException("restricted header name: \"Host\"")));
        assertEquals("restricted header name: \"Host\"", e.getMessage());
    }

    @Test
    void anErrorIsThrownAsItIsNotWrappedInAnIOException() {
        StackOverflowError error = new StackOverflowError();
        assertSame(error, assertThrows(StackOverflowError.class, () -> MultiExchange.rethrowable(new CompletionException(error))));
    }
}
