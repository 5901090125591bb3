package dev.lstmserve.model.keras;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.lstmserve.model.ModelLoadException;

/**
 * Every Keras HDF5 file in {@code ../shared/keras-reference} read through the readers: format, version as written,
 * layers, classes, weight names in {@code weight_names} order, shapes, and values. Expected values are what libhdf5
 * prints for the file ({@code h5dump -m %.9g}, the library h5py wraps), and a few were read again with the
 * independent pure-JavaScript reader jsfive 0.4.2 ({@code tools/keras-oracle}); both agree.
 */
class KerasH5ReaderTests {

    private static List<String> names(KerasLayerSpec layer) {
        return layer.weights().stream().map(KerasWeight::name).toList();
    }

    private static List<String> classes(KerasModelSpec model) {
        return model.layers().stream().map(KerasLayerSpec::className).toList();
    }

    @Test
    void kerasTwoTheanoWeightsOnlyFileWithItsBareListConfigIsReadInWeightNamesOrder() {
        Path weights = SharedReferences.file("dl4j-fullconfigs-lstm/lstm_th_keras_2_weights.h5");
        Path config = SharedReferences.file("dl4j-fullconfigs-lstm/lstm_th_keras_2_config.json");
        KerasModelSpec model = KerasModelReader.read(weights, config);

        assertThat(model.format()).isEqualTo(KerasModelSpec.KERAS_H5_WEIGHTS_JSON);
        assertThat(model.kerasVersion()).isEqualTo("2.0.8");
        assertThat(model.backend()).isEqualTo("theano");
        assertThat(model.modelClass()).isEqualTo("Sequential");
        assertThat(model.inputShape()).containsExactly(4, 12);
        assertThat(classes(model)).containsExactly("LSTM", "LSTM", "Dense");
        KerasLayerSpec lstm1 = model.layers().get(0);
        assertThat(names(lstm1)).containsExactly("lstm_1/kernel", "lstm_1/recurrent_kernel", "lstm_1/bias");
        assertThat(lstm1.weights().get(0).shape()).containsExactly(12, 384);
        assertThat(lstm1.weights().get(1).shape()).containsExactly(96, 384);
        assertThat(lstm1.weights().get(2).shape()).containsExactly(384);
        // h5dump -m %.9g: -0.307377666 at (0,0), 0.292394102 at (11,383); jsfive: -0.3073776662349701, 0.29239410161972046
        assertThat(lstm1.weights().get(0).get(0, 0)).isEqualTo(-0.307377666f);
        assertThat(lstm1.weights().get(0).get(11, 383)).isEqualTo(0.292394102f);
        assertThat(model.layers().get(2).weights().get(1).get(0)).isEqualTo(-0.109786518f);
        assertThat(lstm1.option("recurrent_activation").asString()).isEqualTo("hard_sigmoid");
    }

    @Test
    void aWeightsOnlyFileWithoutItsConfigIsRefusedNamingTheSetting() {
        Path weights = SharedReferences.file("dl4j-fullconfigs-lstm/lstm_th_keras_2_weights.h5");
        assertThatThrownBy(() -> KerasModelReader.read(weights))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining(weights.toString())
                .hasMessageContaining("weights-only")
                .hasMessageContaining("lstm.model.config-path");
    }

    @Test
    void simpleFlattenLstmFullModelAndWeightsOnlyFilesHoldTheSameWeights() {
        KerasModelSpec full = KerasModelReader.read(
                SharedReferences.file("dl4j-simple-flatten-lstm/simple_flatten_lstm_tf_keras_2_model.h5"));
        KerasModelSpec split = KerasModelReader.read(
                SharedReferences.file("dl4j-simple-flatten-lstm/simple_flatten_lstm_tf_keras_2_weights.h5"),
                SharedReferences.file("dl4j-simple-flatten-lstm/simple_flatten_lstm_tf_keras_2_config.json"));

        assertThat(full.format()).isEqualTo(KerasModelSpec.KERAS_H5);
        assertThat(full.kerasVersion()).isEqualTo("2.1.3");
        assertThat(full.backend()).isEqualTo("tensorflow");
        assertThat(full.inputShape()).containsExactly(1, 1);
        assertThat(classes(full)).containsExactly("LSTM", "Dense");
        assertThat(names(full.layers().get(0))).containsExactly("lstm_1/kernel:0", "lstm_1/recurrent_kernel:0", "lstm_1/bias:0");
        assertThat(full.layers().get(0).weights().get(0).get(0, 0)).isEqualTo(0.212426871f);
        assertThat(full.layers().get(0).weights().get(2).get(199)).isEqualTo(0.4178707f);
        assertThat(split.format()).isEqualTo(KerasModelSpec.KERAS_H5_WEIGHTS_JSON);
        for (int i = 0; i < full.layers().size(); i++) {
            assertThat(split.layers().get(i).weights()).isEqualTo(full.layers().get(i).weights());
        }
    }

