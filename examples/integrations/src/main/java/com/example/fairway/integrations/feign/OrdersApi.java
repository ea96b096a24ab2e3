package com.example.fairway.integrations.feign;

import feign.Param;
import feign.RequestLine;

/** The orders service as a Feign interface. */
public interface OrdersApi {

    /**
     * One order.
     *
     * @param id the order's id
     * @return the response body
     */
    @RequestLine("GET /orders/{id}")
    String order(@Param("id") int id);
}
