package dev.lstmserve.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.lstmserve.core.LstmResult;
import dev.lstmserve.core.LstmState;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Map;

/**
 * ONNX Runtime running {@link OnnxLstmModel} for one problem shape, called the way our engine is: from
 * {@code inputs [B][T][E]} to {@code outputs [B][T][H]} and the final {@code h, c [B][H]}, so a benchmark of
 * {@link #forward} includes the per-request copies on both sides.
 *
 * <p>Set up as a careful ORT user would, so the comparison flatters ORT rather than us: the input and the three
 * outputs live in direct buffers allocated once and bound as ORT tensors once (the outputs pinned), so a request
 * costs one copy in (transposing [B][T][E] to ORT's [T][B][E]), {@code session.run}, and one copy out. The zero
 * initial state tensors are made once too. Not thread-safe: one instance per benchmark thread.
 */
final class OrtLstm implements AutoCloseable {

    private final int batch;
    private final int steps;
    private final int inputSize;
    private final int units;
    private final OrtSession session;
    private final FloatBuffer x;
    private final FloatBuffer y;
    private final FloatBuffer yH;
    private final FloatBuffer yC;
    private final OnnxTensor xTensor;
    private final OnnxTensor initialH;
    private final OnnxTensor initialC;
    private final Map<String, OnnxTensor> inputs;
    private final Map<String, OnnxTensor> pinnedOutputs;

    /** @param intraOpThreads ORT's intra-op thread pool size; 0 for ORT's default (one per physical core) */
    OrtLstm(LstmProblem problem, int intraOpThreads) throws OrtException {
        this.batch = problem.batch();
        this.steps = problem.steps();
        this.inputSize = problem.inputSize();
        this.units = problem.units();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            if (intraOpThreads > 0) {
                options.setIntraOpNumThreads(intraOpThreads);
                options.setInterOpNumThreads(1);
            }
            this.session = env.createSession(OnnxLstmModel.build(problem), options);
        }
        long[] state = {1, batch, units};
        this.x = directFloats(steps * batch * inputSize);
        this.y = directFloats(steps * batch * units);
        this.yH = directFloats(batch * units);
        this.yC = directFloats(batch * units);
        this.xTensor = OnnxTensor.createTensor(env, x, new long[] {steps, batch, inputSize});
        this.initialH = OnnxTensor.createTensor(env, directFloats(batch * units), state);
        this.initialC = OnnxTensor.createTensor(env, directFloats(batch * units), state);
        this.inputs = Map.of("X", xTensor, "initial_h", initialH, "initial_c", initialC);
        this.pinnedOutputs = Map.of(
                "Y", OnnxTensor.createTensor(env, y, new long[] {steps, 1, batch, units}),
                "Y_h", OnnxTensor.createTensor(env, yH, state),
                "Y_c", OnnxTensor.createTensor(env, yC, state));
    }

    /**
     * @param inputs {@code [B][T][E]}, the shape this instance was built for
     * @return {@code outputs [B][T][H]} and the final {@code h, c [B][H]}, as {@link dev.lstmserve.core.LstmLayer}
     */
    LstmResult forward(float[][][] inputs) throws OrtException {
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < steps; t++) {
                x.put((t * batch + b) * inputSize, inputs[b][t]);
            }
        }
        session.run(this.inputs, pinnedOutputs).close();
        float[][][] outputs = new float[batch][steps][units];
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < steps; t++) {
                y.get((t * batch + b) * units, outputs[b][t]);
            }
        }
        return new LstmResult(outputs, new LstmState(rows(yH), rows(yC)));
    }

    private float[][] rows(FloatBuffer buffer) {
        float[][] out = new float[batch][units];
        for (int b = 0; b < batch; b++) {
            buffer.get(b * units, out[b]);
        }
        return out;
    }

    private static FloatBuffer directFloats(int count) {
        return ByteBuffer.allocateDirect(count * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    @Override
    public void close() throws OrtException {
        for (OnnxTensor tensor : pinnedOutputs.values()) {
            tensor.close();
        }
        xTensor.close();
        initialH.close();
        initialC.close();
        session.close();
    }
}