    @Test
    void kerasOneModelKeepsItsTwelveLstmArraysAsStoredAndItsKerasOneConfig() {
        KerasModelSpec model = KerasModelReader.read(
                SharedReferences.file("real-models/dl4j_simple_lstm_tf_keras1.2.2_model.h5"));

        assertThat(model.kerasVersion()).isEqualTo("1.2.2");
        assertThat(model.kerasMajorVersion()).contains(1);
        assertThat(model.backend()).isNull(); // Keras 1 writes no backend attribute
        assertThat(model.inputShape()).containsExactly(1, 1);
        KerasLayerSpec lstm = model.layers().get(0);
        assertThat(names(lstm)).containsExactly("lstm_1_W_i:0", "lstm_1_U_i:0", "lstm_1_b_i:0", "lstm_1_W_c:0",
                "lstm_1_U_c:0", "lstm_1_b_c:0", "lstm_1_W_f:0", "lstm_1_U_f:0", "lstm_1_b_f:0", "lstm_1_W_o:0",
                "lstm_1_U_o:0", "lstm_1_b_o:0");
        assertThat(lstm.weights().get(0).get(0, 0)).isEqualTo(-0.0142693892f); // jsfive: -0.0142693892121315
        assertThat(lstm.weights().get(11).get(49)).isEqualTo(0.692006052f);
        assertThat(lstm.option("output_dim").asInt()).isEqualTo(50);
        assertThat(lstm.option("inner_activation").asString()).isEqualTo("hard_sigmoid");
        assertThat(names(model.layers().get(1))).containsExactly("dense_1_W:0", "dense_1_b:0");
        assertThat(model.layers().get(1).weights().get(0).get(0, 0)).isEqualTo(-1.42043173f);
    }

    @Test
    void tfKerasTwoThreeStackedLstmsReadTheirCellWeightsUnderUnpredictableGroupNames() {
        KerasModelSpec model = KerasModelReader.read(SharedReferences.file("real-models/circuitrnn_lstm_keras2.3.0-tf.h5"));

        assertThat(model.kerasVersion()).isEqualTo("2.3.0-tf");
        assertThat(model.inputShape()).containsExactly(8, 2);
        assertThat(classes(model)).containsExactly("LSTM", "Dropout", "LSTM", "Dropout", "LSTM", "Dropout", "Dense");
        assertThat(names(model.layers().get(2))).containsExactly("lstm_1/lstm_cell_1/kernel:0",
                "lstm_1/lstm_cell_1/recurrent_kernel:0", "lstm_1/lstm_cell_1/bias:0");
        assertThat(model.layers().get(2).weights().get(0).get(0, 0)).isEqualTo(0.107936546f);
        assertThat(model.layers().get(1).weights()).isEmpty();
    }

    @Test
    void theGruModelIsReadForItsMapperToRefuse() {
        KerasModelSpec model = KerasModelReader.read(SharedReferences.file("real-models/circuitrnn_gru_keras2.3.0-tf.h5"));

        assertThat(classes(model)).containsExactly("GRU", "Dropout", "GRU", "Dropout", "GRU", "Dropout", "Dense");
        KerasWeight bias = model.layers().get(0).weights().get(2);
        assertThat(bias.name()).isEqualTo("gru/gru_cell/bias:0");
        assertThat(bias.shape()).containsExactly(2, 150); // reset_after=True: input and recurrent biases
        assertThat(bias.get(1, 0)).isEqualTo(-0.056747213f);
    }

    @Test
    void poreplexTwoThousandStepModelDeclaresItsWindow() {
        KerasModelSpec model = KerasModelReader.read(SharedReferences.file("real-models/poreplex_scaler-r3_keras2.2.4-tf.hdf5"));

        assertThat(model.kerasVersion()).isEqualTo("2.2.4-tf");
        assertThat(model.inputShape()).containsExactly(2000, 1);
        assertThat(classes(model)).containsExactly("LSTM", "Dropout", "LSTM", "Dropout", "Dense");
        assertThat(model.layers().get(4).weights().get(0).get(47, 1)).isEqualTo(0.0477429144f);
    }

    @Test
    void chen0040WeightsOnlyFileWithItsArchitectureJson() {
        KerasModelSpec model = KerasModelReader.read(
                SharedReferences.file("real-models/chen0040_lstm_softmax_keras2.1.2_weights.h5"),
                SharedReferences.file("real-models/chen0040_lstm_softmax_keras2.1.2_architecture.json"));

        assertThat(model.kerasVersion()).isEqualTo("2.1.2");
        assertThat(model.inputShape()).containsExactly(42);
        assertThat(classes(model)).containsExactly("Embedding", "SpatialDropout1D", "LSTM", "Dense");
        KerasWeight embeddings = model.layers().get(0).weights().get(0);
        assertThat(embeddings.name()).isEqualTo("embedding_1/embeddings:0");
        assertThat(embeddings.shape()).containsExactly(2329, 100);
        assertThat(embeddings.get(0, 0)).isEqualTo(0.0328037441f);
        assertThat(embeddings.get(2328, 99)).isEqualTo(0.0466238894f);
        assertThat(model.layers().get(3).option("activation").asString()).isEqualTo("softmax");
    }

