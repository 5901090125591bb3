// Keras oracle for lstm-serve: computes tf.keras LSTM semantics with tfjs (a port of Keras) on the
// pure-JS CPU backend and writes the project's fixtures.
//
//   cd tools/keras-oracle && npm ci && node generate.mjs     # (re)write all fixtures
//   node generate.mjs --check-shared                        # compare tfjs with real Keras outputs
//
// Every invented weight and input comes from a seeded PRNG and is rounded to 6 decimals BEFORE tfjs
// sees it, so the JSON holds exactly the values tfjs used (a 6-decimal number below 10 is never a
// float32 rounding tie, so JSON -> double -> float32 and JSON -> float32 agree). Expected outputs are
// float32 values written as the shortest decimal that parses back to the same float32.
import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as hdf5 from 'jsfive';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kerasModelFixtures, sharedFormatSampleFixtures } from './keras-models.mjs';
import {
  f32, formatJson, mapNested, maxAbsError, mulberry32, r6, scaleGateColumnsForKeras3, shapeOf, toF32, toleranceRatio, uniform,
} from './oracle-common.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../..');
const SHARED_REFERENCE = resolve(ROOT, '../shared/keras-reference');

await tf.setBackend('cpu');
await tf.ready();

const GENERATED_BY =
  `tools/keras-oracle/generate.mjs with @tensorflow/tfjs ${tf.version.tfjs} (CPU backend): ` +
  `numbers are tf.keras semantics computed by tfjs`;

// Numbers (seeded PRNG, 6-decimal rounding, float32 output formatting) and the JSON layout: oracle-common.mjs.

function writeJson(relPath, obj) {
  const path = join(ROOT, relPath);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, formatJson(obj) + '\n');
  console.log(`wrote ${relPath}`);
}

// ---------------------------------------------------------------------------------------------
// The oracle: tf.keras LSTM semantics through tfjs
// ---------------------------------------------------------------------------------------------

const TFJS_ACTIVATION = {
  tanh: 'tanh', sigmoid: 'sigmoid', hard_sigmoid: 'hardSigmoid', relu: 'relu', linear: 'linear',
  softsign: 'softsign', elu: 'elu', selu: 'selu', softplus: 'softplus', swish: 'swish',
};
const tfjsActivation = (name) => {
  if (!(name in TFJS_ACTIVATION)) throw new Error(`unknown activation ${name}`);
  return TFJS_ACTIVATION[name];
};

/** [1][H] initial state means "the same row for every sample": tile it to [B][H]. */
const broadcastState = (rows, batch) => (rows.length === 1 && batch > 1 ? Array.from({ length: batch }, () => rows[0]) : rows);

/**
 * Runs one LSTM layer (optionally behind an Embedding) the way tf.keras does and returns
 * {outputs, h?, c?} as float32 numbers, shaped as Keras returns them for the given
 * return_sequences / return_state.
 *
 * spec: {units, activation, recurrent_activation, hard_sigmoid_form?, use_bias, go_backwards,
 *        kernel, recurrent_kernel, bias, inputs [B][T][E] | (embedding [V][E], mask_zero, tokens [B][T]),
 *        initial_state? {h, c}, return_sequences (default true), return_state (default true)}
 */
function runLstm(spec) {
  const returnSequences = spec.return_sequences ?? true;
  const returnState = spec.return_state ?? true;
  const H = spec.units;
  if (spec.activation === 'hard_sigmoid' && spec.hard_sigmoid_form === 'keras3') {
    throw new Error('keras3 hard_sigmoid as the cell activation is not expressible with the 5/6 trick');
  }
  const keras3 = spec.recurrent_activation === 'hard_sigmoid' && spec.hard_sigmoid_form === 'keras3';
  let weights = spec.use_bias ? [spec.kernel, spec.recurrent_kernel, spec.bias] : [spec.kernel, spec.recurrent_kernel];
  if (keras3) weights = weights.map((w) => scaleGateColumnsForKeras3(w, H));

  return tf.tidy(() => {
    const byTokens = spec.tokens !== undefined;
    const data = byTokens ? spec.tokens : spec.inputs;
    const B = data.length;
    const T = data[0].length;
    const dataTensor = byTokens ? tf.tensor2d(spec.tokens, [B, T], 'int32') : tf.tensor3d(spec.inputs);
    const state = spec.initial_state
      ? [tf.tensor2d(broadcastState(spec.initial_state.h, B)), tf.tensor2d(broadcastState(spec.initial_state.c, B))]
      : null;
    const embedding = byTokens
      ? tf.layers.embedding({
        inputDim: spec.embedding.length, outputDim: spec.embedding[0].length,
        maskZero: !!spec.mask_zero, weights: [tf.tensor2d(spec.embedding)],
      })
      : null;
    const lstm = tf.layers.lstm({
      units: H,
      activation: tfjsActivation(spec.activation),
      recurrentActivation: tfjsActivation(spec.recurrent_activation), // tfjs defaults to hardSigmoid
      useBias: spec.use_bias,
      goBackwards: spec.go_backwards,
      returnSequences,
      returnState,
      kernelInitializer: 'zeros', recurrentInitializer: 'zeros', // replaced by `weights` at build
      weights: weights.map((w) => tf.tensor(w)),
    });

    let result;
    if (byTokens && spec.mask_zero && state) {
      // tfjs 4.22 bug: a functional model with BOTH a mask and an initial state throws ("When inputs is
      // an array, neither initialState or constants should be provided": execute() shares one kwargs
      // object and RNN.apply writes initialState into it). So apply the layers eagerly, handing the LSTM
      // the Embedding's own computeMask(), which is exactly what the functional graph passes.
      result = lstm.apply(embedding.apply(dataTensor), { mask: embedding.computeMask(dataTensor), initialState: state });
    } else {
      // A functional model, so the Embedding's mask propagates into the LSTM exactly as in Keras.
      const dataIn = byTokens ? tf.input({ shape: [T], dtype: 'int32' }) : tf.input({ shape: [T, spec.inputs[0][0].length] });
      const x = byTokens ? embedding.apply(dataIn) : dataIn;
      const stateIn = state ? [tf.input({ shape: [H] }), tf.input({ shape: [H] })] : [];
      const y = state ? lstm.apply(x, { initialState: stateIn }) : lstm.apply(x);
      const model = tf.model({ inputs: [dataIn, ...stateIn], outputs: y });
      result = model.predict(state ? [dataTensor, ...state] : dataTensor);
    }
    const [out, h, c] = Array.isArray(result) ? result : [result];
    const expected = { outputs: toF32(out) };
    if (returnState) {
      expected.h = toF32(h);
      expected.c = toF32(c);
    }
    if (byTokens && spec.mask_zero && spec.initial_state) zeroOutputsBeforeFirstUnmaskedStep(expected.outputs, spec, returnSequences);
    return expected;
  });
}

