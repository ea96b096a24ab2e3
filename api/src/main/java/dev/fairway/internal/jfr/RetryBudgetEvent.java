package dev.fairway.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** JFR event {@code dev.fairway.RetryBudgetExhausted}: a target's retry budget ran dry. */
@Name("dev.fairway.RetryBudgetExhausted")
@Label("Retry Budget Exhausted")
@Category("Fairway")
@StackTrace(false)
@Description("A target's retry budget ran dry: further retries and hedges are not sent until requests earn more")
final class RetryBudgetEvent extends Event {

    @Label("Target")
    @Description("The target")
    String target;

    @Label("Retries")
    @Description("Retries and hedges sent in the budget's window")
    long retries;

    @Label("Requests")
    @Description("Requests in the budget's window")
    long requests;
}
