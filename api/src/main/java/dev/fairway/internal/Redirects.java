package dev.fairway.internal;

import dev.fairway.spi.Target;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The redirect step, as the JDK's {@code RedirectFilter}: whether a response is followed under the client's
 * {@link HttpClient.Redirect} policy, and the next hop's request. Each hop is balanced anew, so a redirect to another
 * target reaches that target's backends.
 */
final class Redirects {

    private static final System.Logger LOG = System.getLogger(Redirects.class.getName());
    /** The most hops one request takes, as the JDK's own limit and with the JDK's property. */
    static final int MAX_HOPS = Integer.getInteger("jdk.httpclient.redirects.retrylimit", 5);
    private static final Set<String> CROSS_ORIGIN_DROPPED = caseInsensitive("Authorization", "Cookie", "Origin", "Referer", "Host");

    private Redirects() {
    }

    /**
     * The policy for a hop: {@code policy} until the request has been redirected as often as the JDK allows, then
     * {@link HttpClient.Redirect#NEVER} (the last redirect response goes to the caller, as with the JDK).
     *
     * @param policy    the client's policy
     * @param redirects the redirects followed so far
     * @return the policy for the next hop
     */
    static HttpClient.Redirect policy(HttpClient.Redirect policy, int redirects) {
        return redirects + 1 >= MAX_HOPS ? HttpClient.Redirect.NEVER : policy;
    }

    /**
     * The URI to follow for a response.
     *
     * @param policy  the hop's policy ({@link #policy})
     * @param request the hop's request
     * @param info    the response's status and headers
     * @return the URI, or {@code null} when the response goes to the caller
     */
    static URI target(HttpClient.Redirect policy, HttpRequest request, HttpResponse.ResponseInfo info) {
        if (policy == HttpClient.Redirect.NEVER || !isRedirect(info.statusCode())) {
            return null;
        }
        Optional<String> location = info.headers().firstValue("Location");
        if (location.isEmpty()) {
            return null;
        }
        URI next;
        try {
            next = request.uri().resolve(URI.create(location.get()));
        } catch (IllegalArgumentException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "not following invalid Location '" + location.get() + "' of " + request.uri());
            return null;
        }
        String scheme = next.getScheme() == null ? "" : next.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || next.getHost() == null) {
            return null;
        }
        if (policy == HttpClient.Redirect.NORMAL && !scheme.equals(request.uri().getScheme().toLowerCase(Locale.ROOT))
                && !scheme.equals("https")) {
            return null;
        }
        try {
            Target.of(next);
        } catch (IllegalArgumentException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "not following Location '" + location.get() + "' of " + request.uri() + ": " + e.getMessage());
            return null;
        }
        return next;
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    /**
     * The next hop's request, as the JDK builds it: method and body per status, origin-bound headers dropped when the
     * origin changes.
     *
     * @param request the hop's request
     * @param next    the URI to follow ({@link #target})
     * @param status  the redirect's status
     * @return the next hop's request
     */
    static HttpRequest next(HttpRequest request, URI next, int status) {
        String method = switch (status) {
            case 301, 302 -> request.method().equals("POST") ? "GET" : request.method();
            case 303 -> "GET";
            default -> request.method();
        };
        boolean sameOrigin = Target.of(next).equals(Target.of(request.uri()));
        HttpRequest.Builder builder = HttpRequest.newBuilder(request, (name, value) -> sameOrigin || !CROSS_ORIGIN_DROPPED.contains(name))
                .uri(next);
        boolean keepBody = status != 303 && method.equals(request.method());
        if (!keepBody) {
            builder.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return builder.build();
    }

    private static Set<String> caseInsensitive(String... names) {
        Set<String> set = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        set.addAll(List.of(names));
        return set;
    }
}