/**
 * tfjs differs from Keras in one masking detail: for a masked step tfjs emits the previous h state,
 * whereas Keras' backend.rnn emits the previous OUTPUT, which starts as zeros. They agree after the
 * first unmasked step; before it Keras gives zeros but tfjs gives the initial h. With a non-zero
 * initial_state we therefore zero those leading outputs (processing order: reversed for go_backwards,
 * and Keras returns go_backwards sequences in that processing order). The states are unaffected.
 */
function zeroOutputsBeforeFirstUnmaskedStep(outputs, spec, returnSequences) {
  spec.tokens.forEach((row, b) => {
    const order = spec.go_backwards ? [...row].reverse() : row;
    const firstUnmasked = order.findIndex((tok) => tok !== 0);
    if (returnSequences) {
      const upTo = firstUnmasked < 0 ? order.length : firstUnmasked;
      for (let t = 0; t < upTo; t++) outputs[b][t] = outputs[b][t].map(() => 0);
    } else if (firstUnmasked < 0) {
      outputs[b] = outputs[b].map(() => 0);
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Independent float64 re-implementation of the Keras rules, used only to cross-check our use of
// tfjs (gate order, go_backwards order, masking, broadcasting, the 5/6 identity). Not the oracle.
// ---------------------------------------------------------------------------------------------

const sigmoid64 = (z) => 1 / (1 + Math.exp(-z));
const ACT64 = {
  tanh: Math.tanh, sigmoid: sigmoid64, relu: (z) => Math.max(0, z), linear: (z) => z,
  softsign: (z) => z / (1 + Math.abs(z)), elu: (z) => (z > 0 ? z : Math.expm1(z)),
  selu: (z) => 1.0507009873554805 * (z > 0 ? z : 1.6732632423543772 * Math.expm1(z)),
  softplus: (z) => (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))),
  swish: (z) => z * sigmoid64(z),
};
const act64 = (name, form) =>
  name === 'hard_sigmoid'
    ? form === 'keras3' ? (z) => Math.min(1, Math.max(0, z / 6 + 0.5)) : (z) => Math.min(1, Math.max(0, 0.2 * z + 0.5))
    : ACT64[name];

function referenceLstm(spec) {
  const H = spec.units;
  const fr = Math.fround;
  const W = spec.kernel.map((r) => r.map(fr));
  const U = spec.recurrent_kernel.map((r) => r.map(fr));
  const bias = spec.use_bias ? spec.bias.map(fr) : new Array(4 * H).fill(0);
  const act = act64(spec.activation, spec.hard_sigmoid_form);
  const rec = act64(spec.recurrent_activation, spec.hard_sigmoid_form);
  const rows = spec.tokens
    ? spec.tokens.map((r) => r.map((tok) => spec.embedding[tok].map(fr)))
    : spec.inputs.map((r) => r.map((v) => v.map(fr)));
  const B = rows.length;
  const h0 = spec.initial_state ? broadcastState(spec.initial_state.h, B) : null;
  const c0 = spec.initial_state ? broadcastState(spec.initial_state.c, B) : null;
  const result = { outputs: [], h: [], c: [] };
  rows.forEach((seq, b) => {
    let h = h0 ? h0[b].map(fr) : new Array(H).fill(0);
    let c = c0 ? c0[b].map(fr) : new Array(H).fill(0);
    let prevOut = new Array(H).fill(0); // Keras: masked steps repeat the previous output, zeros at first
    const order = spec.go_backwards ? [...seq.keys()].reverse() : [...seq.keys()];
    const outs = [];
    for (const t of order) {
      // Only tokens are masked: `inputs` skip the Embedding and so its mask (README, "inputs on a model with an Embedding").
      if (spec.mask_zero && spec.tokens && spec.tokens[b][t] === 0) { outs.push(prevOut); continue; }
      const z = bias.slice();
      seq[t].forEach((xv, e) => { for (let j = 0; j < 4 * H; j++) z[j] += xv * W[e][j]; });
      h.forEach((hv, k) => { for (let j = 0; j < 4 * H; j++) z[j] += hv * U[k][j]; });
      const g = (k, j) => z[k * H + j];
      c = c.map((cv, j) => rec(g(1, j)) * cv + rec(g(0, j)) * act(g(2, j)));
      h = c.map((cv, j) => rec(g(3, j)) * act(cv));
      prevOut = h;
      outs.push(h);
    }
    result.outputs.push(outs);
    result.h.push(h);
    result.c.push(c);
  });
  return result;
}

/** Cross-checks a tfjs result against the float64 rules and the masking invariants. */
function crossCheck(name, spec, expected) {
  const ref = referenceLstm(spec);
  if (!(spec.return_sequences ?? true)) ref.outputs = ref.outputs.map((seq) => seq[seq.length - 1]); // Keras' last output
  const ratio = Math.max(...Object.keys(expected).map((k) => toleranceRatio(expected[k], ref[k])));
  if (ratio > 1) throw new Error(`${name}: tfjs and the float64 reference disagree (ratio ${ratio})`);
  if (spec.mask_zero && spec.tokens && (spec.return_sequences ?? true)) {
    // A masked step repeats the previous output (zeros before the first unmasked step).
    spec.tokens.forEach((row, b) => {
      const order = spec.go_backwards ? [...row].reverse() : row;
      order.forEach((tok, t) => {
        if (tok !== 0) return;
        const prev = t === 0 ? expected.outputs[b][0].map(() => 0) : expected.outputs[b][t - 1];
        if (maxAbsError(expected.outputs[b][t], prev) !== 0) throw new Error(`${name}: masked step ${b},${t} does not repeat`);
      });
    });
  }
  crossChecks.push([name, maxAbsError(expected.outputs, ref.outputs)]);
}
const crossChecks = [];

// ---------------------------------------------------------------------------------------------
// Fixture builders
// ---------------------------------------------------------------------------------------------

/** Random LSTM weights in Keras layout: kernel [E][4H], recurrent_kernel [H][4H], bias [4H] | null. */
function randomWeights(rng, E, H, scale, useBias = true) {
  return {
    kernel: uniform(rng, [E, 4 * H], -scale, scale),
    recurrent_kernel: uniform(rng, [H, 4 * H], -scale, scale),
    bias: useBias ? uniform(rng, [4 * H], -scale, scale) : null,
  };
}
const randomState = (rng, rows, H) => ({ h: uniform(rng, [rows, H], -1, 1), c: uniform(rng, [rows, H], -1.5, 1.5) });

/** One lstm-cases.json case: explicit fields, then the oracle's full-sequence result. */
function lstmCase(o) {
  const rng = mulberry32(o.seed);
  const { B, T, E, H } = o;
  const w = randomWeights(rng, E, H, o.scale ?? 0.5, o.use_bias ?? true);
  const c = {
    name: o.name,
    description: o.description,
    units: H,
    activation: o.activation ?? 'tanh',
    recurrent_activation: o.recurrent_activation ?? 'sigmoid',
    hard_sigmoid_form: o.hard_sigmoid_form,
    use_bias: o.use_bias ?? true,
    go_backwards: o.go_backwards ?? false,
    ...w,
    inputs: uniform(rng, [B, T, E], -(o.inputScale ?? 1), o.inputScale ?? 1),
    initial_state: o.stateRows ? randomState(rng, o.stateRows, H) : undefined,
  };
  c.expected = runLstm(c);
  crossCheck(c.name, c, c.expected);
  return c;
}

function lstmCases() {
  const cases = [
    { name: 'batch3_zero_state', description: 'B=3 T=5 E=3 H=4, tanh/sigmoid, zero initial state', seed: 101, B: 3, T: 5, E: 3, H: 4 },
    { name: 'batch4_initial_state', description: 'B=4 with an explicit [B][H] initial state', seed: 102, B: 4, T: 5, E: 3, H: 4, stateRows: 4 },
    { name: 'broadcast_initial_state', description: 'B=3 with a [1][H] initial state, broadcast to every row', seed: 103, B: 3, T: 5, E: 3, H: 4, stateRows: 1 },
    { name: 'no_bias', description: 'use_bias false (bias null)', seed: 104, B: 3, T: 5, E: 3, H: 4, use_bias: false },
    { name: 'go_backwards', description: 'go_backwards: outputs in reversed time order, as Keras returns them', seed: 105, B: 3, T: 5, E: 3, H: 4, go_backwards: true },
    { name: 'go_backwards_initial_state', description: 'go_backwards with a [B][H] initial state', seed: 106, B: 2, T: 6, E: 3, H: 4, go_backwards: true, stateRows: 2 },
    { name: 'single_step', description: 'T=1', seed: 107, B: 3, T: 1, E: 3, H: 4, stateRows: 3 },
    { name: 'long_sequence_T200', description: 'long window: B=2 T=200 E=4 H=8', seed: 108, B: 2, T: 200, E: 4, H: 8 },
    { name: 'larger_H32', description: 'B=5 T=12 E=16 H=32 (weights +-0.25)', seed: 109, B: 5, T: 12, E: 16, H: 32, scale: 0.25, stateRows: 5 },
    { name: 'hard_sigmoid_keras2', description: 'recurrent hard_sigmoid, Keras 2 form clip(0.2x+0.5,0,1); weights +-1.5 so gates clip', seed: 110, B: 3, T: 6, E: 3, H: 4, recurrent_activation: 'hard_sigmoid', scale: 1.5 },
    { name: 'hard_sigmoid_keras3', description: 'recurrent hard_sigmoid, Keras 3 form clip(x/6+0.5,0,1) (computed by scaling the i,f,o gate columns by 5/6 under tfjs hardSigmoid); weights +-1.5 so gates clip', seed: 111, B: 3, T: 6, E: 3, H: 4, recurrent_activation: 'hard_sigmoid', hard_sigmoid_form: 'keras3', scale: 1.5, stateRows: 3 },
    { name: 'activation_relu', description: 'activation relu (weights +-0.3, T<=10)', seed: 112, B: 3, T: 8, E: 3, H: 4, activation: 'relu', scale: 0.3 },
    { name: 'activation_linear', description: 'activation linear (weights +-0.3, T<=10)', seed: 113, B: 3, T: 8, E: 3, H: 4, activation: 'linear', scale: 0.3 },
    { name: 'activation_softsign', description: 'activation softsign', seed: 114, B: 3, T: 6, E: 3, H: 4, activation: 'softsign' },
    { name: 'activation_elu', description: 'activation elu (alpha 1)', seed: 115, B: 3, T: 6, E: 3, H: 4, activation: 'elu' },
    { name: 'activation_selu', description: 'activation selu', seed: 116, B: 3, T: 6, E: 3, H: 4, activation: 'selu' },
    { name: 'activation_softplus', description: 'activation softplus', seed: 117, B: 3, T: 6, E: 3, H: 4, activation: 'softplus' },
    { name: 'activation_swish', description: 'activation swish x*sigmoid(x) (weights +-1)', seed: 118, B: 3, T: 6, E: 3, H: 4, activation: 'swish', scale: 1.0 },
    { name: 'sigmoid_activation_hard_sigmoid_recurrent', description: 'activation sigmoid, recurrent hard_sigmoid (Keras 2 form)', seed: 119, B: 3, T: 6, E: 3, H: 4, activation: 'sigmoid', recurrent_activation: 'hard_sigmoid', scale: 1.0 },
    { name: 'relu_recurrent_activation', description: 'recurrent_activation relu (weights +-1, T=6)', seed: 120, B: 3, T: 6, E: 3, H: 4, recurrent_activation: 'relu', scale: 1.0 },
  ];
  return { generated_by: GENERATED_BY, cases: cases.map(lstmCase) };
}

function maskingCase(o) {
  const rng = mulberry32(o.seed);
  const { V, E, H } = o;
  const c = {
    name: o.name,
    description: o.description,
    units: H,
    activation: 'tanh',
    recurrent_activation: 'sigmoid',
    use_bias: true,
    go_backwards: o.go_backwards,
    embedding: uniform(rng, [V, E], -1, 1),
    mask_zero: true,
    ...randomWeights(rng, E, H, 0.5),
    tokens: o.tokens,
    initial_state: o.withState ? randomState(rng, o.tokens.length, H) : undefined,
  };
  c.expected = runLstm(c);
  crossCheck(c.name, c, c.expected);
  return c;
}

function maskingCases() {
  // Token 0 is masked: at the start, in the middle, at the end, mixed, and one window entirely 0.
  const tokens = [
    [0, 0, 3, 5, 2, 7],
    [4, 1, 0, 0, 6, 9],
    [8, 2, 5, 1, 0, 0],
    [3, 0, 7, 0, 2, 0],
    [0, 0, 0, 0, 0, 0],
  ];
  const common = 'Embedding(10, 3, mask_zero=True) -> LSTM(4); token 0 at the start, middle and end of windows, one window all 0. ' +
    'A masked step keeps h and c and repeats the previous output (zeros before the first unmasked step).';
  const cases = [
    { name: 'mask_forward', description: common, seed: 201, go_backwards: false },
    { name: 'mask_go_backwards', description: `${common} go_backwards: outputs in reversed time order.`, seed: 202, go_backwards: true },
    { name: 'mask_initial_state', description: `${common} With a [B][H] initial state: leading masked steps still output zeros, the all-0 window returns the initial state.`, seed: 203, go_backwards: false, withState: true },
    { name: 'mask_go_backwards_initial_state', description: `${common} go_backwards with a [B][H] initial state.`, seed: 204, go_backwards: true, withState: true },
  ];
  return { generated_by: GENERATED_BY, cases: cases.map((o) => maskingCase({ ...o, V: 10, E: 3, H: 4, tokens })) };
}

/** An lstm-serve JSON model (API.md) plus its parity samples computed by the oracle. */
function serveModel({ name, description, keras_version, vocabulary, embedding, lstm, samples }) {
  const model = {
    format: 'lstm-serve-model', version: 1, name, generated_by: GENERATED_BY, description,
    keras_version, vocabulary, embedding, lstm,
  };
  model.parity = samples.map((s) => {
    const spec = {
      ...lstm, embedding: embedding?.embeddings, mask_zero: embedding?.mask_zero,
      tokens: s.tokens, inputs: s.inputs, initial_state: s.initial_state,
      return_sequences: s.return_sequences, return_state: s.return_state,
      hard_sigmoid_form: lstm.recurrent_activation === 'hard_sigmoid' && !/^2\./.test(keras_version ?? '') ? 'keras3' : undefined,
    };
    const expected = runLstm(spec);
    crossCheck(s.name, spec, expected);
    return { name: s.name, tokens: s.tokens, inputs: s.inputs, initial_state: s.initial_state,
      return_sequences: s.return_sequences, return_state: s.return_state, expected };
  });
  return model;
}

// ---------------------------------------------------------------------------------------------
// The seed notebook's initial state: tf.random.Generator.from_seed(42), h = normal([1, 2]), then
// c = normal([1, 2]), the same generator's second draw. TensorFlow is not installable here, so its
// stateful normal is reproduced from TF's kernel sources (core/lib/random/philox_random.h,
// random_distributions.h, core/kernels/stateful_random_ops_cpu_gpu.h) only to CHECK the printed values:
// Philox4x32-10 from the state [counter 42, 0 | key 0]; each group of 4 normals comes from one Philox
// output through TF's float32 Box-Muller; a draw of n numbers advances the counter by 256 n. JS has no
// float32 log/sin/cos, so this agrees with TF's printouts to a few float32 ulps, not to the bit.
// ---------------------------------------------------------------------------------------------

function philox4x32(counter, key) {
  const mulhilo = (a, b) => { const p = BigInt(a) * BigInt(b); return [Number(p & 0xffffffffn), Number(p >> 32n)]; };
  let c = counter.slice();
  let k = key.slice();
  for (let round = 0; round < 10; round++) {
    const [lo0, hi0] = mulhilo(0xd2511f53, c[0]);
    const [lo1, hi1] = mulhilo(0xcd9e8d57, c[2]);
    c = [(hi1 ^ c[1] ^ k[0]) >>> 0, lo1, (hi0 ^ c[3] ^ k[1]) >>> 0, lo0];
    k = [(k[0] + 0x9e3779b9) >>> 0, (k[1] + 0xbb67ae85) >>> 0];
  }
  return c;
}

/** tf.random.Generator (Philox) state [counter_lo, counter_hi, key] as uint64 BigInts; normal(n) draws n float32s. */
function tfGenerator(seed) {
  const state = [BigInt(seed), 0n, 0n];
  const words = (x) => [Number(x & 0xffffffffn), Number(x >> 32n)];
  const f32view = new DataView(new ArrayBuffer(4));
  const uniform01 = (x) => { f32view.setUint32(0, ((x & 0x7fffff) | 0x3f800000) >>> 0); return Math.fround(f32view.getFloat32(0) - 1); };
  const boxMuller = (x0, x1) => {
    const f = Math.fround;
    const u1 = Math.max(uniform01(x0), f(1e-7));
    const v1 = f(f(2 * f(Math.PI)) * uniform01(x1));
    const u2 = f(Math.sqrt(f(-2 * f(Math.log(u1)))));
    return [f(f(Math.sin(v1)) * u2), f(f(Math.cos(v1)) * u2)];
  };
  return {
    normal(n) {
      const out = [];
      for (let group = 0n; out.length < n; group++) {
        const x = philox4x32([...words(state[0] + group), ...words(state[1])], words(state[2]));
        out.push(...boxMuller(x[0], x[1]), ...boxMuller(x[2], x[3]));
      }
      state[0] += 256n * BigInt(n);
      return out.slice(0, n);
    },
  };
}

/** The seed notebook's initial state rows, as TensorFlow printed them (float32, shortest decimals). */
const SEED_H = [-0.7565803, -0.06854702];
const SEED_C = [0.9029392, -0.12441138];

/** Fails when the printed values are not what tf.random.Generator draws (checked on TF's own documented example too). */
function checkSeedState() {
  const close = (a, b) => a.length === b.length && a.every((v, i) => Math.abs(v - b[i]) <= 1e-6);
  // TF's guide "Random number generation": from_seed(1234).normal(shape=(2, 3)).
  const documented = [0.9356609, 1.0854305, -0.93788373, -0.5061547, 1.3169702, 0.7137579];
  if (!close(tfGenerator(1234).normal(6), documented)) throw new Error('Philox/Box-Muller does not reproduce TF\'s documented example');
  const g = tfGenerator(42);
  const h = g.normal(2);
  const c = g.normal(2);
  if (!close(h, SEED_H) || !close(c, SEED_C)) throw new Error(`seed state h ${h}, c ${c} differ from ${SEED_H}, ${SEED_C}`);
}

function seedToy() {
  // Keras' default initialisers, drawn once from fixed seeds with tfjs' seeded initialisers.
  const draw = (init, shape) => mapNested(tf.tidy(() => init.apply(shape).arraySync()), r6);
  const H = 2;
  const bias = Array.from({ length: 4 * H }, (_, j) => (Math.floor(j / H) === 1 ? 1 : 0)); // unit_forget_bias
  const lstm = {
    units: H, activation: 'tanh', recurrent_activation: 'sigmoid', use_bias: true, go_backwards: false,
    kernel: draw(tf.initializers.glorotUniform({ seed: 42 }), [2, 4 * H]),
    recurrent_kernel: draw(tf.initializers.orthogonal({ seed: 42 }), [H, 4 * H]),
    bias,
  };
  const embedding = {
    input_dim: 9, output_dim: 2, mask_zero: false,
    embeddings: draw(tf.initializers.randomUniform({ minval: -0.05, maxval: 0.05, seed: 42 }), [9, 2]),
  };
  const tokens = [[7, 8, 0, 5], [6, 1, 3, 8], [2, 4, 5, 1]];
  checkSeedState();
  const initial_state = { h: Array.from({ length: 3 }, () => SEED_H), c: Array.from({ length: 3 }, () => SEED_C) };
  const variant = (suffix, rs, rst) => ({ name: `seed-toy/${suffix}`, tokens, initial_state, return_sequences: rs, return_state: rst });
  return serveModel({
    name: 'seed-toy',
    description:
      "Weights drawn once with Keras' default initialisers from fixed seeds using tfjs initialisers " +
      '(embeddings: randomUniform(-0.05, 0.05, seed 42); kernel: glorotUniform(seed 42); recurrent_kernel: ' +
      'orthogonal(seed 42); bias: zeros with unit_forget_bias, i.e. the f block = 1.0), then rounded to 6 decimals. ' +
      "Parity samples: the seed notebook's four Keras variants (return_sequences x return_state), computed by the oracle, " +
      'with the initial state h = [-0.7565803, -0.06854702] and c = [0.9029392, -0.12441138] in every row: the first and ' +
      'second normal([1, 2]) draws of tf.random.Generator.from_seed(42).',
    vocabulary: ['<_unk>', 'a', 'but', 'common', 'flower', 'is', 'not', 'the', 'word'],
    embedding,
    lstm,
    samples: [
      variant('return_sequences+return_state', true, true),
      variant('return_sequences', true, false),
      variant('return_state', false, true),
      variant('last_output', false, false),
    ],
  });
}

/**
 * Windows around the all-masked one, for return_sequences=False: Keras' last output is that of the last unmasked
 * step in processing order, and zeros when every step is masked, even with an initial state (which h and c then
 * keep). Symmetric, so a go_backwards model meets each case too.
 */
const MASKED_LAST_STEP_TOKENS = [
  [0, 0, 0, 0], // all masked
  [2, 3, 4, 0], // last step masked
  [2, 3, 0, 0], // last two masked
  [0, 0, 0, 5], // only the last step unmasked
  [5, 0, 0, 0], // only the first step unmasked
  [0, 2, 0, 3], // alternating
  [2, 3, 4, 5], // none masked
];

function maskedToy() {
  const rng = mulberry32(301);
  const embeddings = uniform(rng, [6, 3], -1, 1);
  const lstm = { units: 4, activation: 'tanh', recurrent_activation: 'sigmoid', use_bias: true, go_backwards: false, ...randomWeights(rng, 3, 4, 0.5) };
  const zeros = [0, 0, 0];
  return serveModel({
    name: 'masked-toy',
    description: 'Embedding(6, 3, mask_zero=True) -> LSTM(4); id 0 is padding (masked). Random weights (seeded, 6 decimals). ' +
      'Samples: padded windows; windows around the all-masked one with and without an initial state, last output only ' +
      '(return_sequences false); and `inputs` holding the padding row and all-zero steps, which skip the Embedding and so ' +
      'its mask (expected: the LSTM alone over those inputs).',
    vocabulary: ['<pad>', '<_unk>', 'the', 'cat', 'sat', 'down'],
    embedding: { input_dim: 6, output_dim: 3, mask_zero: true, embeddings },
    lstm,
    samples: [
      { name: 'masked-toy/padded', tokens: [[2, 3, 4, 0], [0, 2, 3, 5], [4, 0, 0, 1]] },
      { name: 'masked-toy/last-output-initial-state', tokens: MASKED_LAST_STEP_TOKENS, initial_state: randomState(rng, MASKED_LAST_STEP_TOKENS.length, 4), return_sequences: false },
      { name: 'masked-toy/last-output', tokens: MASKED_LAST_STEP_TOKENS, return_sequences: false },
      {
        name: 'masked-toy/inputs-skip-the-mask',
        inputs: [[embeddings[2], embeddings[0], zeros, embeddings[3]], [embeddings[0], embeddings[0], embeddings[4], zeros]],
        initial_state: randomState(rng, 2, 4),
      },
    ],
  });
}

function maskedGoBackwards() {
  const rng = mulberry32(304);
  const state = () => randomState(rng, MASKED_LAST_STEP_TOKENS.length, 4);
  return serveModel({
    name: 'masked-go-backwards',
    description: 'Embedding(6, 3, mask_zero=True) -> LSTM(4, go_backwards=True); id 0 is padding (masked). Random weights ' +
      '(seeded, 6 decimals). Samples: windows around the all-masked one with an initial state, as the whole sequence ' +
      '(reversed time order, as Keras returns it) and as the last output (that of the last unmasked step in processing order).',
    vocabulary: ['<pad>', '<_unk>', 'the', 'cat', 'sat', 'down'],
    embedding: { input_dim: 6, output_dim: 3, mask_zero: true, embeddings: uniform(rng, [6, 3], -1, 1) },
    lstm: { units: 4, activation: 'tanh', recurrent_activation: 'sigmoid', use_bias: true, go_backwards: true, ...randomWeights(rng, 3, 4, 0.5) },
    samples: [
      { name: 'masked-go-backwards/last-output-initial-state', tokens: MASKED_LAST_STEP_TOKENS, initial_state: state(), return_sequences: false },
      { name: 'masked-go-backwards/sequences-initial-state', tokens: MASKED_LAST_STEP_TOKENS, initial_state: state() },
    ],
  });
}

function inputsOnly() {
  const rng = mulberry32(302);
  const lstm = { units: 3, activation: 'softsign', recurrent_activation: 'sigmoid', use_bias: false, go_backwards: true, ...randomWeights(rng, 5, 3, 0.5, false) };
  return serveModel({
    name: 'inputs-only',
    description: 'No embedding, no vocabulary: LSTM(3, activation softsign, use_bias false, go_backwards true) over E=5 inputs.',
    lstm,
    samples: [
      { name: 'inputs-only/state', inputs: uniform(rng, [2, 4, 5], -1, 1), initial_state: randomState(rng, 2, 3) },
      { name: 'inputs-only/broadcast-state-last-output', inputs: uniform(rng, [3, 5, 5], -1, 1), initial_state: randomState(rng, 1, 3), return_sequences: false },
    ],
  });
}

function hardSigmoidKeras2() {
  const rng = mulberry32(303);
  return serveModel({
    name: 'hard-sigmoid-keras2',
    description: 'Keras 2.2.4 model: recurrent_activation hard_sigmoid in the Keras 2 form clip(0.2x+0.5, 0, 1). Weights +-1.5 so gates clip.',
    keras_version: '2.2.4',
    vocabulary: ['<_unk>', 'red', 'green', 'blue', 'yellow'],
    embedding: { input_dim: 5, output_dim: 4, mask_zero: false, embeddings: uniform(rng, [5, 4], -1, 1) },
    lstm: { units: 5, activation: 'tanh', recurrent_activation: 'hard_sigmoid', use_bias: true, go_backwards: false, ...randomWeights(rng, 4, 5, 1.5) },
    samples: [
      { name: 'hard-sigmoid-keras2/zero-state', tokens: [[1, 2, 3, 4, 0, 1], [4, 3, 2, 1, 0, 0]] },
      { name: 'hard-sigmoid-keras2/state-only', tokens: [[3, 3, 1], [0, 2, 4]], initial_state: randomState(rng, 2, 5), return_sequences: false },
    ],
  });
}

// ---------------------------------------------------------------------------------------------
// --check-shared: tfjs against real Keras outputs in ../shared/keras-reference
// ---------------------------------------------------------------------------------------------

function checkShared() {
  const dir = join(SHARED_REFERENCE, 'parity-cases');
  let files;
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  } catch {
    // LSTM_REQUIRE_SHARED=true (CI, like the Java tests): a missing reference is a failure, not a skip.
    const required = process.env.LSTM_REQUIRE_SHARED === 'true';
    console.log(`${required ? 'FAILED (LSTM_REQUIRE_SHARED=true)' : 'skipped'}: ${relative(process.cwd(), dir)} is not there`);
    if (required) process.exitCode = 1;
    return;
  }
  let worst = 0;
  for (const f of files) {
    const k = JSON.parse(readFileSync(join(dir, f), 'utf8'));
    const spec = {
      units: k.recurrent_kernel.length, activation: k.activation, recurrent_activation: k.recurrent_activation,
      use_bias: true, go_backwards: k.go_backwards, kernel: k.kernel, recurrent_kernel: k.recurrent_kernel, bias: k.bias,
      inputs: k.inputs, return_sequences: k.return_sequences, return_state: true, // Keras 2 hard_sigmoid = tfjs hardSigmoid
    };
    // stateful_calls: 2 means predict twice on the same input, the second continuing from the first's state.
    let run = runLstm(spec);
    for (let call = 2; call <= (k.stateful_calls ?? 1); call++) run = runLstm({ ...spec, initial_state: { h: run.h, c: run.c } });
    const expected = k.expected.sequences ?? k.expected.last_h;
    const err = maxAbsError(run.outputs, expected);
    worst = Math.max(worst, err);
    console.log(`${f.padEnd(22)} ${k.expected.sequences ? 'sequences' : 'last_h   '} max_abs_error ${err.toExponential(2)}`);
  }

  // tfjs' own goldens from tf.keras: Embedding(mask_zero) -> LSTM(go_backwards, hard_sigmoid) -> Dense(ones, 0).
  const g = JSON.parse(readFileSync(join(SHARED_REFERENCE, 'tfjs_recurrent_test_goldens.json'), 'utf8'))
    .cases.find((c) => c.name === 'mask_goBackwards_asymmetric');
  if (g) {
    const run = runLstm({
      units: 2, activation: 'tanh', recurrent_activation: 'hard_sigmoid', use_bias: true, go_backwards: true,
      kernel: g.kernel, recurrent_kernel: g.recurrent_kernel, bias: g.bias, embedding: g.embedding, mask_zero: true,
      tokens: g.xs, return_sequences: false, return_state: false,
    });
    const dense = run.outputs.map((row) => [row.reduce((a, b) => a + b, 0)]);
    const err = maxAbsError(dense, g.expected_dense_out);
    worst = Math.max(worst, err);
    console.log(`${'tfjs golden mask+back'.padEnd(22)} dense     max_abs_error ${err.toExponential(2)}`);
  }
  console.log(`worst max_abs_error ${worst.toExponential(2)} (references are rounded to 6 decimals: atol 1e-5)`);
  if (worst > 1e-5) process.exitCode = 1;
  checkWeightValues();
}

/**
 * An independent route to the weight values the Java readers' tests expect (KerasH5ReaderTests): jsfive, a
 * pure-JavaScript HDF5 reader, must print the same float32 values as libhdf5 (h5dump -m %.9g). Exits non-zero if not.
 */
function checkWeightValues() {
  const checks = [
    ['dl4j-fullconfigs-lstm/lstm_th_keras_2_weights.h5', 'lstm_1/lstm_1/kernel', 0, -0.307377666],
    ['dl4j-fullconfigs-lstm/lstm_th_keras_2_weights.h5', 'lstm_1/lstm_1/kernel', 12 * 384 - 1, 0.292394102],
    ['real-models/dl4j_simple_lstm_tf_keras1.2.2_model.h5', 'model_weights/lstm_1/lstm_1_W_i:0', 0, -0.0142693892],
    ['format-samples/dtln_norm_500h_tf2.3.h5', 'lstm/lstm/lstm_cell/kernel:0', 0, -0.0801077932],
    ['real-models/chen0040_lstm_softmax_keras2.1.2_weights.h5', 'embedding_1/embedding_1/embeddings:0', 2329 * 100 - 1, 0.0466238894],
  ];
  for (const [file, path, index, expected] of checks) {
    const full = join(SHARED_REFERENCE, file);
    if (!existsSync(full)) { console.log(`skipped: ${file} is not there`); continue; }
    const bytes = readFileSync(full);
    const h5 = new hdf5.File(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength), file);
    const value = h5.get(path).value[index];
    const ok = Math.fround(value) === Math.fround(expected);
    console.log(`jsfive ${file} ${path}[${index}] = ${value} ${ok ? 'equals' : 'DIFFERS FROM'} libhdf5's ${expected}`);
    if (!ok) process.exitCode = 1;
  }
}

