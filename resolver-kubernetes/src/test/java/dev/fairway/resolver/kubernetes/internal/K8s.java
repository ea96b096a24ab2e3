package dev.fairway.resolver.kubernetes.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/** Builds the JSON of Kubernetes objects for tests. */
final class K8s {

    private K8s() {
    }

    /** An endpoint; {@code null} conditions are left out, as the API server leaves them out. */
    static String endpoint(String ip, Boolean ready, Boolean serving, Boolean terminating, String zone) {
        StringJoiner conditions = new StringJoiner(",", "{", "}");
        if (ready != null) {
            conditions.add("\"ready\":" + ready);
        }
        if (serving != null) {
            conditions.add("\"serving\":" + serving);
        }
        if (terminating != null) {
            conditions.add("\"terminating\":" + terminating);
        }
        return "{\"addresses\":[\"" + ip + "\"],\"conditions\":" + conditions + (zone == null ? "" : ",\"zone\":\"" + zone + "\"")
                + ",\"nodeName\":\"node-" + ip.replace('.', '-').replace(':', '-') + "\"}";
    }

    static String ready(String ip) {
        return endpoint(ip, true, true, false, null);
    }

    static String terminating(String ip) {
        return endpoint(ip, false, true, true, null);
    }

    /** An EndpointSlice of Service {@code service} with one TCP port named {@code portName}. */
    static String slice(String name, String service, String rv, String portName, int port, List<String> endpoints) {
        return "{\"kind\":\"EndpointSlice\",\"apiVersion\":\"discovery.k8s.io/v1\",\"metadata\":{\"name\":\"" + name
                + "\",\"namespace\":\"shop\",\"resourceVersion\":\"" + rv + "\",\"labels\":{\"kubernetes.io/service-name\":\""
                + service + "\"}},\"addressType\":\"IPv4\",\"endpoints\":[" + String.join(",", endpoints)
                + "],\"ports\":[{\"name\":\"" + portName + "\",\"port\":" + port + ",\"protocol\":\"TCP\"}]}";
    }

    static String list(String rv, List<String> slices) {
        return "{\"kind\":\"EndpointSliceList\",\"apiVersion\":\"discovery.k8s.io/v1\",\"metadata\":{\"resourceVersion\":\""
                + rv + "\"},\"items\":[" + String.join(",", slices) + "]}";
    }

    static String event(String type, String object) {
        return "{\"type\":\"" + type + "\",\"object\":" + object + "}";
    }

    static String bookmark(String rv) {
        return event("BOOKMARK", "{\"kind\":\"EndpointSlice\",\"apiVersion\":\"discovery.k8s.io/v1\",\"metadata\":{\"resourceVersion\":\""
                + rv + "\"}}");
    }

    static String gone() {
        return event("ERROR", "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"message\":\"too old resource"
                + " version: 1 (5)\",\"reason\":\"Expired\",\"code\":410}");
    }

    /** A Service with the given {@code name:port:targetPort} ports. */
    static String service(String name, String... ports) {
        List<String> items = new ArrayList<>();
        for (String p : ports) {
            String[] f = p.split(":");
            items.add("{\"name\":\"" + f[0] + "\",\"port\":" + f[1] + ",\"targetPort\":" + (f[2].matches("\\d+") ? f[2] : "\"" + f[2] + "\"") + ",\"protocol\":\"TCP\"}");
        }
        return "{\"kind\":\"Service\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\"shop\"},"
                + "\"spec\":{\"ports\":[" + String.join(",", items) + "]}}";
    }

    /** {@code n} ready endpoints 10.1.{i/250}.{i%250+1}, starting at {@code from}. */
    static List<String> readyEndpoints(int from, int n) {
        List<String> eps = new ArrayList<>();
        for (int i = from; i < from + n; i++) {
            eps.add(ready("10.1." + (i / 250) + "." + (i % 250 + 1)));
        }
        return eps;
    }
}
