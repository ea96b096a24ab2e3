package dev.fairway.internal;

/**
 * Whether the optional modules Fairway can use ({@code requires static}) are there at run time: on the module path
 * they must be resolved and readable by {@code dev.fairway}; on the class path their classes must load.
 */
final class OptionalModules {

    private OptionalModules() {
    }

    static boolean available(String moduleName, String probeClass) {
        Module self = OptionalModules.class.getModule();
        if (self.isNamed()) {
            ModuleLayer layer = self.getLayer() != null ? self.getLayer() : ModuleLayer.boot();
            return layer.findModule(moduleName).map(self::canRead).orElse(false);
        }
        try {
            Class.forName(probeClass, false, OptionalModules.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}
