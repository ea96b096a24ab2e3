package dev.fairway.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** JFR event {@code dev.fairway.HealthTransition}: a backend changed health state. */
@Name("dev.fairway.HealthTransition")
@Label("Health Transition")
@Category("Fairway")
@StackTrace(false)
@Description("A backend changed health state")
final class HealthTransitionEvent extends Event {

    @Label("Target")
    @Description("The target")
    String target;

    @Label("Backend")
    @Description("The backend ip:port")
    String backend;

    @Label("Previous State")
    @Description("The state before")
    String previous;

    @Label("Current State")
    @Description("The state now")
    String current;

    @Label("Reason")
    @Description("The health check reason")
    String reason;
}
