/**
 * FairwayClient where Java teams call HTTP: Spring's RestClient (plain and in Spring Boot), OpenFeign, Micrometer and
 * OpenTelemetry metrics. Each subpackage stands alone; docs/integrations.md walks through them. Nulls throw
 * {@link java.lang.NullPointerException} unless stated.
 */
package com.example.fairway.integrations;
