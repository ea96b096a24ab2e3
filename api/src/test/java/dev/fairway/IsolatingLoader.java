package dev.fairway;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Set;

/**
 * A class loader that serves its own {@code META-INF/services} files and defines the named test classes itself,
 * so that they live in this loader's unnamed module whether the tests run on the module path or the class path
 * (ServiceLoader ignores class-path entries whose class is in a named module). After grpc-java's
 * ReplacingClassLoader.
 */
final class IsolatingLoader extends ClassLoader {

    private final Path root;
    private final Set<String> isolated;

    IsolatingLoader(Path root, Set<String> isolated, ClassLoader parent) {
        super("isolating", parent);
        this.root = root;
        this.isolated = isolated;
    }

    static IsolatingLoader withServices(Path dir, Class<?> service, List<String> classNames) throws IOException {
        Path file = dir.resolve("META-INF/services/" + service.getName());
        Files.createDirectories(file.getParent());
        Files.write(file, classNames);
        return new IsolatingLoader(dir, Set.copyOf(classNames), IsolatingLoader.class.getClassLoader());
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        synchronized (getClassLoadingLock(name)) {
            Class<?> c = findLoadedClass(name);
            if (c == null && isolated.contains(name)) {
                c = findClass(name);
            }
            if (c == null) {
                return super.loadClass(name, resolve);
            }
            return c;
        }
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        String resource = name.replace('.', '/') + ".class";
        try (InputStream in = getParent().getResourceAsStream(resource)) {
            if (in == null) {
                throw new ClassNotFoundException(name);
            }
            byte[] bytes = in.readAllBytes();
            return defineClass(name, bytes, 0, bytes.length);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    protected Enumeration<URL> findResources(String name) throws IOException {
        Path p = root.resolve(name);
        List<URL> urls = new ArrayList<>();
        if (Files.exists(p)) {
            urls.add(p.toUri().toURL());
        }
        return Collections.enumeration(urls);
    }

    @Override
    protected URL findResource(String name) {
        try {
            Path p = root.resolve(name);
            return Files.exists(p) ? p.toUri().toURL() : null;
        } catch (IOException e) {
            return null;
        }
    }
}
