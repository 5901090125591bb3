package dev.lstmserve.config;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Everything an operator can set under {@code lstm.*}. Unknown or invalid settings stop start-up.
 *
 * @param model          which model to serve
 * @param parity         how close our numbers must be to Keras'
 * @param maxRequestSize the largest request body accepted; larger ones get 413 (default 16MB)
 * @param export         when set, write the served model as lstm-serve JSON version 2 to this file, check the file
 *                       back, and exit instead of serving ({@code --lstm.export=model.json})
 */
@ConfigurationProperties(prefix = "lstm", ignoreUnknownFields = false)
public record LstmProperties(@DefaultValue Model model, @DefaultValue Parity parity,
                             @DefaultValue("16MB") DataSize maxRequestSize, @DefaultValue("") String export) {

    public LstmProperties {
        if (maxRequestSize.toBytes() <= 0) {
            throw new IllegalArgumentException("lstm.max-request-size = " + maxRequestSize + " must be positive");
        }
    }

    /**
     * @param path           the model file to serve (env {@code LSTM_MODEL_PATH}): lstm-serve JSON, a Keras
     *                       {@code .keras} archive or a Keras {@code .h5}; empty serves the embedded default
     *                       {@code seed-toy}
     * @param configPath     the JSON config ({@code model.to_json()}) of a weights-only Keras {@code .h5}; empty
     *                       otherwise
     * @param vocabularyPath a vocabulary for {@code text} requests and {@code top_k} words: a word list (id = line) or
     *                       Keras' {@code Tokenizer.to_json()}; empty for none (or the model file's own)
     */
    public record Model(@DefaultValue("") String path, @DefaultValue("") String configPath,
                        @DefaultValue("") String vocabularyPath) {
    }

    /**
     * Tolerances of the parity check, as numpy's {@code allclose}: {@code |actual - expected| ≤ atol + rtol·|expected|}.
     *
     * @param rtol relative tolerance, default 1e-5
     * @param atol absolute tolerance, default 1e-6 (an absolute floor suited to float32)
     */
    public record Parity(@DefaultValue("1e-5") double rtol, @DefaultValue("1e-6") double atol) {

        public Parity {
            if (!(rtol >= 0) || !(atol >= 0) || Double.isInfinite(rtol) || Double.isInfinite(atol)) {
                throw new IllegalArgumentException("lstm.parity.rtol = " + rtol + " and lstm.parity.atol = " + atol
                        + " must be finite and ≥ 0");
            }
        }
    }
}
