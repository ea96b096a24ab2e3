package dev.fairway.resolver.kubernetes.internal;

import dev.fairway.spi.Option;
import dev.fairway.spi.OptionValues;
import dev.fairway.spi.Resolver;
import dev.fairway.spi.ResolverContext;
import dev.fairway.spi.ResolverProvider;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;

import static dev.fairway.resolver.kubernetes.internal.KubernetesOptions.API_URL;
import static dev.fairway.resolver.kubernetes.internal.KubernetesOptions.CLUSTER_DOMAIN;
import static dev.fairway.resolver.kubernetes.internal.KubernetesOptions.PREFIX;

/**
 * The {@code kubernetes} resolver provider: follows a Service's EndpointSlices through the API server's list and
 * watch. See the module documentation for the targets, the options and the RBAC it needs.
 *
 * <p>Thread-safe and stateless; the constructor does nothing.
 */
public final class KubernetesResolverProvider implements ResolverProvider {

    /** Creates the provider; does nothing else. */
    public KubernetesResolverProvider() {
    }

    /**
     * {@inheritDoc}
     *
     * @return {@code "kubernetes"}
     */
    @Override
    public String name() {
        return "kubernetes";
    }

    @Override
    public int priority() {
        return DEFAULT_PRIORITY;
    }

    @Override
    public List<Option<?>> options() {
        return KubernetesOptions.ALL;
    }

    /**
     * Checks that {@code backoff_initial} is not longer than {@code backoff_max}, that the files given as
     * {@code token_file}, {@code ca_file} and {@code namespace_file} can be read (the defaults, which Kubernetes mounts
     * into pods, are read when used), and that without {@code api_url} this JVM runs in a pod
     * ({@code KUBERNETES_SERVICE_HOST} is set).
     *
     * @param options the validated values
     * @throws IllegalArgumentException naming the options, their values and what to change
     */
    @Override
    public void validate(OptionValues options) {
        validate(options, System::getenv);
    }

    void validate(OptionValues options, UnaryOperator<String> env) {
        KubernetesOptions.validate(options);
        for (Option<String> file : List.of(KubernetesOptions.TOKEN_FILE, KubernetesOptions.CA_FILE, KubernetesOptions.NAMESPACE_FILE)) {
            String given = options.given(file).orElse("");
            if (!given.isEmpty() && !Files.isReadable(Path.of(given))) {
                throw new IllegalArgumentException(PREFIX + file.key() + " = '" + given + "' is not allowed: no readable file"
                        + " is there; give the path of " + (file == KubernetesOptions.TOKEN_FILE ? "the bearer token (empty sends none)"
                        : file == KubernetesOptions.CA_FILE ? "the API server's CA certificates (PEM)" : "a file holding the namespace"));
            }
        }
        String host = env.apply("KUBERNETES_SERVICE_HOST");
        if (options.get(API_URL).isEmpty() && (host == null || host.isBlank())) {
            throw new IllegalArgumentException(PREFIX + API_URL.key() + " = '' (in the cluster) is not allowed here:"
                    + " KUBERNETES_SERVICE_HOST is not set, so this JVM does not run in a pod; set " + PREFIX + API_URL.key()
                    + " to an http:// or https:// URL of the API server, such as http://127.0.0.1:8001 with kubectl proxy");
        }
    }

    /**
     * Creates a resolver for the context's target.
     *
     * @param context the library-made context
     * @return a new, unstarted resolver
     * @throws IllegalArgumentException if the options do not pass {@link #validate}, or the target's host names no
     *                                  Service
     */
    @Override
    public Resolver create(ResolverContext context) {
        return create(context, System::getenv);
    }

    /** Creates a resolver that reads {@code env} instead of the process environment; for tests. */
    Resolver create(ResolverContext context, UnaryOperator<String> env) {
        validate(context.options(), env);
        ServiceName name = ServiceName.of(context.target().host(), context.options().get(CLUSTER_DOMAIN));
        return new KubernetesResolver(context, name, env);
    }
}
