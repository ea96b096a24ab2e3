package dev.fairway.health.internal;

import dev.fairway.spi.BackendAddress;
import dev.fairway.spi.HealthCheckProvider;
import dev.fairway.spi.Option;
import dev.fairway.spi.OptionValues;
import dev.fairway.spi.Target;
import dev.fairway.testing.FakeBackend;
import dev.fairway.testing.FakeClock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.InetAddress;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Options: names, defaults, ranges, parsing, and the combinations providers reject at build time. */
class OptionsTest {

    private static final List<HealthCheckProvider> PROVIDERS = List.of(new HttpHealthCheckProvider(),
            new GrpcHealthCheckProvider(), new TcpHealthCheckProvider());

    private static List<String> keys(HealthCheckProvider p) {
        return p.options().stream().map(Option::key).toList();
    }

    @Test
    void everyProviderDeclaresTheCommonOptionsWithTheirDefaults() {
        List<String> common = List.of("interval", "jitter", "timeout", "unhealthy_threshold", "healthy_threshold", "idle_interval");
        assertEquals(common, keys(new TcpHealthCheckProvider()));
        assertEquals(concat(common, List.of("method", "path", "expected_statuses", "headers")), keys(new HttpHealthCheckProvider()));
        assertEquals(concat(common, List.of("service", "unimplemented")), keys(new GrpcHealthCheckProvider()));
        for (HealthCheckProvider p : PROVIDERS) {
            OptionValues d = OptionValues.defaults(p.options());
            assertEquals(new CommonOptions.Settings(Duration.ofSeconds(10), 0.15, Duration.ofSeconds(1), 3, 2, Duration.ofSeconds(60)),
                    CommonOptions.Settings.of(d), p.name());
            assertEquals(5, p.priority());
            assertTrue(p.isAvailable());
        }
        OptionValues http = OptionValues.defaults(new HttpHealthCheckProvider().options());
        assertEquals("GET", http.get(HttpHealthCheckProvider.METHOD));
        assertEquals("/healthz", http.get(HttpHealthCheckProvider.PATH));
        assertEquals("200-299", http.get(HttpHealthCheckProvider.EXPECTED_STATUSES).toString());
        assertEquals(List.of(), http.get(HttpHealthCheckProvider.HEADERS).headers("k"));
        OptionValues grpc = OptionValues.defaults(new GrpcHealthCheckProvider().options());
        assertEquals("", grpc.get(GrpcHealthCheckProvider.SERVICE));
        assertEquals(GrpcHealthCheckProvider.Unimplemented.HEALTHY, grpc.get(GrpcHealthCheckProvider.UNIMPLEMENTED));
    }

