package dev.lstmserve.web;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import dev.lstmserve.config.LstmProperties;
import dev.lstmserve.parity.ParityService;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.FilterType;
import org.springframework.context.annotation.Import;
import org.springframework.stereotype.Service;
import org.springframework.test.context.bean.override.mockito.MockitoSpyBean;

/**
 * The web slice with the production wiring behind it: the real {@code ModelConfiguration},
 * {@code JacksonConfiguration}, {@code LstmService} and {@code ParityService} (spied, so one test can make a run fail)
 * serving the embedded seed-toy model, and the {@code ops} components (limits, metrics) with a simple meter registry,
 * unless a test class sets {@code lstm.model.path}. A slice does not run {@code @ConfigurationPropertiesScan}, hence
 * {@code @EnableConfigurationProperties}.
 *
 * <p>Every web slice test uses this one annotation so that they share one cached context. The body limit is 1 KB so
 * the 413 tests need small bodies only; every other request these tests send is smaller.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@WebMvcTest(properties = "lstm.max-request-size=1KB", includeFilters = {
        @ComponentScan.Filter(Service.class),
        @ComponentScan.Filter(type = FilterType.REGEX, pattern = "dev\\.lstmserve\\.config\\.(Model|Jackson)Configuration"),
        @ComponentScan.Filter(type = FilterType.REGEX, pattern = "dev\\.lstmserve\\.ops\\..*")})
@EnableConfigurationProperties(LstmProperties.class)
@Import(SimpleMeterRegistry.class)
@MockitoSpyBean(types = ParityService.class)
@interface ServingWebMvcTest {
}