// ---------------------------------------------------------------------------------------------

if (process.argv.includes('--check-shared')) {
  checkShared();
} else {
  writeJson('src/main/resources/models/seed-toy.json', seedToy());
  writeJson('src/test/resources/oracle/lstm-cases.json', lstmCases());
  writeJson('src/test/resources/oracle/masking-cases.json', maskingCases());
  writeJson('src/test/resources/models/masked-toy.json', maskedToy());
  writeJson('src/test/resources/models/masked-go-backwards.json', maskedGoBackwards());
  writeJson('src/test/resources/models/inputs-only.json', inputsOnly());
  writeJson('src/test/resources/models/hard-sigmoid-keras2.json', hardSigmoidKeras2());
  // Whole Keras models (keras-models.mjs): configs, weights, inputs and Keras' outputs for the end-to-end tests.
  const helpers = {
    tf, GENERATED_BY, SHARED_REFERENCE, hdf5, existsSync, readFileSync, mulberry32, uniform, r6, f32, mapNested,
    maxAbsError, toleranceRatio, scaleGateColumnsForKeras3,
  };
  for (const f of [...await kerasModelFixtures(helpers), ...await sharedFormatSampleFixtures(helpers)]) {
    writeJson(f.path, f.fixture);
    crossChecks.push([f.fixture.name, f.crossCheck]);
  }
  console.log('cross-check, max |tfjs - float64 reference| of outputs:');
  for (const [name, err] of crossChecks) console.log(`  ${name.padEnd(48)} ${err.toExponential(2)}`);
}
