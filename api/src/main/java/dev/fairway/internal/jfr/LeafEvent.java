package dev.fairway.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** JFR event {@code dev.fairway.Leaf}: a leaf (a backend connection pool) was created, retired or closed. */
@Name("dev.fairway.Leaf")
@Label("Leaf")
@Category("Fairway")
@StackTrace(false)
@Description("A leaf (a backend connection pool) was created, retired or closed")
final class LeafEvent extends Event {

    @Label("Target")
    @Description("The target")
    String target;

    @Label("Backend")
    @Description("The backend ip:port")
    String backend;

    @Label("Leaf")
    @Description("The leaf number")
    long leafId;

    @Label("Action")
    @Description("Created, retired or closed")
    String action;

    @Label("Reason")
    @Description("Why it was retired")
    String reason;

    @Label("Forced")
    @Description("Closed with exchanges still running after the drain grace")
    boolean forced;
}
