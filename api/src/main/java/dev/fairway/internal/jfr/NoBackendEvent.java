package dev.fairway.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** JFR event {@code dev.fairway.NoBackend}: a request failed because no backend could be used. */
@Name("dev.fairway.NoBackend")
@Label("No Backend")
@Category("Fairway")
@StackTrace(false)
@Description("A request failed because no backend could be used")
final class NoBackendEvent extends Event {

    @Label("Target")
    @Description("The target")
    String target;

    @Label("Reason")
    @Description("The NoBackendException reason")
    String reason;

    @Label("Message")
    @Description("The exception message")
    String message;
}
