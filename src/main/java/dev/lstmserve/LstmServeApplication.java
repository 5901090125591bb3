package dev.lstmserve;

import dev.lstmserve.ops.SigtermExit;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

@SpringBootApplication
@ConfigurationPropertiesScan
public class LstmServeApplication {

    public static void main(String[] args) {
        SigtermExit.install();
        SpringApplication.run(LstmServeApplication.class, args);
    }
}
