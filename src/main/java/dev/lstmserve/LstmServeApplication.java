package dev.lstmserve;

import dev.lstmserve.config.ModelExport;
import dev.lstmserve.ops.SigtermExit;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.ConfigurableApplicationContext;

@SpringBootApplication
@ConfigurationPropertiesScan
public class LstmServeApplication {

    public static void main(String[] args) {
        SigtermExit.install();
        SpringApplication application = new SpringApplication(LstmServeApplication.class);
        boolean export = ModelExport.requested(args);
        if (export) {
            // Export the model and exit: no port is opened.
            application.setWebApplicationType(WebApplicationType.NONE);
        }
        ConfigurableApplicationContext context = application.run(args);
        if (export) {
            System.exit(SpringApplication.exit(context));
        }
    }
}
