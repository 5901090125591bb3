package dev.lstmserve.bench;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * An ONNX model holding one {@code LSTM} operator (opset 14) with a Keras layer's weights, written as protobuf bytes
 * by hand. Field numbers are those of {@code onnx/onnx.proto}:
 *
 * <pre>
 *   ModelProto         ir_version 1, graph 7, opset_import 8
 *   OperatorSetIdProto domain 1, version 2
 *   GraphProto         node 1, name 2, initializer 5, input 11, output 12
 *   NodeProto          input 1, output 2, name 3, op_type 4, attribute 5
 *   AttributeProto     name 1, i 3, type 20 (INT = 2)
 *   TensorProto        dims 1, data_type 2 (FLOAT = 1), name 8, raw_data 9 (little-endian)
 *   ValueInfoProto     name 1, type 2
 *   TypeProto          tensor_type 1;  TypeProto.Tensor elem_type 1, shape 2
 *   TensorShapeProto   dim 1;  Dimension dim_value 1
 * </pre>
 *
 * <p>Graph: inputs {@code X [T][B][E]} (layout 0), {@code initial_h, initial_c [1][B][H]}; initializers
 * {@code W [1][4H][E]}, {@code R [1][4H][H]}, {@code B [1][8H]}; outputs {@code Y [T][1][B][H]},
 * {@code Y_h, Y_c [1][B][H]}. ONNX orders the gate blocks i, o, f, c where Keras has i, f, c, o, and stores each
 * gate's weights as rows ({@code W = kernelᵀ}); B holds the input bias Wb then the recurrent bias Rb, and Keras'
 * single bias goes into Wb with Rb zero. Activations are ONNX's defaults: sigmoid for the gates, tanh for the
 * candidate and the output, as in a Keras LSTM with {@code activation="tanh", recurrent_activation="sigmoid"}.
 */
final class OnnxLstmModel {

    /** For each ONNX gate block (i, o, f, c), the Keras block (i=0, f=1, c=2, o=3) that holds its weights. */
    static final int[] KERAS_BLOCK_OF_ONNX_GATE = {0, 3, 1, 2};

    private static final int FLOAT = 1;
    private static final int ATTRIBUTE_INT = 2;

    private OnnxLstmModel() {
    }

    static byte[] build(LstmProblem problem) {
        int t = problem.steps();
        int b = problem.batch();
        int e = problem.inputSize();
        int h = problem.units();

        ProtoWriter node = new ProtoWriter()
                .string(1, "X").string(1, "W").string(1, "R").string(1, "B")
                .string(1, "") // sequence_lens: absent, every window has T steps
                .string(1, "initial_h").string(1, "initial_c")
                .string(2, "Y").string(2, "Y_h").string(2, "Y_c")
                .string(3, "lstm")
                .string(4, "LSTM")
                .message(5, new ProtoWriter().string(1, "hidden_size").varint(3, h).varint(20, ATTRIBUTE_INT));

        ProtoWriter graph = new ProtoWriter()
                .message(1, node)
                .string(2, "keras_lstm")
                .message(5, tensor("W", new long[] {1, 4L * h, e}, onnxGateRows(problem.kernel(), h)))
                .message(5, tensor("R", new long[] {1, 4L * h, h}, onnxGateRows(problem.recurrentKernel(), h)))
                .message(5, tensor("B", new long[] {1, 8L * h}, onnxBias(problem.bias(), h)))
                .message(11, valueInfo("X", t, b, e))
                .message(11, valueInfo("initial_h", 1, b, h))
                .message(11, valueInfo("initial_c", 1, b, h))
                .message(12, valueInfo("Y", t, 1, b, h))
                .message(12, valueInfo("Y_h", 1, b, h))
                .message(12, valueInfo("Y_c", 1, b, h));

        return new ProtoWriter()
                .varint(1, 8)
                .string(2, "lstm-serve-bench")
                .message(7, graph)
                .message(8, new ProtoWriter().string(1, "").varint(2, 14))
                .toByteArray();
    }

    /**
     * @param kerasWeights {@code [rows][4H]} in Keras gate order i, f, c, o (kernel or recurrent_kernel)
     * @return {@code [4H][rows]} row-major in ONNX gate order i, o, f, c: the transpose, gate blocks reordered
     */
    static float[] onnxGateRows(float[][] kerasWeights, int units) {
        int rows = kerasWeights.length;
        float[] out = new float[4 * units * rows];
        for (int gate = 0; gate < 4; gate++) {
            int kerasColumn = KERAS_BLOCK_OF_ONNX_GATE[gate] * units;
            for (int j = 0; j < units; j++) {
                int outRow = (gate * units + j) * rows;
                for (int r = 0; r < rows; r++) {
                    out[outRow + r] = kerasWeights[r][kerasColumn + j];
                }
            }
        }
        return out;
    }

    /** @return {@code [8H]}: Keras' bias {@code [4H]} reordered to i, o, f, c as Wb, then zeros as Rb */
    static float[] onnxBias(float[] kerasBias, int units) {
        float[] out = new float[8 * units];
        for (int gate = 0; gate < 4; gate++) {
            System.arraycopy(kerasBias, KERAS_BLOCK_OF_ONNX_GATE[gate] * units, out, gate * units, units);
        }
        return out;
    }

    private static ProtoWriter tensor(String name, long[] dims, float[] values) {
        ProtoWriter tensor = new ProtoWriter();
        for (long dim : dims) {
            tensor.varint(1, dim);
        }
        ByteBuffer raw = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(values);
        return tensor.varint(2, FLOAT).string(8, name).bytes(9, raw.array());
    }

    private static ProtoWriter valueInfo(String name, long... dims) {
        ProtoWriter shape = new ProtoWriter();
        for (long dim : dims) {
            shape.message(1, new ProtoWriter().varint(1, dim));
        }
        ProtoWriter tensorType = new ProtoWriter().varint(1, FLOAT).message(2, shape);
        return new ProtoWriter().string(1, name).message(2, new ProtoWriter().message(1, tensorType));
    }
}
