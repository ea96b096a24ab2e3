package dev.fairway.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** JFR event {@code dev.fairway.Backend}: a backend joined or left a target. */
@Name("dev.fairway.Backend")
@Label("Backend Added or Removed")
@Category("Fairway")
@StackTrace(false)
@Description("A backend joined or left a target")
final class BackendEvent extends Event {

    @Label("Target")
    @Description("The target")
    String target;

    @Label("Backend")
    @Description("The backend ip:port")
    String backend;

    @Label("Change")
    @Description("added, removed, or refused and the kind of address (refused link_local, say)")
    String change;
}
