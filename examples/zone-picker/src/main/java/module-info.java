/**
 * An example Fairway picker, written as a third party writes one: a zone-aware picker that keeps traffic in the
 * client's zone.
 *
 * <p>This module provides one {@link dev.fairway.spi.PickerProvider}, named {@code zone_aware}. It ships both the
 * {@code provides} clause below and {@code META-INF/services/dev.fairway.spi.PickerProvider}, so that Fairway finds
 * it on the module path and on the class path; it requires nothing but {@code dev.fairway.spi} and exports nothing.
 *
 * <p>The picker prefers the usable backends whose {@linkplain dev.fairway.spi.BackendAddress#zone() zone attribute}
 * equals the client's zone and takes them in round robin; when fewer than {@code min_backends} of them are usable it
 * balances over all usable backends (still round robin), so losing a zone never fails requests. Picking never locks,
 * throws or allocates.
 *
 * <table class="striped">
 * <caption>Options</caption>
 * <thead><tr><th>key</th><th>value</th><th>default</th></tr></thead>
 * <tbody>
 * <tr><td>{@code fairway.picker.zone}</td><td>the client's zone, for example {@code eu-west-1a}</td>
 *     <td>none: required</td></tr>
 * <tr><td>{@code fairway.picker.min_backends}</td><td>usable in-zone backends needed to stay in the zone,
 *     1 to 10000</td><td>{@code 1}</td></tr>
 * </tbody>
 * </table>
 *
 * {@snippet :
 * Properties config = new Properties();
 * config.setProperty("fairway.picker", "zone_aware");
 * config.setProperty("fairway.picker.zone", "eu-1");
 * FairwayClient client = FairwayClient.newBuilder().configure(config).build();
 * }
 *
 * <p>Addresses carry a zone only if the resolver sets the {@value dev.fairway.spi.BackendAddress#ZONE} attribute;
 * without one, no backend is in the zone and the picker is a plain round robin. This module reads no system
 * properties.
 */
module com.example.fairway.zone {
    requires dev.fairway.spi;

    provides dev.fairway.spi.PickerProvider with com.example.fairway.zone.ZonePickerProvider;
}
