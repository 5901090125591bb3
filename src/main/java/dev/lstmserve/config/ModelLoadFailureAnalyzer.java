package dev.lstmserve.config;

import dev.lstmserve.model.ModelLoadException;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Turns a model that cannot be served into a start-up message an operator can act on, not a stack trace. */
class ModelLoadFailureAnalyzer extends AbstractFailureAnalyzer<ModelLoadException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, ModelLoadException cause) {
        return new FailureAnalysis("The model " + cause.getMessage(),
                "Check lstm.model.path (env LSTM_MODEL_PATH): it must name a model file this service reads and whose"
                        + " parity samples pass (README, \"Model format\"); leave it empty to serve the embedded"
                        + " default model.", cause);
    }
}
