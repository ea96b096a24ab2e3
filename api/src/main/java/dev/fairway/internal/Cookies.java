package dev.fairway.internal;

import java.io.IOException;
import java.net.CookieHandler;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

/**
 * The cookie step, as the JDK's {@code CookieFilter}: the client's {@link CookieHandler} sees every hop with its
 * logical URI (the target's host name, never a backend's address), so cookies follow the service, not the pod.
 */
final class Cookies {

    private static final System.Logger LOG = System.getLogger(Cookies.class.getName());

    private Cookies() {
    }

    /**
     * The cookies to add to a hop's request.
     *
     * @param handler the client's cookie handler
     * @param request the hop's request, with its logical URI
     * @return the {@code Cookie} and {@code Cookie2} headers to add, or an empty map
     * @throws IOException the handler's failure
     */
    static Map<String, List<String>> forRequest(CookieHandler handler, HttpRequest request) throws IOException {
        Map<String, List<String>> cookies = handler.get(request.uri(), request.headers().map());
        for (Map.Entry<String, List<String>> e : cookies.entrySet()) {
            if (isCookieHeader(e.getKey()) && !e.getValue().isEmpty()) {
                return cookies;
            }
        }
        return Map.of();
    }

    /** Adds the headers of {@link #forRequest} to a leaf request. */
    static void add(HttpRequest.Builder builder, Map<String, List<String>> cookies) {
        cookies.forEach((name, values) -> {
            if (isCookieHeader(name)) {
                for (String value : values) {
                    builder.header(name, value);
                }
            }
        });
    }

    /** Passes a hop's response cookies to the handler, with the logical URI; a handler's failure is logged. */
    static void store(CookieHandler handler, HttpRequest request, HttpResponse.ResponseInfo info) {
        try {
            handler.put(request.uri(), info.headers().map());
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cookie handler failed to store the cookies of " + request.uri(), e);
        }
    }

    private static boolean isCookieHeader(String name) {
        return name.equalsIgnoreCase("Cookie") || name.equalsIgnoreCase("Cookie2");
    }
}
