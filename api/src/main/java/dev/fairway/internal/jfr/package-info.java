/**
 * JFR events mirroring {@link dev.fairway.FairwayEvent}s, recorded when {@code jdk.jfr} is present and the events are
 * enabled. Exported to {@code jdk.jfr} only.
 */
package dev.fairway.internal.jfr;