    private static List<String> concat(List<String> a, List<String> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "interval | 50ms",
            "interval | 2h",
            "interval | soon",
            "jitter | 0.6",
            "jitter | -0.1",
            "timeout | 5ms",
            "timeout | 2m",
            "unhealthy_threshold | 0",
            "healthy_threshold | 101",
            "idle_interval | 25h",
            "method | G ET",
            "method | CONNECT",
            "method | ''",
            "path | healthz",
            "path | //evil.example/healthz",
            "path | /a b",
            "path | /healthz#top",
            "expected_statuses | 200-2999",
            "expected_statuses | 299-200",
            "expected_statuses | 600",
            "expected_statuses | 6xx",
            "expected_statuses | ''",
            "expected_statuses | 200,,204",
            "unimplemented | maybe",
    })
    void badValuesFailNamingTheKey(String key, String value) {
        HealthCheckProvider provider = key.equals("service") || key.equals("unimplemented") ? new GrpcHealthCheckProvider()
                : new HttpHealthCheckProvider();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Checks.options(provider, Map.of(key, value)));
        assertTrue(e.getMessage().startsWith("fairway.health." + key + " = '" + value + "' is not allowed: use "), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "Bearer s3cr3t-token                 | item 1 does not start with a header name and ':'",
            "': s3cr3t-token'                    | item 1 does not start with a header name and ':'",
            "X-A: 1, Host: s3cr3t-token          | item 2 is Host, a header the JDK restricts and will not send",
            "Connection: s3cr3t-token            | item 1 is Connection, a header the JDK restricts",
            "Bad Name: s3cr3t-token              | item 1 does not start with a header name and ':'",
    })
    void badHeadersFailNamingTheKeyButNeverTheValue(String value, String problem) {
        HttpHealthCheckProvider provider = new HttpHealthCheckProvider();
        OptionValues v = Checks.options(provider, Map.of("headers", value));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> provider.validate(v));
        assertTrue(e.getMessage().startsWith("fairway.health.headers = (value hidden) is not allowed: " + problem), e.getMessage());
        assertTrue(e.getMessage().contains("; use 'Name: value' items separated by commas"), e.getMessage());
        assertFalse(e.getMessage().contains("s3cr3t"), e.getMessage());
        IllegalArgumentException atCreate = assertThrows(IllegalArgumentException.class, () -> provider.create(context(v)));
        assertEquals(e.getMessage(), atCreate.getMessage());
        assertFalse(v.get(HttpHealthCheckProvider.HEADERS).toString().contains("s3cr3t"));
    }

    @Test
    void headerValuesAreNeverShownAndTheirNumberAndLengthAreBounded() {
        HttpHealthCheckProvider provider = new HttpHealthCheckProvider();
        OptionValues ok = Checks.options(provider, Map.of("headers", "Authorization: Bearer s3cr3t, X-A: 1"));
        provider.validate(ok);
        assertEquals("Authorization: (value hidden), X-A: (value hidden)", ok.get(HttpHealthCheckProvider.HEADERS).toString());
        assertEquals("Authorization: (value hidden)", new ProbeHeader("Authorization", "Bearer s3cr3t").toString());

        String controls = "X-Token: s3cr3t\r\nEvil: 1";
        String tooMany = String.join(", ", java.util.Collections.nCopies(ProbeHeaders.MAX_HEADERS + 1, "X-A: s3cr3t"));
        String tooLong = "X-A: " + "s3cr3t".repeat(ProbeHeaders.MAX_ITEM);
        for (Object bad : List.of(controls, tooMany, tooLong, List.of("X-A: s3cr3t", 42))) {
            OptionValues v = Checks.options(provider, Map.of("headers", bad));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> provider.validate(v));
            assertTrue(e.getMessage().startsWith("fairway.health.headers = (value hidden) is not allowed: "), e.getMessage());
            assertFalse(e.getMessage().contains("s3cr3t"), e.getMessage());
        }
        assertTrue(assertThrows(IllegalArgumentException.class, () -> provider.validate(Checks.options(provider,
                Map.of("headers", tooMany)))).getMessage().contains("more than " + ProbeHeaders.MAX_HEADERS + " headers"));
    }

    @Test
    void anOptionOfAnotherProviderIsUnknown() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Checks.options(new TcpHealthCheckProvider(), Map.of("path", "/healthz")));
        assertTrue(e.getMessage().startsWith("unknown option fairway.health.path"), e.getMessage());
    }

    @Test
    void valuesAreParsedAndNormalised() {
        OptionValues v = Checks.options(new HttpHealthCheckProvider(), Map.of("method", " head ", "path", "/ready?deep=1&x=%20",
                "expected_statuses", "2xx, 304 ,400-404", "headers", "X-A: 1, Accept: text/plain, */*, X-Empty:",
                "interval", "100ms", "timeout", "100ms", "idle_interval", "PT2M"));
        assertEquals("HEAD", v.get(HttpHealthCheckProvider.METHOD));
        assertEquals("/ready?deep=1&x=%20", v.get(HttpHealthCheckProvider.PATH));
        StatusRanges s = v.get(HttpHealthCheckProvider.EXPECTED_STATUSES);
        assertEquals("200-299,304,400-404", s.toString());
        assertTrue(s.contains(200) && s.contains(299) && s.contains(304) && s.contains(404));
        assertFalse(s.contains(199) || s.contains(300) || s.contains(305) || s.contains(405) || s.contains(99) || s.contains(600));
        assertEquals(List.of(new ProbeHeader("X-A", "1"), new ProbeHeader("Accept", "text/plain, */*"), new ProbeHeader("X-Empty", "")),
                v.get(HttpHealthCheckProvider.HEADERS).headers("k"));
        assertEquals(Duration.ofMinutes(2), v.get(CommonOptions.IDLE_INTERVAL));

        OptionValues typed = Checks.options(new HttpHealthCheckProvider(), Map.of("expected_statuses", 204,
                "headers", List.of("X-List: a, b: c")));
        assertEquals("204", typed.get(HttpHealthCheckProvider.EXPECTED_STATUSES).toString());
        assertEquals(List.of(new ProbeHeader("X-List", "a, b: c")), typed.get(HttpHealthCheckProvider.HEADERS).headers("k"),
                "a list item is one header, never split");

        OptionValues grpc = Checks.options(new GrpcHealthCheckProvider(), Map.of("service", "shop.Orders", "unimplemented", "Unhealthy"));
        assertEquals(GrpcHealthCheckProvider.Unimplemented.UNHEALTHY, grpc.get(GrpcHealthCheckProvider.UNIMPLEMENTED));
        assertEquals("shop.Orders", grpc.get(GrpcHealthCheckProvider.SERVICE));
    }

    @Test
    void aTimeoutLongerThanTheIntervalIsRejectedByEveryProvider() {
        for (HealthCheckProvider p : PROVIDERS) {
            OptionValues v = Checks.options(p, Map.of("interval", "2s", "timeout", "3s"));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> p.validate(v));
            assertEquals("fairway.health.timeout = 3s is longer than fairway.health.interval = 2s: a probe must end before the next"
                    + " is due; shorten fairway.health.timeout or lengthen fairway.health.interval", e.getMessage());
            IllegalArgumentException atCreate = assertThrows(IllegalArgumentException.class, () -> p.create(context(v)));
            assertEquals(e.getMessage(), atCreate.getMessage());
            p.validate(Checks.options(p, Map.of("interval", "2s", "timeout", "2s")));
        }
    }

    @Test
    void aGivenIdleIntervalShorterThanTheIntervalIsRejectedAndTheDefaultFollowsTheInterval() {
        for (HealthCheckProvider p : PROVIDERS) {
            OptionValues v = Checks.options(p, Map.of("interval", "2m", "idle_interval", "90s"));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> p.validate(v));
            assertTrue(e.getMessage().startsWith("fairway.health.idle_interval = 90s is shorter than fairway.health.interval = 2m"),
                    e.getMessage());
            OptionValues longInterval = Checks.options(p, Map.of("interval", "2m"));
            p.validate(longInterval);
            assertEquals(Duration.ofMinutes(2), CommonOptions.Settings.of(longInterval).idleInterval(),
                    "the default idle interval (60s) is raised to a longer interval");
        }
    }

    @Test
    void providersCreateUnstartedChecksWithoutSideEffects() throws Exception {
        FakeClock clock = new FakeClock();
        for (HealthCheckProvider p : PROVIDERS) {
            var check = p.create(context(OptionValues.defaults(p.options()), clock));
            assertTrue(check instanceof ActiveHealthCheck, check.toString());
            assertEquals(0, clock.pendingTasks(), "nothing is scheduled before start");
            check.close();
        }
    }

    private static dev.fairway.spi.HealthCheckContext context(OptionValues options) throws Exception {
        return context(options, new FakeClock());
    }

    private static dev.fairway.spi.HealthCheckContext context(OptionValues options, FakeClock clock) throws Exception {
        return Checks.context(new Target("http", "orders.fairway.test", 8080),
                new FakeBackend(BackendAddress.of(InetAddress.getByName("127.0.0.2"), 8080)), options, clock, Runnable::run, CLIENT);
    }

    private static final HttpClient CLIENT = HttpClient.newBuilder().build();

    @AfterAll
    static void closeClient() {
        CLIENT.shutdownNow();
    }
}
