package dev.lstmserve.parity;

import dev.lstmserve.inference.LstmInference;
import dev.lstmserve.model.ParitySample;

/** A Keras-recorded sample and the engine, loaded with the sample's model, that must reproduce it. */
public record ParityCase(ParitySample sample, LstmInference inference) {

    public String name() {
        return sample.name();
    }

    public String model() {
        return inference.model().name();
    }
}
