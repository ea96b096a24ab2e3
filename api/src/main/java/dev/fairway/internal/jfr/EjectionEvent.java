package dev.fairway.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** JFR event {@code dev.fairway.Ejection}: outlier detection ejected or returned a backend. */
@Name("dev.fairway.Ejection")
@Label("Ejection")
@Category("Fairway")
@StackTrace(false)
@Description("Outlier detection ejected or returned a backend")
final class EjectionEvent extends Event {

    @Label("Target")
    @Description("The target")
    String target;

    @Label("Backend")
    @Description("The backend ip:port")
    String backend;

    @Label("Ejected")
    @Description("True for an ejection, false for a return")
    boolean ejected;

    @Label("Reason")
    @Description("Why")
    String reason;

    @Label("Duration (ms)")
    @Description("Ejection time; 0 for a return")
    long durationMillis;
}
