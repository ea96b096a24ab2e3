package dev.fairway.resolver.kubernetes.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What the resolver keeps of one EndpointSlice: its ports by name and its endpoints' first address, conditions and
 * topology. FQDN slices have no endpoints here.
 *
 * @param name      the slice's name
 * @param ports     port numbers by port name ({@code ""} for an unnamed port)
 * @param endpoints the endpoints
 */
record Slice(String name, Map<String, Integer> ports, List<Endpoint> endpoints) {

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:.]{2,45}");

    Slice {
        Objects.requireNonNull(name, "name");
        ports = Map.copyOf(ports);
        endpoints = List.copyOf(endpoints);
    }

    /**
     * One endpoint, its conditions read as KEP-1669 says: {@code ready} absent means ready, {@code serving} absent
     * means as {@code ready}, {@code terminating} absent means not terminating.
     *
     * @param address     the first address of the endpoint
     * @param ready       ready for traffic
     * @param serving     serving, whether or not terminating
     * @param terminating going away
     * @param zone        the zone, if given
     * @param node        the node name, if given
     * @param forZones    the zones of {@code hints.forZones}, comma-separated, if any
     * @param forNodes    the nodes of {@code hints.forNodes}, comma-separated, if any
     */
    record Endpoint(InetAddress address, boolean ready, boolean serving, boolean terminating, Optional<String> zone,
                    Optional<String> node, Optional<String> forZones, Optional<String> forNodes) {
    }

    /**
     * Reads an EndpointSlice object.
     *
     * @param object the JSON object
     * @return the slice
     * @throws IOException if it has no name or an endpoint address is not an IP address
     */
    static Slice parse(Map<String, Object> object) throws IOException {
        String name = Json.string(Json.object(object, "metadata"), "name")
                .orElseThrow(() -> new IOException("an EndpointSlice without metadata.name"));
        Map<String, Integer> ports = new LinkedHashMap<>();
        for (Map<String, Object> port : Json.objects(object, "ports")) {
            Optional<Long> number = Json.integer(port, "port");
            if (number.isPresent() && number.get() >= 1 && number.get() <= 65535
                    && !Json.string(port, "protocol").orElse("TCP").equals("UDP")) {
                ports.putIfAbsent(Json.string(port, "name").orElse(""), number.get().intValue());
            }
        }
        String type = Json.string(object, "addressType").orElse("IPv4");
        List<Endpoint> endpoints = new ArrayList<>();
        if (type.equals("IPv4") || type.equals("IPv6")) {
            for (Map<String, Object> e : Json.objects(object, "endpoints")) {
                List<Object> addresses = Json.array(e, "addresses");
                if (addresses.isEmpty() || !(addresses.get(0) instanceof String ip)) {
                    continue;
                }
                Map<String, Object> conditions = Json.object(e, "conditions");
                boolean ready = Json.bool(conditions, "ready").orElse(true);
                boolean serving = Json.bool(conditions, "serving").orElse(ready);
                boolean terminating = Json.bool(conditions, "terminating").orElse(false);
                Map<String, Object> hints = Json.object(e, "hints");
                endpoints.add(new Endpoint(ip(ip, name), ready, serving, terminating, Json.string(e, "zone"),
                        Json.string(e, "nodeName"), names(hints, "forZones"), names(hints, "forNodes")));
            }
        }
        return new Slice(name, ports, endpoints);
    }

    private static Optional<String> names(Map<String, Object> hints, String key) {
        List<String> names = new ArrayList<>();
        for (Map<String, Object> item : Json.objects(hints, key)) {
            Json.string(item, "name").ifPresent(names::add);
        }
        return names.isEmpty() ? Optional.empty() : Optional.of(String.join(",", names));
    }

    /** Parses an IP literal without ever asking DNS. */
    private static InetAddress ip(String literal, String slice) throws IOException {
        boolean v4 = IPV4.matcher(literal).matches();
        if (v4 || (IPV6.matcher(literal).matches() && literal.indexOf(':') >= 0)) {
            try {
                InetAddress address = InetAddress.getByName(literal);      // a literal: no look-up
                if (!v4 || address.getAddress().length == 4) {
                    return address;
                }
            } catch (UnknownHostException e) {
                // below
            }
        }
        throw new IOException("EndpointSlice " + slice + " has the endpoint address '" + literal + "', which is not an IP address");
    }
}
