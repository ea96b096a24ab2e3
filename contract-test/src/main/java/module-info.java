/**
 * Fairway's JPMS contract test, as a user's application module sees Fairway: it requires {@code dev.fairway} and
 * nothing else, and gets the providers by service binding.
 *
 * <p>The module has no code of its own; its tests (patched into it on the module path, on the class path as well)
 * read every published module's descriptor from the built jars and check it exactly, resolve this module with
 * {@link java.lang.module.Configuration#resolveAndBind} to prove that binding pulls the provider modules in, and check
 * that {@code bom/pom.xml} and {@code docs/modules.md} agree with the jars. It is never published.
 *
 * <p>This module reads no system properties; its tests read {@code fairway.root}, {@code fairway.version} and
 * {@code fairway.regenerate.modules} (default {@code false}), set by its pom.
 */
module dev.fairway.contracttest {
    requires dev.fairway;
}
