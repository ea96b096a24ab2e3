package dev.fairway.contracttest;

import java.util.List;
import java.util.Optional;

/**
 * Fairway's published modules and their exact descriptors: the contract.
 *
 * <p>A module is checked as soon as its folder is in the parent pom's {@code <modules>}: it must then be a
 * dependency of {@code contract-test/pom.xml} (one line), and its descriptor must render exactly as written here.
 * Changing a descriptor therefore means changing this file, deliberately, and regenerating {@code docs/modules.md}.
 *
 * @param folder     the reactor folder
 * @param artifactId the Maven artifactId
 * @param descriptor the exact descriptor, as {@link Descriptors#render} renders it
 */
record Published(String folder, String artifactId, String descriptor) {

    /** The module name, from the descriptor's first line. */
    String module() {
        String first = descriptor.lines().findFirst().orElseThrow();
        return first.substring("module ".length(), first.length() - " {".length());
    }

    /** Reactor folders that hold no published module. */
    static final List<String> UNPUBLISHED = List.of("demo", "benchmarks", "bom", "examples/zone-picker", "examples/integrations", "contract-test");

    /** Every published module. */
    static final List<Published> ALL = List.of(
            new Published("spi", "fairway-spi", """
                    module dev.fairway.spi {
                        requires transitive java.net.http;

                        exports dev.fairway.spi;
                    }
                    """),
            new Published("api", "fairway-api", """
                    module dev.fairway {
                        requires transitive dev.fairway.spi;
                        requires static java.management;
                        requires static jdk.jfr;

                        exports dev.fairway;
                        exports dev.fairway.internal.jfr to jdk.jfr;

                        uses dev.fairway.spi.HealthCheckProvider;
                        uses dev.fairway.spi.LifetimePolicyProvider;
                        uses dev.fairway.spi.PickerProvider;
                        uses dev.fairway.spi.ResolverProvider;

                        provides dev.fairway.spi.LifetimePolicyProvider with
                            dev.fairway.internal.MaxAgeLifetimePolicyProvider,
                            dev.fairway.internal.NeverLifetimePolicyProvider;
                        provides dev.fairway.spi.ResolverProvider with dev.fairway.internal.StaticResolverProvider;
                    }
                    """),
            new Published("testing", "fairway-testing", """
                    module dev.fairway.testing {
                        requires transitive dev.fairway.spi;
                        requires jdk.management;

                        exports dev.fairway.testing;
                    }
                    """),
            new Published("balancer-roundrobin", "fairway-balancer-roundrobin", """
                    module dev.fairway.balancer.roundrobin {
                        requires dev.fairway.spi;

                        provides dev.fairway.spi.PickerProvider with
                            dev.fairway.balancer.roundrobin.internal.RoundRobinPickerProvider,
                            dev.fairway.balancer.roundrobin.internal.RandomPickerProvider,
                            dev.fairway.balancer.roundrobin.internal.WeightedRoundRobinPickerProvider;
                    }
                    """),
            new Published("balancer-leastconn", "fairway-balancer-leastconn", """
                    module dev.fairway.balancer.leastconn {
                        requires dev.fairway.spi;

                        provides dev.fairway.spi.PickerProvider with
                            dev.fairway.balancer.leastconn.internal.LeastConnPickerProvider,
                            dev.fairway.balancer.leastconn.internal.LeastLoadedPickerProvider,
                            dev.fairway.balancer.leastconn.internal.PeakEwmaPickerProvider;
                    }
                    """),
            new Published("resolver-dns", "fairway-resolver-dns", """
                    module dev.fairway.resolver.dns {
                        requires dev.fairway.spi;

                        provides dev.fairway.spi.ResolverProvider with
                            dev.fairway.resolver.dns.internal.DnsResolverProvider,
                            dev.fairway.resolver.dns.internal.DnsSrvResolverProvider;
                    }
                    """),
            new Published("resolver-kubernetes", "fairway-resolver-kubernetes", """
                    module dev.fairway.resolver.kubernetes {
                        requires dev.fairway.spi;

                        provides dev.fairway.spi.ResolverProvider with dev.fairway.resolver.kubernetes.internal.KubernetesResolverProvider;
                    }
                    """),
            new Published("health", "fairway-health", """
                    module dev.fairway.health {
                        requires dev.fairway.spi;

                        provides dev.fairway.spi.HealthCheckProvider with
                            dev.fairway.health.internal.HttpHealthCheckProvider,
                            dev.fairway.health.internal.GrpcHealthCheckProvider,
                            dev.fairway.health.internal.TcpHealthCheckProvider;
                    }
                    """));

    /**
     * The published module of this name.
     *
     * @param module a module name
     * @return the entry, if the module is published
     */
    static Optional<Published> byModule(String module) {
        return ALL.stream().filter(p -> p.module().equals(module)).findFirst();
    }
}
