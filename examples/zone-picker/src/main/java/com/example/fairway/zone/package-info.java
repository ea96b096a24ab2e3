/**
 * The zone-aware picker and its provider. Not exported: Fairway reaches the provider through
 * {@link java.util.ServiceLoader}, which needs no export. Nulls throw {@link NullPointerException} unless stated.
 */
package com.example.fairway.zone;
