package dev.fairway.internal;

import dev.fairway.spi.Backend;
import dev.fairway.spi.BackendAddress;
import dev.fairway.spi.Option;
import dev.fairway.spi.OptionValues;
import dev.fairway.spi.Picker;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Zone-aware routing: which zones this client sends a target's requests to, and what share to each, read from
 * {@code fairway.zone} and {@code fairway.zone.*}.
 *
 * <p>The rule, after Envoy's zone-aware routing with one change measured in {@code docs/benchmarks.md}: every zone may
 * take up to {@code max_load} times its fair share of the traffic (its share of the usable capacity); a zone's clients
 * keep their requests in their zone up to that, and spill only the rest, to the zones with room left, in proportion to
 * that room. With {@code max_load = 1} that is Envoy's rule (every backend at the mean, cross-zone traffic as low as
 * exact balance allows); the default 1.2 lets each backend take up to 1.2× the mean to keep more traffic local.
 * Kubernetes' topology hints, when every address of the target carries them, take precedence (they are the Service
 * owner's allocation); panic mode, a target smaller than {@code min_backends}, or a client without a zone turn routing
 * off.
 *
 * @param zone         this client's zone, if known
 * @param node         this client's node, if known (for {@code hints.for_nodes})
 * @param minBackends  below this many backends (not draining) in a target, no zone routing
 * @param maxLoad      the most traffic a zone takes, relative to its share of the capacity, before the rest spills
 * @param clientShares how this target's clients spread over zones (the traffic each zone originates); empty: as the
 *                     target's backends spread
 * @param subnets      zones of addresses that carry no {@value BackendAddress#ZONE} attribute, by address prefix
 * @param hints        whether Kubernetes' topology hints are honoured
 */
public record Locality(Optional<String> zone, Optional<String> node, int minBackends, double maxLoad,
                       Map<String, Double> clientShares, List<Subnet> subnets, boolean hints) {

    /** The environment variable that gives the client's zone when {@code fairway.zone} is not set. */
    public static final String ZONE_ENV = "FAIRWAY_ZONE";
    /** The environment variable that gives the client's node when {@code fairway.zone.node} is not set. */
    public static final String NODE_ENV = "FAIRWAY_NODE";

    /** The most entries in {@code client_shares} and {@code subnets}. */
    static final int MAX_ENTRIES = 1_024;

    /** The longest zone or node name (a DNS name's length; Kubernetes label values are at most 63). */
    static final int MAX_NAME = 253;

    static final Option<String> NODE = Option.ofCustom("node", "",
            "this client's node, for Kubernetes' hints.for_nodes; when not given, the environment variable " + NODE_ENV,
            "a name of 1 to " + MAX_NAME + " characters without spaces, commas or '='", Locality::name);
    static final Option<Integer> MIN_BACKENDS = Option.ofInt("min_backends", 6, 1, 100_000,
            "below this many backends in a target, requests go to every zone alike");
    static final Option<Double> MAX_LOAD = Option.ofDouble("max_load", 1.2, 1, 10,
            "the most traffic a zone takes, relative to its share of the usable capacity, before the rest spills to other zones");
    static final Option<Map<String, Double>> CLIENT_SHARES = Option.ofCustom("client_shares", Map.of(),
            "how the target's clients spread over zones; when not given, as the target's backends spread",
            "a comma-separated list of zone=share, each share a positive number, like eu-1a=3,eu-1b=2", Locality::shares);
    static final Option<List<Subnet>> SUBNETS = Option.ofCustom("subnets", List.of(),
            "the zones of addresses whose resolver gives none, by address prefix; the first match wins",
            "a comma-separated list of address/prefix=zone, like 10.0.1.0/24=eu-1a", Locality::subnets);
    static final Option<Boolean> HINTS = Option.ofBoolean("hints", true,
            "whether Kubernetes' topology hints (hints.for_zones, hints.for_nodes) are honoured when every address carries them");

    /** Every {@code fairway.zone.*} option. */
    static final List<Option<?>> OPTIONS = List.of(NODE, MIN_BACKENDS, MAX_LOAD, CLIENT_SHARES, SUBNETS, HINTS);

    /** An address prefix and the zone of the addresses in it. */
    public record Subnet(InetAddress network, int prefix, String zone) {

        /** Checks the prefix length against the address family. */
        public Subnet {
            Objects.requireNonNull(network, "network");
            Objects.requireNonNull(zone, "zone");
            if (prefix < 0 || prefix > network.getAddress().length * 8) {
                throw new IllegalArgumentException("prefix " + prefix + " of " + network.getHostAddress());
            }
        }

        boolean contains(InetAddress address) {
            byte[] a = address.getAddress();
            byte[] n = network.getAddress();
            if (a.length != n.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (a[i] != n[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (a[full] & mask) == (n[full] & mask);
        }

        @Override
        public String toString() {
            return network.getHostAddress() + "/" + prefix + "=" + zone;
        }
    }

    /** Copies and checks. */
    public Locality {
        Objects.requireNonNull(zone, "zone");
        Objects.requireNonNull(node, "node");
        clientShares = Map.copyOf(clientShares);
        subnets = List.copyOf(subnets);
    }

    /** Zone routing off: no zone, the defaults otherwise. */
    public static Locality off() {
        return of("", Map.of(), name -> null);
    }

    /**
     * Validates the user's values.
     *
     * @param zone the client's zone ({@code fairway.zone}), or the empty text when not given
     * @param raw  the {@code fairway.zone.*} values by key (without the prefix)
     * @param env  the environment, consulted for {@value #ZONE_ENV} and {@value #NODE_ENV} when not given
     * @return the settings
     * @throws IllegalArgumentException naming the key (or environment variable), the value and what is allowed
     */
    public static Locality of(String zone, Map<String, ?> raw, Function<String, String> env) {
        OptionValues v = OptionValues.of("fairway.zone.", OPTIONS, raw);
        String z = zone.isEmpty() ? fromEnv(env, ZONE_ENV) : zone;
        String n = v.get(NODE).isEmpty() ? fromEnv(env, NODE_ENV) : v.get(NODE);
        if (z != null && !v.get(CLIENT_SHARES).isEmpty() && !v.get(CLIENT_SHARES).containsKey(z)) {
            throw new IllegalArgumentException("fairway.zone.client_shares = '" + raw.get(CLIENT_SHARES.key())
                    + "' has no share for this client's zone '" + z + "': list every zone that has clients, this one included");
        }
        return new Locality(Optional.ofNullable(z), Optional.ofNullable(n), v.get(MIN_BACKENDS), v.get(MAX_LOAD),
                v.get(CLIENT_SHARES), v.get(SUBNETS), v.get(HINTS));
    }

    private static String fromEnv(Function<String, String> env, String variable) {
        String value = env.apply(variable);
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return name(value.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("environment variable " + variable + " = '" + shorten(value)
                    + "' is not allowed: use a name of 1 to " + MAX_NAME + " characters without spaces, commas or '='");
        }
    }

    /** A zone or node name: 1 to {@value #MAX_NAME} characters, none of them blank, a comma or '='. */
    static String name(Object raw) {
        if (!(raw instanceof String s) || s.isEmpty() || s.length() > MAX_NAME) {
            throw new IllegalArgumentException();
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c) || c == ',' || c == '=' || Character.isISOControl(c)) {
                throw new IllegalArgumentException();
            }
        }
        return s;
    }

    private static Map<String, Double> shares(Object raw) {
        Map<String, Double> shares = new LinkedHashMap<>();
        for (String[] pair : pairs(raw)) {
            String zone = name(pair[0]);
            double share;
            try {
                share = Double.parseDouble(pair[1]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("share '" + shorten(pair[1]) + "' of " + zone + " is not a number");
            }
            if (!(share > 0) || Double.isInfinite(share)) {
                throw new IllegalArgumentException("share of " + zone + " must be positive and finite");
            }
            if (shares.put(zone, share) != null) {
                throw new IllegalArgumentException("zone " + zone + " is given twice");
            }
        }
        return Map.copyOf(shares);
    }

    private static List<Subnet> subnets(Object raw) {
        List<Subnet> subnets = new ArrayList<>();
        for (String[] pair : pairs(raw)) {
            String zone = name(pair[1]);
            int slash = pair[0].indexOf('/');
            if (slash < 0) {
                throw new IllegalArgumentException("'" + shorten(pair[0]) + "' has no /prefix");
            }
            String ip = pair[0].substring(0, slash);
            InetAddress network = literal(ip);
            int prefix;
            try {
                prefix = Integer.parseInt(pair[0].substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("prefix of '" + shorten(pair[0]) + "' is not a number");
            }
            int bits = network.getAddress().length * 8;
            if (prefix < 0 || prefix > bits) {
                throw new IllegalArgumentException("prefix " + prefix + " of " + ip + " is not from 0 to " + bits);
            }
            subnets.add(new Subnet(network, prefix, zone));
        }
        return List.copyOf(subnets);
    }

    /**
     * An IP literal, never a host name to look up: IPv4 as exactly four decimal octets (not the short forms
     * {@code InetAddress} also takes, such as {@code 10.1}), IPv6 as anything with a colon that {@code InetAddress}
     * takes as a literal (it never looks such a text up).
     */
    private static InetAddress literal(String ip) {
        IllegalArgumentException bad = new IllegalArgumentException("'" + shorten(ip)
                + "' is not an IP address (four decimal octets, or IPv6 with colons)");
        if (ip.length() > 45 || ip.isEmpty()) {
            throw bad;
        }
        if (ip.indexOf(':') < 0) {
            String[] parts = ip.split("\\.", -1);
            if (parts.length != 4) {
                throw bad;
            }
            byte[] bytes = new byte[4];
            for (int i = 0; i < 4; i++) {
                if (parts[i].isEmpty() || parts[i].length() > 3 || !parts[i].chars().allMatch(c -> c >= '0' && c <= '9')) {
                    throw bad;
                }
                int octet = Integer.parseInt(parts[i]);
                if (octet > 255) {
                    throw bad;
                }
                bytes[i] = (byte) octet;
            }
            try {
                return InetAddress.getByAddress(bytes);
            } catch (UnknownHostException e) {
                throw bad;
            }
        }
        if (!ip.chars().allMatch(c -> c == ':' || c == '.' || Character.digit(c, 16) >= 0)) {
            throw bad;
        }
        try {
            return InetAddress.getByName(ip); // with a colon, a literal or an error: never a lookup
        } catch (UnknownHostException e) {
            throw bad;
        }
    }

    /** Splits {@code a=b,c=d}; at most {@value #MAX_ENTRIES} pairs. */
    private static List<String[]> pairs(Object raw) {
        if (!(raw instanceof String s)) {
            throw new IllegalArgumentException();
        }
        List<String[]> pairs = new ArrayList<>();
        if (s.isBlank()) {
            return pairs;
        }
        for (String item : s.split(",", -1)) {
            if (pairs.size() == MAX_ENTRIES) {
                throw new IllegalArgumentException("more than " + MAX_ENTRIES + " entries");
            }
            int eq = item.indexOf('=');
            if (eq < 0 || item.indexOf('=', eq + 1) >= 0) {
                throw new IllegalArgumentException("'" + shorten(item.trim()) + "' is not key=value");
            }
            pairs.add(new String[] {item.substring(0, eq).trim(), item.substring(eq + 1).trim()});
        }
        return pairs;
    }

    /** Whether zone routing can apply at all: the client knows its zone, or its node (for node hints). */
    boolean enabled() {
        return zone.isPresent() || node.isPresent();
    }

    /**
     * The zone of an address: its {@value BackendAddress#ZONE} attribute, else the first subnet that holds it.
     *
     * @return the zone, or the empty text when unknown
     */
    String zoneOf(BackendAddress address) {
        String z = address.attributes().get(BackendAddress.ZONE);
        if (z != null) {
            return z;
        }
        InetAddress ip = address.socketAddress().getAddress();
        for (Subnet s : subnets) {
            if (s.contains(ip)) {
                return s.zone();
            }
        }
        return "";
    }

    /**
     * How one snapshot's requests are routed: the zones this client sends to, the backends of each, and the share of
     * the requests each gets (summing to 1).
     *
     * @param zones  the zones, the client's own first when it gets any
     * @param groups the picker-eligible backends of each zone
     * @param shares the share of requests each zone gets
     * @param rule   what decided it: {@code hints.for_nodes}, {@code hints.for_zones}, {@code local} or {@code spill}
     */
    record Plan(List<String> zones, List<List<Backend>> groups, double[] shares, String rule) {

        static Plan only(String zone, List<Backend> backends, String rule) {
            return new Plan(List.of(zone), List.of(backends), new double[] {1}, rule);
        }

        /** The shares by zone, for the snapshot. */
        Map<String, Double> byZone() {
            Map<String, Double> map = new LinkedHashMap<>();
            for (int i = 0; i < zones.size(); i++) {
                map.put(zones.get(i), shares[i]);
            }
            return map;
        }
    }

    /**
     * Plans one snapshot.
     *
     * @param live      the target's backends that are not draining, healthy or not
     * @param chosen    the backends the picker may use (usable, after subsetting)
     * @param panicking whether the target is in panic mode
     * @param spread    how the target's clients spread over zones when {@code client_shares} is not given: the
     *                  remembered weight of each zone's backends ({@link Demand})
     * @return the plan, or {@code null} when zone routing does not apply and every chosen backend is a candidate
     */
    Plan plan(List<? extends Backend> live, List<Backend> chosen, boolean panicking, Map<String, Double> spread) {
        if (!enabled() || panicking || chosen.isEmpty()) {
            return null;
        }
        if (hints && node.isPresent()) {
            List<Backend> forNode = hinted(live, chosen, BackendAddress.HINTS_FOR_NODES, node.get());
            if (forNode != null) {
                return Plan.only(zone.orElse(""), forNode, "hints.for_nodes");
            }
        }
        if (zone.isEmpty()) {
            return null;
        }
        String mine = zone.get();
        if (hints) {
            List<Backend> forZone = hinted(live, chosen, BackendAddress.HINTS_FOR_ZONES, mine);
            if (forZone != null) {
                return Plan.only(mine, forZone, "hints.for_zones");
            }
        }
        if (live.size() < minBackends) {
            return null;
        }
        // Capacity: the weights of the usable backends per zone; demand: the clients' spread over zones.
        Map<String, Double> capacity = new LinkedHashMap<>();
        Map<String, List<Backend>> groups = new LinkedHashMap<>();
        double total = 0;
        for (Backend b : chosen) {
            String z = zoneOf(b.address());
            capacity.merge(z, (double) b.address().weight(), Double::sum);
            groups.computeIfAbsent(z, k -> new ArrayList<>()).add(b);
            total += b.address().weight();
        }
        Map<String, Double> demand = new LinkedHashMap<>(clientShares.isEmpty() ? spread : clientShares);
        demand.values().removeIf(d -> !(d > 0));
        if (demand.isEmpty()) {
            return null;
        }
        if (capacity.size() == 1 && capacity.containsKey("")) {
            return null; // no usable address has a zone
        }
        double demandTotal = demand.values().stream().mapToDouble(Double::doubleValue).sum();
        double myDemand = demand.getOrDefault(mine, 0.0) / demandTotal;
        double myCapacity = capacity.getOrDefault(mine, 0.0) / total;
        if (myDemand <= 0) {
            // No clients here by the given shares, yet this client is: negligible, so local when it can be.
            return myCapacity > 0 ? Plan.only(mine, groups.get(mine), "local") : null;
        }
        // Each zone keeps its own traffic up to maxLoad × its capacity share; the rest spills to the room left.
        Map<String, Double> room = new LinkedHashMap<>();
        double roomTotal = 0;
        Set<String> zones = new LinkedHashSet<>(capacity.keySet());
        zones.addAll(demand.keySet());
        for (String z : zones) {
            double c = demand.getOrDefault(z, 0.0) / demandTotal;
            double allowed = maxLoad * capacity.getOrDefault(z, 0.0) / total;
            double left = allowed - Math.min(c, allowed);
            if (left > 0 && capacity.containsKey(z)) {
                room.put(z, left);
                roomTotal += left;
            }
        }
        double keep = Math.min(myDemand, maxLoad * myCapacity);
        double local = keep / myDemand;
        if (local >= 1 - 1e-12) {
            return Plan.only(mine, groups.get(mine), "local");
        }
        List<String> planZones = new ArrayList<>();
        List<List<Backend>> planGroups = new ArrayList<>();
        List<Double> planShares = new ArrayList<>();
        if (local > 0) {
            planZones.add(mine);
            planGroups.add(groups.get(mine));
            planShares.add(local);
        }
        if (roomTotal <= 0) {
            return null; // cannot happen with maxLoad ≥ 1; every backend rather than nothing
        }
        for (Map.Entry<String, Double> e : room.entrySet()) {
            if (!e.getKey().equals(mine)) {
                planZones.add(e.getKey());
                planGroups.add(groups.get(e.getKey()));
                planShares.add((1 - local) * e.getValue() / roomTotal);
            }
        }
        double[] shares = new double[planShares.size()];
        double sum = 0;
        for (int i = 0; i < shares.length; i++) {
            shares[i] = planShares.get(i);
            sum += shares[i];
        }
        for (int i = 0; i < shares.length; i++) {
            shares[i] /= sum; // exactly 1 in all, whatever rounding did
        }
        return new Plan(List.copyOf(planZones), List.copyOf(planGroups), shares, "spill");
    }

    /**
     * The chosen backends hinted for {@code mine}, when every live backend carries the hint (as kube-proxy requires)
     * and at least one chosen backend is hinted for it; else {@code null}.
     */
    private static List<Backend> hinted(List<? extends Backend> live, List<Backend> chosen, String key, String mine) {
        for (Backend b : live) {
            if (!b.address().attributes().containsKey(key)) {
                return null;
            }
        }
        List<Backend> hinted = new ArrayList<>();
        for (Backend b : chosen) {
            for (String h : b.address().attributes().get(key).split(",")) {
                if (h.trim().equals(mine)) {
                    hinted.add(b);
                    break;
                }
            }
        }
        return hinted.isEmpty() ? null : hinted;
    }

    /**
     * The weight of the backends (not draining) in each zone, by {@link #zoneOf}.
     *
     * @param live     the backends
     * @param locality where the zones come from
     * @return weight by zone, in the order first seen
     */
    static Map<String, Double> weightsByZone(List<? extends Backend> live, Locality locality) {
        Map<String, Double> weights = new LinkedHashMap<>();
        for (Backend b : live) {
            weights.merge(locality.zoneOf(b.address()), (double) b.address().weight(), Double::sum);
        }
        return weights;
    }

    /**
     * How a target's clients spread over zones, as a client estimates it without {@code client_shares}: like the
     * target's backends, but remembered. Each zone's weight is held at its peak and fades towards the present with a
     * time constant of {@link #FADE}: backends that fail or leave the resolver's answer shrink their zone's capacity
     * at once, but the traffic its clients send only slowly, so that the zone spills what its remaining backends
     * cannot take (a readiness failure, a rollout) instead of taking it all; a lasting change is believed after about
     * half an hour. Entries that have faded out are dropped, so it holds at most the zones seen in that time. Not
     * thread-safe: the pool's lock guards it.
     */
    static final class Demand {
        /** The time constant with which a zone's remembered weight fades towards its present weight. */
        static final java.time.Duration FADE = java.time.Duration.ofMinutes(10);

        private final Map<String, Remembered> remembered = new LinkedHashMap<>();

        /** A zone's remembered weight, and when it was last updated. */
        private static final class Remembered {
            double weight;
            long at;

            Remembered(long at) {
                this.at = at;
            }
        }

        /**
         * Remembers the present weights and returns the estimate.
         *
         * @param present the weight of each zone's backends now
         * @param now     the ticker's time, in nanoseconds
         * @return the estimated weight of each zone's clients
         */
        Map<String, Double> update(Map<String, Double> present, long now) {
            Map<String, Double> estimate = new LinkedHashMap<>();
            for (Map.Entry<String, Double> e : present.entrySet()) {
                remembered.computeIfAbsent(e.getKey(), k -> new Remembered(now));
            }
            for (var it = remembered.entrySet().iterator(); it.hasNext(); ) {
                var e = it.next();
                double current = present.getOrDefault(e.getKey(), 0.0);
                Remembered r = e.getValue();
                double value = current;
                if (r.weight > current) {
                    value = current + (r.weight - current) * Math.exp(-Math.max(0, now - r.at) / (double) FADE.toNanos());
                }
                if (value < 1e-3 && current == 0) {
                    it.remove();
                    continue;
                }
                r.weight = value;
                r.at = now;
                estimate.put(e.getKey(), value);
            }
            return estimate;
        }
    }

    /**
     * Routes each pick to a zone by the plan's shares, then to that zone's own picker. Zones are drawn from a Weyl
     * sequence (one atomic step per pick), so that every window of picks matches the shares closely, not only on
     * average; {@code completed} goes to the picker of the backend's zone.
     */
    static final class ZonePicker implements Picker {
        private static final long GOLDEN = 0x9E3779B97F4A7C15L;

        private final double[] upTo;
        private final Picker[] pickers;
        private final Map<Backend, Picker> byBackend;
        private final AtomicLong next;

        /**
         * @param next the draw counter, the target's for its lifetime: a picker that replaces another goes on with the
         *             sequence instead of starting again at its own zone
         */
        ZonePicker(double[] shares, Picker[] pickers, List<List<Backend>> groups, AtomicLong next) {
            this.next = next;
            this.pickers = pickers.clone();
            this.upTo = new double[shares.length];
            double sum = 0;
            for (int i = 0; i < shares.length; i++) {
                sum += shares[i];
                upTo[i] = sum;
            }
            upTo[shares.length - 1] = 1.0;
            this.byBackend = new IdentityHashMap<>();
            for (int i = 0; i < groups.size(); i++) {
                for (Backend b : groups.get(i)) {
                    byBackend.put(b, pickers[i]);
                }
            }
        }

        @Override
        public Backend pick(HttpRequest request) {
            double u = ((next.getAndIncrement() * GOLDEN) >>> 11) * 0x1.0p-53;
            for (int i = 0; i < upTo.length - 1; i++) {
                if (u < upTo[i]) {
                    return pickers[i].pick(request);
                }
            }
            return pickers[upTo.length - 1].pick(request);
        }

        @Override
        public void completed(Backend backend, long elapsedNanos, boolean success) {
            Picker p = byBackend.get(backend);
            if (p != null) {
                p.completed(backend, elapsedNanos, success);
            }
        }
    }

    /** A user's text, shortened for an error message. */
    private static String shorten(String s) {
        return s.length() <= 60 ? s : s.substring(0, 60) + "…";
    }
}
