package dev.fairway.health.internal;

import dev.fairway.spi.HealthCheckProvider;
import dev.fairway.spi.Option;
import dev.fairway.spi.OptionValues;
import dev.fairway.testing.Fuzz;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every parser of this module, fed tens of thousands of seeded random and mutated-valid inputs: nothing but the
 * documented exception escapes, and each input stays within an allocation bound and a generous time bound (see
 * {@link Fuzz}). Run {@code mvn -pl health -am verify} and look for the {@code fuzz} lines for the figures.
 */
class FuzzTest {

    /** The characters of JSON, and a few that are not. */
    private static final String JSON_ALPHABET = "{}[]\",:0123456789eE+-.truefalsn \\/u\n\t";

    /** Valid health answers to mutate. */
    private static final List<String> JSON_SEEDS = List.of("{\"status\":\"SERVING\"}", "{\"status\":1}", "{}",
            "\uFEFF { \"status\" : \"NOT_SERVING\" , \"x\":[1,{\"y\":null},true,false,-0.5e-3] }",
            "{\"code\":\"unimplemented\",\"message\":\"grpc.health.v1.Health is not implemented \\u00e9\\n\"}");

    /** Pieces of JSON, hostile ones among them. */
    private static final List<String> JSON_PIECES = List.of("{", "}", "[", "]", "\"", ",", ":", "1e999999999", "-", "0",
            "9", "e", ".", "\\u", "\\uD83D", "\\\"", "\\", "null", "true", "\"status\":", "{\"a\":", "[[", "\u0000", " ");

    /** Makes JSON-like input {@code i}: every fourth random, the others mutated health answers. */
    private static String json(SplittableRandom random, int i) {
        return i % 4 == 0 ? Fuzz.randomText(random, JSON_ALPHABET, 2_000)
                : Fuzz.mutate(random, JSON_SEEDS.get(random.nextInt(JSON_SEEDS.size())), JSON_PIECES);
    }

    /** A bound proportional to the text: the reader allocates a small multiple of what it reads. */
    private static long proportional(String text) {
        return 64L * text.length() + 64 * 1024;
    }

    @Test
    void jsonReader() {
        Fuzz.Figures f = Fuzz.run("json", 14, 40_000, FuzzTest::json, Json::parseObject, IllegalArgumentException.class,
                FuzzTest::proportional);
        assertTrue(f.rejected() > 1_000 && f.rejected() < f.cases() - 1_000, "both outcomes exercised: " + f);
    }

    @Test
    void grpcAnswerMapping() {
        try (HttpClient unused = HttpClient.newHttpClient()) {
            GrpcHealthProbe probe = new GrpcHealthProbe(unused, URI.create("http://orders:8080/"), "orders", true,
                    Duration.ofSeconds(1));
            int[] statuses = {200, 200, 200, 404, 415, 501, 503};
            Fuzz.run("grpc_answer", 15, 30_000, (random, i) -> {
                int status = random.nextInt(4) == 0 ? 100 + random.nextInt(500) : statuses[random.nextInt(statuses.length)];
                return new Object[] {status, json(random, i)};
            }, in -> {
                ProbeResult r = probe.interpret((Integer) in[0], (String) in[1]);
                assertFalse(r.reason().chars().anyMatch(Character::isISOControl), r.reason());
                assertTrue(r.reason().length() <= 600, "a reason of " + r.reason().length() + " characters");
                return r;
            }, null, in -> proportional((String) in[1]));
        }
    }

    @Test
    void statusRanges() {
        List<String> seeds = List.of("200-299,304", "2xx, 304 ,400-404", "100-599", "204");
        List<String> pieces = List.of("-", ",", "xx", "XX", "2", "0", "5", "600", "99", " ", "199-100");
        Fuzz.Figures f = Fuzz.run("expected_statuses", 16, 30_000, (random, i) -> i % 4 == 0
                        ? Fuzz.randomText(random, "0123456789-,xX ", 40) : Fuzz.mutate(random, seeds.get(random.nextInt(seeds.size())), pieces),
                StatusRanges::parse, IllegalArgumentException.class, in -> 64L * in.length() + 16 * 1024);
        assertTrue(f.rejected() > 1_000 && f.rejected() < f.cases() - 1_000, "both outcomes exercised: " + f);
    }

    @Test
    void probeHeadersNeverShowAValue() {
        String secret = "s3cr3t";
        List<String> seeds = List.of("Authorization: Bearer " + secret + ", X-A: 1", "X-Probe: " + secret,
                "Accept: text/plain, */*, X-Token: " + secret);
        List<String> pieces = List.of(",", ":", " ", "Host", "Connection", "\r\n", "\u0000", "X-B: " + secret, ", X-C:",
                "Bad Name", secret);
        Fuzz.Figures f = Fuzz.run("headers", 17, 30_000, (random, i) -> i % 4 == 0
                        ? Fuzz.randomText(random, "abcXYZ-: ,\r\n" + secret, 200) : Fuzz.mutate(random, seeds.get(random.nextInt(seeds.size())), pieces),
                in -> {
                    try {
                        return ProbeHeaders.convert(in).headers("fairway.health.headers");
                    } catch (IllegalArgumentException e) {
                        assertTrue(e.getMessage().startsWith("fairway.health.headers = (value hidden) is not allowed: "), e.getMessage());
                        // a mutation may move the marker into a header name, which messages do show
                        String withoutNames = e.getMessage().replaceAll("item \\d+ \\([^)]*\\)|item \\d+ is \\S+,", "");
                        assertFalse(withoutNames.contains(secret), e.getMessage());
                        throw e;
                    }
                }, IllegalArgumentException.class, in -> 256L * in.length() + 64 * 1024);
        assertTrue(f.rejected() > 1_000 && f.rejected() < f.cases() - 1_000, "both outcomes exercised: " + f);
    }

    @Test
    void everyOptionOfEveryProvider() {
        List<HealthCheckProvider> providers = List.of(new HttpHealthCheckProvider(), new GrpcHealthCheckProvider(),
                new TcpHealthCheckProvider());
        List<String> seeds = List.of("10s", "PT1S", "250ms", "1.5h", "0.15", "3", "100", "GET", "head", "/healthz",
                "/ready?deep=1", "2xx,304", "healthy", "unhealthy", "shop.v1.Orders", "X-A: 1");
        List<String> pieces = List.of("0", "9", ".", "e", "ms", "s", "h", "d", "P", "T", "-", "/", "#", "%", " ", ",",
                "99999999999999999999", "NaN", "Infinity", "1e308");
        Fuzz.Figures f = Fuzz.run("health_options", 18, 30_000, (random, i) -> {
            HealthCheckProvider p = providers.get(random.nextInt(providers.size()));
            List<Option<?>> options = new ArrayList<>(p.options());
            String key = options.get(random.nextInt(options.size())).key();
            String value = i % 4 == 0 ? Fuzz.randomText(random, "0123456789.msPTH/-x, ", 30)
                    : Fuzz.mutate(random, seeds.get(random.nextInt(seeds.size())), pieces);
            return new Object[] {p, key, value};
        }, in -> {
            HealthCheckProvider p = (HealthCheckProvider) in[0];
            OptionValues values = OptionValues.of(CommonOptions.PREFIX, p.options(), Map.of((String) in[1], in[2]));
            p.validate(values);
            return values;
        }, IllegalArgumentException.class, in -> 256L * ((String) in[2]).length() + 64 * 1024);
        assertTrue(f.rejected() > 1_000 && f.rejected() < f.cases() - 1_000, "both outcomes exercised: " + f);
    }
}
