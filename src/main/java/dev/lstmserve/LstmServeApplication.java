package dev.lstmserve;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

@SpringBootApplication
@ConfigurationPropertiesScan
public class LstmServeApplication {

    public static void main(String[] args) {
        SpringApplication.run(LstmServeApplication.class, args);
    }
}
