package com.example.fairway.integrations.boot;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A bad {@code fairway.*} setting stops the application at start-up, with Fairway's message naming the key. */
class OrdersApplicationStartupTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            --fairway.connect_timeout=-1s          | fairway.connect_timeout = '-1s' is not allowed
            --fairway.pickr=round_robin            | unknown configuration key fairway.pickr
            --fairway.resolver.adresses=127.0.0.2  | unknown option fairway.resolver.adresses
            --fairway.picker=ring_hash             | picker 'ring_hash' is not available
            """)
    void badFairwaySettingFailsStartUpNamingTheKey(String argument, String messageStart) {
        SpringApplication application = new SpringApplication(OrdersApplication.class);
        application.setWebApplicationType(WebApplicationType.NONE);
        application.setRegisterShutdownHook(false);

        RuntimeException failure = assertThrows(RuntimeException.class,
                () -> application.run(argument, "--orders.port=8080").close());

        Throwable root = failure;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        assertInstanceOf(IllegalArgumentException.class, root, () -> "root cause of " + failure);
        String message = root.getMessage();
        assertTrue(message.startsWith(messageStart), () -> "message: " + message);
    }
}
