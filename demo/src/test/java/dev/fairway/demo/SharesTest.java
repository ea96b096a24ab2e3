package dev.fairway.demo;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SharesTest {

    private static InetAddress ip(String literal) throws UnknownHostException {
        return InetAddress.getByName(literal);
    }

    @Test
    void summaryOrdersBackendsNumericallyAndKeepsZeros() throws UnknownHostException {
        Map<InetAddress, Long> served = new LinkedHashMap<>();
        served.put(ip("127.0.0.10"), 3L);
        served.put(ip("::1"), 1L);
        served.put(ip("127.0.0.9"), 0L);
        served.put(ip("127.0.0.2"), 6L);

        assertEquals("summary phase=steady client=fairway requests=10 shares=127.0.0.2:6,127.0.0.9:0,127.0.0.10:3,0:0:0:0:0:0:0:1:1",
                Shares.summary("steady", "fairway", 10, served));
    }

    @Test
    void summaryOfNoBackendsHasEmptyShares() {
        assertEquals("summary phase=steady client=plain requests=0 shares=", Shares.summary("steady", "plain", 0, Map.of()));
    }

    @Test
    void tableShowsCountPercentageAndBar() throws UnknownHostException {
        Map<InetAddress, Long> served = new LinkedHashMap<>();
        served.put(ip("127.0.0.3"), 1L);
        served.put(ip("127.0.0.2"), 999L);
        served.put(ip("127.0.0.4"), 0L);

        assertEquals("""
                    backend         requests   share
                    127.0.0.2            999   99.9%  ########################################
                    127.0.0.3              1    0.1%  #
                    127.0.0.4              0    0.0%
                """, Shares.table(served));
    }
}