    @Test
    void formatSamplesWithServableLayersAreRead() {
        KerasModelSpec masking = KerasModelReader.read(SharedReferences.file("format-samples/dl4j_masking_lstm_keras2.2.0.h5"));
        assertThat(masking.kerasVersion()).isEqualTo("2.2.0");
        assertThat(masking.inputShape()).containsExactly(10, 42);
        assertThat(classes(masking)).containsExactly("Masking", "LSTM");
        assertThat(masking.layers().get(1).weights().get(0).get(0, 0)).isEqualTo(-0.0179567784f);

        KerasModelSpec embedding = KerasModelReader.read(SharedReferences.file("format-samples/dl4j_embedding_lstm_keras2.1.3.h5"));
        assertThat(embedding.inputShape()).containsExactly(10);
        assertThat(classes(embedding)).containsExactly("Embedding", "LSTM");
        assertThat(embedding.layers().get(0).weights().get(0).get(3, 4)).isEqualTo(-0.00682799891f);

        KerasModelSpec functional = KerasModelReader.read(SharedReferences.file("format-samples/dl4j_functional_lstm_keras2.0.8.h5"));
        assertThat(functional.modelClass()).isEqualTo("Model");
        assertThat(functional.inputShape()).containsExactly(10, 4);
        assertThat(functional.layers()).extracting(KerasLayerSpec::name).containsExactly("inputLayer_1", "lstm", "outputLayer_a");
        assertThat(functional.layers().get(1).weights().get(0).get(0, 0)).isEqualTo(-0.24816145f);

        KerasModelSpec stacked = KerasModelReader.read(SharedReferences.file("format-samples/dl4j_tfkeras_stacked_lstm_keras2.2.4-tf.h5"));
        assertThat(stacked.kerasVersion()).isEqualTo("2.2.4-tf");
        assertThat(stacked.inputShape()).containsExactly(4, 1);
        assertThat(classes(stacked)).containsExactly("InputLayer", "LSTM", "LSTM");
        assertThat(stacked.layers().get(2).weights().get(2).get(15)).isEqualTo(0f);
    }

    @Test
    void frugallyDeepsFiveInputModelIsRefusedNamingItsInputs() {
        Path file = SharedReferences.file("format-samples/fdeep_lstm_keras2.2.5.h5");
        assertThatThrownBy(() -> KerasModelReader.read(file))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("5 inputs [input_1, input_2, input_3, input_4, input_5]")
                .hasMessageContaining("single chain");
    }

    @Test
    void dtlnWeightsOnlyFileIsReadByLayerWithTfTwoThreePaths() {
        Map<String, List<KerasWeight>> layers = KerasModelReader.readLayerWeights(
                SharedReferences.file("format-samples/dtln_norm_500h_tf2.3.h5"));

        assertThat(layers).hasSize(22);
        assertThat(layers.keySet()).startsWith("input_1", "lambda", "tf_op_layer_AddV2", "tf_op_layer_Log");
        List<KerasWeight> lstm = layers.get("lstm");
        assertThat(lstm).extracting(KerasWeight::name).containsExactly("lstm/lstm_cell/kernel:0",
                "lstm/lstm_cell/recurrent_kernel:0", "lstm/lstm_cell/bias:0");
        assertThat(lstm.get(0).shape()).containsExactly(257, 512);
        assertThat(lstm.get(0).get(0, 0)).isEqualTo(-0.0801077932f); // jsfive: -0.08010779321193695
        assertThat(layers.get("lstm_3").get(0).name()).isEqualTo("lstm_3/lstm_cell_3/kernel:0");
        assertThat(layers.get("conv1d").get(0).shape()).containsExactly(1, 512, 256);
        assertThat(layers.get("conv1d").get(0).get(0, 0, 0)).isEqualTo(0.0751473382f);
        assertThat(layers.get("dropout")).isEmpty();
    }

    @Test
    void aKerasOutputsFileIsNotAModel() {
        Path file = SharedReferences.file("real-models/dl4j_simple_lstm_tf_keras1.2.2_inputs_and_outputs.h5");
        assertThatThrownBy(() -> KerasModelReader.read(file))
                .isInstanceOf(ModelLoadException.class)
                .hasMessage(file + ": is an HDF5 file but not a Keras model: it has neither a model_config attribute"
                        + " nor layer_names");
    }
}
