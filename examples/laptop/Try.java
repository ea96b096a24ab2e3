import dev.fairway.FairwayClient;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.TreeMap;

/**
 * A first request on a laptop: sends 12 GET requests to the URL given as an argument or as {@code -Durl=}
 * (default {@code http://orders.local:8000/}) through a {@link FairwayClient} configured from {@code -Dfairway.*}
 * system properties, and prints which backend answered how often. Run with the source launcher; see the README's
 * "A first request on a laptop".
 */
public class Try {
    public static void main(String[] args) throws Exception {
        URI uri = URI.create(args.length > 0 ? args[0] : System.getProperty("url", "http://orders.local:8000/"));
        try (FairwayClient client = FairwayClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .configureFromSystemProperties().build()) {
            Map<String, Integer> answers = new TreeMap<>();
            for (int i = 0; i < 12; i++) {
                HttpResponse<Void> response = client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding());
                answers.merge(response.statusCode() + " from " + FairwayClient.servedBy(response).orElseThrow(), 1, Integer::sum);
            }
            answers.forEach((answer, times) -> System.out.println(times + " x " + answer));
        }
    }
}
