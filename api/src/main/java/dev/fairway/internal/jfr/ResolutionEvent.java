package dev.fairway.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** JFR event {@code dev.fairway.Resolution}: a resolver published addresses or failed. */
@Name("dev.fairway.Resolution")
@Label("Resolution")
@Category("Fairway")
@StackTrace(false)
@Description("A resolver published addresses or failed")
final class ResolutionEvent extends Event {

    @Label("Target")
    @Description("The target (scheme://host:port)")
    String target;

    @Label("Addresses")
    @Description("Addresses in the new set, or kept after a failure")
    int addresses;

    @Label("Added")
    @Description("Addresses new in this set")
    int added;

    @Label("Removed")
    @Description("Addresses gone from this set")
    int removed;

    @Label("Failed")
    @Description("Whether the resolution failed")
    boolean failed;

    @Label("Error")
    @Description("The resolver error, if it failed")
    String error;
}
