package dev.fairway;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** Test access to a client's live state, through its public behaviour only where possible. */
final class Introspect {

    private Introspect() {
    }

    /** Requests in flight over all targets and backends of the client. */
    static int inFlight(FairwayClient client) {
        return client.inFlight();
    }

    static InetSocketAddress send(FairwayClient client, URI uri) throws Exception {
        HttpResponse<Void> r = client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding());
        return FairwayClient.servedBy(r).orElseThrow();
    }
}
