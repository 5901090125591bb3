// Whole Keras models for lstm-serve's end-to-end tests: a tf.keras 2.x model config (what model.to_json() writes and
// tf.models.modelFromJSON reads), random weights, inputs, and what Keras returns for them, computed with tfjs.
//
// Called from generate.mjs, which passes its helpers in (`h`); record-parity.mjs runs users' exported models through
// the same buildModel / runEager / reference64. Every model is built by tfjs from the very config JSON
// the fixture records, so the fixture's config is one a Keras port reads as Keras. Expected numbers are tfjs' float32
// results with the corrections below applied where tfjs departs from Keras, and each is re-computed by an independent
// float64 implementation of the Keras rules (reference64) that must agree within rtol 1e-5 / atol 1e-6.
//
// Where tfjs 4.22 departs from Keras (tf.keras 2.x and Keras 3), and what the oracle does:
//  1. A masked step: tfjs emits the previous h STATE, Keras' backend.rnn the previous OUTPUT (zeros before the first
//     unmasked step). They differ only before the first unmasked step (processing order) when an initial state is
//     given: those outputs are zeroed, and an all-masked window's last output is zeros.
//  2. Bidirectional with return_sequences=True: Keras forces zero_output_for_mask on both directions
//     (keras/src/layers/rnn/bidirectional.py force_zero_output_for_mask; tf.keras wrappers.py likewise), so a masked
//     step's merged output is zeros; tfjs has no zero_output_for_mask. Those steps are zeroed (in each direction's
//     own processing order; both directions are masked at the same time step, and merge(0, 0) = 0 in every mode).
//  3. tfjs' functional graph throws when a mask and an initial state meet, so every model is run eagerly, layer by
//     layer, passing each layer's computeMask() on exactly as the functional graph does (checked: for samples without
//     initial states the eager chain gives model.predict()'s bits).

export const RECURRENT = new Set(['LSTM', 'RNN', 'Bidirectional']);

// ---------------------------------------------------------------------------------------------
// tf.keras 2.15 model.to_json() forms
// ---------------------------------------------------------------------------------------------

const GLOROT = { class_name: 'GlorotUniform', config: { seed: null } };
const ORTHOGONAL = { class_name: 'Orthogonal', config: { gain: 1.0, seed: null } };
const ZEROS = { class_name: 'Zeros', config: {} };
const KERAS_VERSION = '2.15.0';

const inputLayer = (shape, dtype) => ({
  class_name: 'InputLayer',
  config: { batch_input_shape: [null, ...shape], dtype, sparse: false, ragged: false, name: 'input_1' },
});

const embedding = (name, inputDim, outputDim, maskZero, steps) => ({
  class_name: 'Embedding',
  config: {
    name, trainable: true, dtype: 'float32', input_dim: inputDim, output_dim: outputDim,
    embeddings_initializer: { class_name: 'RandomUniform', config: { minval: -0.05, maxval: 0.05, seed: null } },
    embeddings_regularizer: null, activity_regularizer: null, embeddings_constraint: null, mask_zero: maskZero,
    input_length: steps,
  },
});

const masking = (name, maskValue) => ({ class_name: 'Masking', config: { name, trainable: true, dtype: 'float32', mask_value: maskValue } });

function cellOptions(units, o) {
  return {
    units, activation: o.activation ?? 'tanh', recurrent_activation: o.recurrent_activation ?? 'sigmoid',
    use_bias: o.use_bias ?? true, kernel_initializer: GLOROT, recurrent_initializer: ORTHOGONAL,
    bias_initializer: ZEROS, unit_forget_bias: true, kernel_regularizer: null, recurrent_regularizer: null,
    bias_regularizer: null,
  };
}

const rnnOptions = (name, o) => ({
  name, trainable: true, dtype: 'float32', return_sequences: o.return_sequences ?? false, return_state: false,
  go_backwards: o.go_backwards ?? false, stateful: false, unroll: false, time_major: false,
});

const lstm = (name, units, o = {}) => ({
  class_name: 'LSTM',
  config: {
    ...rnnOptions(name, o), ...cellOptions(units, o), activity_regularizer: null, kernel_constraint: null,
    recurrent_constraint: null, bias_constraint: null, dropout: 0.0, recurrent_dropout: 0.0, implementation: 2,
  },
});

const rnnLstmCell = (name, cellName, units, o = {}) => ({
  class_name: 'RNN',
  config: {
    ...rnnOptions(name, o),
    cell: {
      class_name: 'LSTMCell',
      config: {
        name: cellName, trainable: true, dtype: 'float32', ...cellOptions(units, o), kernel_constraint: null,
        recurrent_constraint: null, bias_constraint: null, dropout: 0.0, recurrent_dropout: 0.0, implementation: 2,
      },
    },
  },
});

const bidirectional = (name, layer, mergeMode) => ({
  class_name: 'Bidirectional', config: { name, trainable: true, dtype: 'float32', layer, merge_mode: mergeMode },
});

const dense = (name, units, activation, useBias = true) => ({
  class_name: 'Dense',
  config: {
    name, trainable: true, dtype: 'float32', units, activation, use_bias: useBias, kernel_initializer: GLOROT,
    bias_initializer: ZEROS, kernel_regularizer: null, bias_regularizer: null, activity_regularizer: null,
    kernel_constraint: null, bias_constraint: null,
  },
});

const timeDistributed = (name, layer) => ({ class_name: 'TimeDistributed', config: { name, trainable: true, dtype: 'float32', layer } });

const sequential = (layers) => ({
  class_name: 'Sequential', config: { name: 'sequential', layers }, keras_version: KERAS_VERSION, backend: 'tensorflow',
});

/** The layers of a model config (a Sequential's list, bare or not, or a functional model's), InputLayers left out. */
function configLayers(modelConfig) {
  const c = modelConfig.config;
  const list = Array.isArray(c) ? c : c.layers;
  return list.filter((l) => l.class_name !== 'InputLayer');
}

/** The LSTM cell config of a recurrent layer config (LSTM, RNN(LSTMCell), or a Bidirectional's wrapped layer). */
function cellConfig(layer) {
  if (layer.class_name === 'Bidirectional') return cellConfig(layer.config.layer);
  return layer.class_name === 'RNN' ? layer.config.cell.config : layer.config;
}

/** The wrapped RNN's own config (return_sequences, go_backwards) of a recurrent layer. */
export const rnnConfig = (layer) => (layer.class_name === 'Bidirectional' ? layer.config.layer.config : layer.config);

// ---------------------------------------------------------------------------------------------
// The cases
// ---------------------------------------------------------------------------------------------

const LEFT_PADDED = [
  [0, 0, 0, 3, 5, 7],
  [0, 2, 9, 4, 1, 6],
  [0, 0, 0, 0, 0, 8],
  [0, 0, 0, 0, 0, 0],
  [4, 4, 11, 2, 3, 10],
];
/** Padding at the start, in the middle, at the end, none, and a window that is all padding. */
const MIXED_PADDING = [
  [0, 0, 3, 5, 2],
  [4, 1, 0, 6, 9],
  [8, 2, 5, 1, 0],
  [7, 3, 6, 2, 1],
  [0, 0, 0, 0, 0],
];

function cases() {
  const list = [];
  list.push({
    name: 'stacked_masked_softmax',
    description: 'Embedding(12, 4, mask_zero=True) -> LSTM(5, return_sequences=True) -> LSTM(4) -> Dense(12, softmax): a '
      + 'next-word model over a 12-word vocabulary, left-padded windows of different true lengths (one all padding). '
      + 'Samples: zero states; an initial state for the first LSTM only; initial states for both LSTMs.',
    seed: 1001, denseScale: 2.5, topK: 3,
    config: sequential([
      inputLayer([6], 'int32'), embedding('embedding', 12, 4, true, 6), lstm('lstm', 5, { return_sequences: true }),
      lstm('lstm_1', 4), dense('dense', 12, 'softmax'),
    ]),
    samples: [
      { name: 'zero_states', tokens: LEFT_PADDED },
      { name: 'first_lstm_state', tokens: LEFT_PADDED, states: [true, false] },
      { name: 'all_states', tokens: LEFT_PADDED, states: [true, true] },
    ],
  });
  for (const mode of ['concat', 'sum', 'mul', 'ave']) {
    for (const masked of [true, false]) {
      for (const sequences of [true, false]) {
        const layers = masked
          ? [inputLayer([5], 'int32'), embedding('embedding', 10, 3, true, 5)]
          : [inputLayer([5, 3], 'float32')];
        layers.push(bidirectional('bidirectional', lstm('lstm', 3, { return_sequences: sequences }), mode));
        list.push({
          name: `bidirectional_${mode}_${masked ? 'masked' : 'unmasked'}_${sequences ? 'sequences' : 'last'}`,
          description: `${masked ? 'Embedding(10, 3, mask_zero=True) -> ' : 'inputs [B][5][3] -> '}Bidirectional(LSTM(3, `
            + `return_sequences=${sequences ? 'True' : 'False'}), merge_mode="${mode}")`
            + (masked ? '; padding at the start, middle and end of windows, one window all padding' : '')
            + (masked && sequences ? '. Keras zeroes the merged output of masked steps (zero_output_for_mask is forced'
              + ' when a Bidirectional layer returns sequences).' : '.')
            + ' Samples: zero states; initial states for both directions.',
          seed: 1100 + list.length,
          config: sequential(layers),
          samples: [
            { name: 'zero_states', ...(masked ? { tokens: MIXED_PADDING } : { inputs: [5, 5, 3] }) },
            { name: 'initial_states', ...(masked ? { tokens: MIXED_PADDING } : { inputs: [5, 5, 3] }), states: [true, true] },
          ],
        });
      }
    }
  }
  list.push({
    name: 'bidirectional_inner_go_backwards',
    description: 'Embedding(10, 3, mask_zero=True) -> Bidirectional(LSTM(3, return_sequences=True, go_backwards=True), '
      + 'concat): the forward layer runs backwards (its outputs in reversed time order, unflipped) and the backward '
      + 'layer forwards (flipped), as Keras builds them; masked steps zeroed in each direction\'s own order.',
    seed: 1201,
    config: sequential([
      inputLayer([5], 'int32'), embedding('embedding', 10, 3, true, 5),
      bidirectional('bidirectional', lstm('lstm', 3, { return_sequences: true, go_backwards: true }), 'concat'),
    ]),
    samples: [
      { name: 'zero_states', tokens: MIXED_PADDING },
      { name: 'initial_states', tokens: MIXED_PADDING, states: [true, true] },
    ],
  });
  list.push({
    name: 'masked_bidirectional_timedistributed',
    description: 'Embedding(10, 3, mask_zero=True) -> Bidirectional(LSTM(3, return_sequences=True), sum) -> '
      + 'TimeDistributed(Dense(2)): the zeros Keras puts at masked steps reach the Dense head (its bias there).',
    seed: 1202,
    config: sequential([
      inputLayer([5], 'int32'), embedding('embedding', 10, 3, true, 5),
      bidirectional('bidirectional', lstm('lstm', 3, { return_sequences: true }), 'sum'),
      timeDistributed('time_distributed', dense('dense', 2, 'linear')),
    ]),
    samples: [{ name: 'zero_states', tokens: MIXED_PADDING }],
  });
  list.push({
    name: 'masking_lstm',
    description: 'Masking(mask_value=-1.0) -> LSTM(4) -> Dense(1, sigmoid) over inputs [B][6][3]: steps whose features '
      + 'are all -1 are masked (start, middle, end, a whole window); a step with only some -1 features is not.',
    seed: 1301, maskValue: -1,
    config: sequential([
      inputLayer([6, 3], 'float32'), masking('masking', -1.0), lstm('lstm', 4), dense('dense', 1, 'sigmoid'),
    ]),
    samples: [
      { name: 'zero_state', inputs: [5, 6, 3], padding: [[0, 1], [2, 3], [5], [], [0, 1, 2, 3, 4, 5]], partial: [3, 4] },
      { name: 'initial_state', inputs: [5, 6, 3], padding: [[0, 1], [2, 3], [5], [], [0, 1, 2, 3, 4, 5]], partial: [3, 4], states: [true] },
    ],
  });
  list.push({
    name: 'lstm_timedistributed_dense',
    description: 'LSTM(4, return_sequences=True) -> TimeDistributed(Dense(3, relu)) -> Dense(2) over inputs [B][5][3]: '
      + 'predict returns [B][5][2].',
    seed: 1401,
    config: sequential([
      inputLayer([5, 3], 'float32'), lstm('lstm', 4, { return_sequences: true }),
      timeDistributed('time_distributed', dense('dense', 3, 'relu')), dense('dense_1', 2, 'linear'),
    ]),
    samples: [{ name: 'zero_state', inputs: [4, 5, 3] }, { name: 'initial_state', inputs: [4, 5, 3], states: [true] }],
  });
  list.push({
    name: 'hard_sigmoid_no_bias',
    description: 'LSTM(4, recurrent_activation="hard_sigmoid", use_bias=False) -> Dense(2) over inputs [B][6][3], weights '
      + '+-1.5 so gates clip. "samples": tf.keras 2.x (hard_sigmoid = clip(0.2x + 0.5, 0, 1)); "samples_keras3": the '
      + 'same inputs as Keras 3 computes them (clip(x/6 + 0.5, 0, 1); tfjs with the i, f, o gate columns scaled by 5/6).',
    seed: 1501, lstmScale: 1.5, keras3: true,
    config: sequential([
      inputLayer([6, 3], 'float32'),
      lstm('lstm', 4, { recurrent_activation: 'hard_sigmoid', use_bias: false }), dense('dense', 2, 'linear'),
    ]),
    samples: [{ name: 'zero_state', inputs: [4, 6, 3] }, { name: 'initial_state', inputs: [4, 6, 3], states: [true] }],
  });
  list.push({
    name: 'rnn_lstm_cell',
    description: 'RNN(LSTMCell(4), return_sequences=True) -> Dense(2, softmax) over inputs [B][5][3]: the same maths as '
      + 'LSTM under another class.',
    seed: 1601, denseScale: 2, topK: 1,
    config: sequential([
      inputLayer([5, 3], 'float32'), rnnLstmCell('rnn', 'lstm_cell', 4, { return_sequences: true }),
      dense('dense', 2, 'softmax'),
    ]),
    samples: [{ name: 'zero_state', inputs: [3, 5, 3] }, { name: 'initial_state', inputs: [3, 5, 3], states: [true] }],
  });
  list.push({
    name: 'stacked_bidirectional_lstm',
    description: 'Embedding(11, 4, mask_zero=True) -> Bidirectional(LSTM(3, return_sequences=True)) -> LSTM(4) -> '
      + 'Dense(3, softmax), padding at the start, middle and end of windows; three state slots (forward, backward, '
      + 'lstm_1).',
    seed: 1701, denseScale: 2.5, topK: 2,
    config: sequential([
      inputLayer([5], 'int32'), embedding('embedding', 11, 4, true, 5),
      bidirectional('bidirectional', lstm('lstm', 3, { return_sequences: true }), 'concat'), lstm('lstm_1', 4),
      dense('dense', 3, 'softmax'),
    ]),
    samples: [
      { name: 'zero_states', tokens: MIXED_PADDING.map((row) => row.map((t) => t % 11)) },
      { name: 'all_states', tokens: MIXED_PADDING.map((row) => row.map((t) => t % 11)), states: [true, true, true] },
    ],
  });
  return list;
}

// ---------------------------------------------------------------------------------------------
// Building and running models with tfjs
// ---------------------------------------------------------------------------------------------

/**
 * A tfjs copy of one recurrent layer, configured to return sequences (or not) and its states, with the original's
 * weights: a one-layer functional model read from Keras JSON, so the copy is what Keras' config means.
 */
async function recurrentVariant(tf, layerJson, inputShape, returnSequences, weights) {
  const conf = structuredClone(layerJson);
  const flags = rnnConfig(conf);
  flags.return_sequences = returnSequences;
  flags.return_state = true;
  const name = conf.config.name;
  const outputs = conf.class_name === 'Bidirectional' ? 5 : 3;
  const model = await tf.models.modelFromJSON({
    class_name: 'Model',
    config: {
      name: 'variant',
      layers: [
        { class_name: 'InputLayer', name: 'variant_input', config: { batch_input_shape: inputShape, dtype: 'float32', sparse: false, name: 'variant_input' }, inbound_nodes: [] },
        { ...conf, name, inbound_nodes: [[['variant_input', 0, 0, {}]]] },
      ],
      input_layers: [['variant_input', 0, 0]],
      output_layers: Array.from({ length: outputs }, (_, i) => [name, 0, i]),
    },
  });
  const layer = model.getLayer(name);
  layer.setWeights(weights);
  return layer;
}

/** The model and, per recurrent layer, its two variants (sequences, last output), both returning states. */
export async function buildModel(tf, modelConfig, weightsByLayer) {
  const model = await tf.models.modelFromJSON(structuredClone(modelConfig));
  const layers = configLayers(modelConfig);
  const variants = {};
  for (const layerJson of layers) {
    const layer = model.getLayer(layerJson.config.name);
    const weights = weightsByLayer[layerJson.config.name];
    if (weights) layer.setWeights(weights.map((w) => tf.tensor(w.value, w.shape)));
    if (RECURRENT.has(layerJson.class_name)) {
      const tensors = () => weights.map((w) => tf.tensor(w.value, w.shape));
      variants[layerJson.config.name] = {
        sequences: await recurrentVariant(tf, layerJson, layer.input.shape, true, tensors()),
        last: await recurrentVariant(tf, layerJson, layer.input.shape, false, tensors()),
      };
    }
  }
  return { model, layers, variants };
}

/**
 * Runs a sample eagerly through the model, layer by layer. With `keras` the corrections in the file's head are
 * applied to every recurrent layer's outputs before the next layer sees them; without, the result is tfjs' own.
 *
 * A Flatten layer drops the mask, as Keras 3 does (a layer that does not support masking returns none).
 *
 * @returns {predict, layers: [{layer, outputs, last_output, states: [{direction?, h, c}], inputMask: [B][T] | null}]}
 */
export function runEager(h, built, sample, keras) {
  const { tf } = h;
  return tf.tidy(() => {
    const byTokens = sample.tokens !== undefined;
    let x = byTokens ? tf.tensor2d(sample.tokens, [sample.tokens.length, sample.tokens[0].length], 'int32') : tf.tensor3d(sample.inputs);
    let mask = null;
    let slot = 0;
    const recurrent = [];
    for (const layerJson of built.layers) {
      const name = layerJson.config.name;
      const layer = built.model.getLayer(name);
      const cls = layerJson.class_name;
      if (!RECURRENT.has(cls)) {
        const y = layer.apply(x, mask && cls !== 'Flatten' ? { mask } : {});
        mask = cls === 'Embedding' || cls === 'Masking' ? layer.computeMask(x, null) : cls === 'Flatten' ? null : mask;
        x = y;
        continue;
      }
      const slots = cls === 'Bidirectional' ? ['forward', 'backward'] : [null];
      const given = slots.map((_, i) => sample.initial_states?.[slot + i]);
      slot += slots.length;
      const initialState = given.some((s) => s)
        ? given.flatMap((s) => (s ? [tf.tensor2d(s.h), tf.tensor2d(s.c)] : [tf.zeros([x.shape[0], cellConfig(layerJson).units]), tf.zeros([x.shape[0], cellConfig(layerJson).units])]))
        : undefined;
      // A fresh kwargs object per call: tfjs' Bidirectional.call overwrites kwargs.initialState with its backward half.
      const kwargs = () => ({ ...(mask ? { mask } : {}), ...(initialState ? { initialState: [...initialState] } : {}) });
      const seq = built.variants[name].sequences.apply(x, kwargs());
      const last = built.variants[name].last.apply(x, kwargs());
      const own = layer.apply(x, kwargs());
      const ownOut = Array.isArray(own) ? own[0] : own;
      const sequences = rnnConfig(layerJson).return_sequences;
      // The variants must be the layer itself, bit for bit.
      if (maxAbs(h, ownOut.arraySync(), (sequences ? seq : last)[0].arraySync()) !== 0) throw new Error(`${name}: variant differs from the layer`);
      const outputs = seq[0].arraySync();
      const lastOutput = last[0].arraySync();
      const masks = mask ? mask.arraySync().map((row) => row.map(Boolean)) : null;
      if (keras && masks) correctToKeras(layerJson, outputs, lastOutput, masks);
      const states = slots.map((direction, i) => ({
        ...(direction ? { direction } : {}), h: seq[1 + 2 * i].arraySync(), c: seq[2 + 2 * i].arraySync(),
      }));
      slots.forEach((_, i) => {
        if (maxAbs(h, seq[1 + 2 * i].arraySync(), last[1 + 2 * i].arraySync()) !== 0) throw new Error(`${name}: states differ between variants`);
      });
      recurrent.push({ layer: name, outputs, last_output: lastOutput, states, inputMask: masks });
      x = tf.tensor(sequences ? outputs : lastOutput);
      mask = sequences ? mask : null;
    }
    return { predict: x.arraySync(), layers: recurrent };
  });
}

/** Corrections 1 and 2 (file head): from tfjs' masked outputs to Keras'. */
function correctToKeras(layerJson, outputs, lastOutput, masks) {
  const T = masks[0].length;
  const innerBackwards = rnnConfig(layerJson).go_backwards;
  masks.forEach((row, b) => {
    const processed = (s) => row[innerBackwards ? T - 1 - s : s];
    if (layerJson.class_name === 'Bidirectional') {
      for (let s = 0; s < T; s++) if (!processed(s)) outputs[b][s] = outputs[b][s].map(() => 0);
    } else {
      for (let s = 0; s < T && !processed(s); s++) outputs[b][s] = outputs[b][s].map(() => 0);
    }
    if (!row.some(Boolean)) lastOutput[b] = lastOutput[b].map(() => 0);
  });
}

const maxAbs = (h, a, b) => h.maxAbsError(a, b);

// ---------------------------------------------------------------------------------------------
// Independent float64 re-implementation of the Keras rules (a cross-check, not the oracle)
// ---------------------------------------------------------------------------------------------

const fr = Math.fround;
const sigmoid64 = (z) => 1 / (1 + Math.exp(-z));
const softplus64 = (z) => Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
const SELU_ALPHA = 1.6732632423543772848170429916717;
const SELU_SCALE = 1.0507009873554804934193349852946;
/** Every element-wise activation tfjs 4.22 has under a Keras name, by the formulas of keras/src/activations/activations.py. */
const ACT64 = {
  tanh: Math.tanh, sigmoid: sigmoid64, relu: (z) => Math.max(0, z), linear: (z) => z,
  hard_sigmoid_keras2: (z) => Math.min(1, Math.max(0, 0.2 * z + 0.5)),
  hard_sigmoid_keras3: (z) => Math.min(1, Math.max(0, z / 6 + 0.5)),
  softsign: (z) => z / (1 + Math.abs(z)), elu: (z) => (z > 0 ? z : Math.expm1(z)),
  selu: (z) => SELU_SCALE * (z > 0 ? z : SELU_ALPHA * Math.expm1(z)), softplus: softplus64,
  swish: (z) => z * sigmoid64(z), silu: (z) => z * sigmoid64(z), relu6: (z) => Math.min(6, Math.max(0, z)),
  gelu: (z) => 0.5 * z * (1 + erf64(z / Math.SQRT2)), mish: (z) => z * Math.tanh(softplus64(z)),
};

/**
 * erf in double precision: its Maclaurin series below |x| = 3 (terms grow at most to e^9, so ~1e-12 is kept), the
 * continued fraction of erfc above (Abramowitz & Stegun 7.1.14), where it converges fast.
 */
function erf64(x) {
  const ax = Math.abs(x);
  if (ax < 3) {
    let term = ax;
    let sum = ax;
    for (let n = 1; n < 200 && Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
      term *= (-ax * ax) / n;
      sum += term / (2 * n + 1);
    }
    return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
  }
  let fraction = 0;
  for (let k = 60; k >= 1; k--) fraction = (k / 2) / (ax + fraction);
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / (ax + fraction);
  return Math.sign(x) * (1 - erfc);
}
const act64 = (name, form) => {
  const key = name === 'hard_sigmoid' ? `hard_sigmoid_${form}` : name;
  if (!ACT64[key]) throw new Error(`reference64: no activation ${key}`);
  return ACT64[key];
};

/**
 * One LSTM direction in float64 (weights and inputs float32): keras backend.rnn over processing order.
 * @returns {prev: outputs with masked steps = previous output, zero: masked steps = 0, last, h, c}
 */
function lstm64(cell, goBackwards, weights, x, mask, state, form) {
  const H = cell.units;
  const [W, U, bias] = [weights[0].value, weights[1].value, cell.use_bias ? weights[2].value : null];
  const act = act64(cell.activation, form);
  const rec = act64(cell.recurrent_activation, form);
  const result = { prev: [], zero: [], last: [], h: [], c: [] };
  x.forEach((seq, b) => {
    let h = state ? state.h[b].map(fr) : new Array(H).fill(0);
    let c = state ? state.c[b].map(fr) : new Array(H).fill(0);
    let prevOut = new Array(H).fill(0);
    const prev = [];
    const zero = [];
    const T = seq.length;
    for (let s = 0; s < T; s++) {
      const t = goBackwards ? T - 1 - s : s;
      if (mask && !mask[b][t]) {
        prev.push(prevOut);
        zero.push(new Array(H).fill(0));
        continue;
      }
      const z = bias ? bias.map(fr) : new Array(4 * H).fill(0);
      seq[t].forEach((xv, e) => { for (let j = 0; j < 4 * H; j++) z[j] += xv * fr(W[e][j]); });
      h.forEach((hv, k) => { for (let j = 0; j < 4 * H; j++) z[j] += hv * fr(U[k][j]); });
      const g = (k, j) => z[k * H + j];
      c = c.map((cv, j) => rec(g(1, j)) * cv + rec(g(0, j)) * act(g(2, j)));
      h = c.map((cv, j) => rec(g(3, j)) * act(cv));
      prevOut = h;
      prev.push(h);
      zero.push(h);
    }
    result.prev.push(prev);
    result.zero.push(zero);
    result.last.push(prev[T - 1]);
    result.h.push(h);
    result.c.push(c);
  });
  return result;
}

const MERGE64 = { concat: (a, b) => [...a, ...b], sum: (a, b) => a.map((v, i) => v + b[i]), mul: (a, b) => a.map((v, i) => v * b[i]), ave: (a, b) => a.map((v, i) => (v + b[i]) / 2) };

/** An activation over the last axis of nested arrays: softmax and log_softmax per row, the others element-wise. */
function activate64(name, form, x) {
  const row = (out) => {
    if (name === 'softmax' || name === 'log_softmax') {
      const m = Math.max(...out);
      const ex = out.map((z) => Math.exp(z - m));
      const sum = ex.reduce((a, z) => a + z, 0);
      return name === 'softmax' ? ex.map((z) => z / sum) : out.map((z) => z - m - Math.log(sum));
    }
    return out.map(act64(name, form));
  };
  const apply = (v) => (Array.isArray(v[0]) ? v.map(apply) : row(v));
  return apply(x);
}

function dense64(conf, weights, x, form) {
  const [W, b] = [weights[0].value, conf.use_bias ? weights[1].value : null];
  const row = (v) => W[0].map((_, j) => (b ? fr(b[j]) : 0) + v.reduce((acc, xv, e) => acc + xv * fr(W[e][j]), 0));
  const apply = (v) => (Array.isArray(v[0]) ? v.map(apply) : row(v));
  return activate64(conf.activation, form, apply(x));
}

/**
 * The whole model in float64 by the Keras rules: masks from Embedding(mask_zero) and Masking, passed on by recurrent
 * layers that return sequences and by Dense / TimeDistributed / Activation (Flatten drops it); masked steps keep h and
 * c and repeat the previous output (zeros before the first unmasked step), except in a Bidirectional layer returning
 * sequences, where they are 0 (tf.keras and Keras 3; `bidirectionalZeroes: false` for Keras 1 and multi-backend
 * Keras 2, where they repeat the previous output too).
 */
export function reference64(layers, weightsByLayer, sample, form, { bidirectionalZeroes = true } = {}) {
  let x = sample.inputs ? sample.inputs.map((r) => r.map((v) => v.map(fr))) : null;
  let mask = null;
  let slot = 0;
  const recurrent = [];
  for (const L of layers) {
    const c = L.config;
    const w = weightsByLayer[c.name];
    switch (L.class_name) {
      case 'Embedding':
        x = sample.tokens.map((r) => r.map((t) => w[0].value[t].map(fr)));
        mask = c.mask_zero ? sample.tokens.map((r) => r.map((t) => t !== 0)) : null;
        break;
      case 'Masking': {
        const mv = fr(c.mask_value);
        mask = x.map((r) => r.map((v) => v.some((e) => e !== mv)));
        x = x.map((r, b) => r.map((v, t) => (mask[b][t] ? v : v.map(() => 0))));
        break;
      }
      case 'LSTM': case 'RNN': {
        const cell = cellConfig(L);
        const run = lstm64(cell, c.go_backwards, w, x, mask, sample.initial_states?.[slot], form);
        slot += 1;
        recurrent.push({ layer: c.name, outputs: run.prev, last_output: run.last, states: [{ h: run.h, c: run.c }] });
        x = c.return_sequences ? run.prev : run.last;
        mask = c.return_sequences ? mask : null;
        break;
      }
      case 'Bidirectional': {
        const inner = c.layer.config;
        const cell = cellConfig(L);
        const half = w.length / 2;
        const fwd = lstm64(cell, inner.go_backwards, w.slice(0, half), x, mask, sample.initial_states?.[slot], form);
        const bwd = lstm64(cell, !inner.go_backwards, w.slice(half), x, mask, sample.initial_states?.[slot + 1], form);
        slot += 2;
        const merge = MERGE64[c.merge_mode];
        const [fwdSeq, bwdSeq] = bidirectionalZeroes ? [fwd.zero, bwd.zero] : [fwd.prev, bwd.prev];
        const sequences = fwdSeq.map((seq, b) => seq.map((y, s) => merge(y, bwdSeq[b][seq.length - 1 - s])));
        const last = fwd.last.map((y, b) => merge(y, bwd.last[b]));
        recurrent.push({
          layer: c.name, outputs: sequences, last_output: last,
          states: [{ direction: 'forward', h: fwd.h, c: fwd.c }, { direction: 'backward', h: bwd.h, c: bwd.c }],
        });
        x = inner.return_sequences ? sequences : last;
        mask = inner.return_sequences ? mask : null;
        break;
      }
      case 'Dense':
        x = dense64(c, w, x, form);
        break;
      case 'TimeDistributed':
        x = dense64(c.layer.config, w, x, form);
        break;
      case 'Activation':
        x = activate64(c.activation, form, x);
        break;
      case 'Flatten':
        x = x.map((r) => r.flat());
        mask = null;
        break;
      default:
        throw new Error(`reference64: no ${L.class_name}`);
    }
  }
  return { predict: x, layers: recurrent };
}

/** tfjs (Keras-corrected) against reference64; returns the max abs error and throws above the tolerance. */
function crossCheck(h, name, expected, reference) {
  const pairs = [['predict', expected.predict, reference.predict]];
  expected.layers.forEach((l, i) => {
    const r = reference.layers[i];
    pairs.push([`${l.layer}.outputs`, l.outputs, r.outputs], [`${l.layer}.last_output`, l.last_output, r.last_output]);
    l.states.forEach((s, k) => pairs.push([`${l.layer}.states[${k}].h`, s.h, r.states[k].h], [`${l.layer}.states[${k}].c`, s.c, r.states[k].c]));
  });
  let worst = 0;
  for (const [what, a, b] of pairs) {
    const ratio = h.toleranceRatio(a, b);
    if (ratio > 1) throw new Error(`${name}: ${what}: tfjs and the float64 reference disagree (ratio ${ratio})`);
    worst = Math.max(worst, h.maxAbsError(a, b));
  }
  return worst;
}

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

/** Random weights in Keras' layer.weights order, named as in Keras 3 without the layer's own name. */
function randomWeights(h, model, layers, o, rng) {
  const byLayer = {};
  for (const layerJson of layers) {
    const layer = model.getLayer(layerJson.config.name);
    if (layer.weights.length === 0) continue;
    const dense = layerJson.class_name === 'Dense' || layerJson.class_name === 'TimeDistributed';
    byLayer[layerJson.config.name] = layer.weights.map((v) => {
      const name = v.name.slice(layer.name.length + 1).replace(/(kernel|recurrent_kernel|bias|embeddings)_\d+$/, '$1');
      const leaf = name.split('/').pop();
      const scale = leaf === 'embeddings' ? 1 : dense ? (leaf === 'bias' ? 0.5 : o.denseScale ?? 1) : o.lstmScale ?? 0.5;
      return { name, shape: v.shape, value: h.uniform(rng, v.shape, -scale, scale) };
    });
  }
  return byLayer;
}

/** Weights with Keras 3's hard_sigmoid made from tfjs' Keras 2 one: i, f, o gate columns scaled by 5/6. */
function keras3Weights(h, layers, weightsByLayer) {
  const out = structuredClone(weightsByLayer);
  for (const L of layers) {
    if (!RECURRENT.has(L.class_name) || cellConfig(L).recurrent_activation !== 'hard_sigmoid') continue;
    out[L.config.name] = out[L.config.name].map((w) => ({ ...w, value: h.scaleGateColumnsForKeras3(w.value, cellConfig(L).units) }));
  }
  return out;
}

/** The initial states of a sample: one {layer, direction?, h, c} per state slot, zeros where not asked for. */
function sampleStates(h, layers, spec, B, rng) {
  if (!spec.states) return undefined;
  const slots = [];
  for (const L of layers) {
    if (!RECURRENT.has(L.class_name)) continue;
    const units = cellConfig(L).units;
    for (const direction of L.class_name === 'Bidirectional' ? ['forward', 'backward'] : [null]) {
      const random = spec.states[slots.length];
      slots.push({
        layer: L.config.name, ...(direction ? { direction } : {}),
        h: random ? h.uniform(rng, [B, units], -1, 1) : Array.from({ length: B }, () => new Array(units).fill(0)),
        c: random ? h.uniform(rng, [B, units], -1.5, 1.5) : Array.from({ length: B }, () => new Array(units).fill(0)),
      });
    }
  }
  return slots;
}

function sampleInputs(h, o, spec, rng) {
  if (spec.tokens) return { tokens: spec.tokens };
  const inputs = h.uniform(rng, spec.inputs, -1, 1);
  (spec.padding ?? []).forEach((steps, b) => steps.forEach((t) => { inputs[b][t] = inputs[b][t].map(() => o.maskValue); }));
  if (spec.partial) inputs[spec.partial[0]][spec.partial[1]][0] = o.maskValue;
  return { inputs };
}

/** The k most probable classes of each row (and step), most probable first, with a margin that makes the order stable. */
function topK(h, name, predict, k) {
  const rows = (v) => (Array.isArray(v[0]) ? v.map(rows) : top(v));
  const top = (p) => {
    const ids = p.map((_, i) => i).sort((a, b) => p[b] - p[a] || a - b);
    for (let i = 0; i < Math.min(k, ids.length - 1); i++) {
      if (p[ids[i]] - p[ids[i + 1]] < 1e-4) throw new Error(`${name}: top_k is not stable (${p[ids[i]]} vs ${p[ids[i + 1]]}); pick another seed`);
    }
    return ids.slice(0, k).map((id) => ({ id, probability: p[id] }));
  };
  return rows(predict);
}

function toF32Deep(h, v) {
  return h.mapNested(v, h.f32);
}

/** Expected numbers of every sample of a built model, checked against reference64. */
function expectedSamples(h, name, built, layers, weightsByLayer, samples, form, o) {
  let worst = 0;
  const out = samples.map((s) => {
    const raw = runEager(h, built, s, false);
    if (!s.initial_states) {
      const predicted = h.tf.tidy(() => built.model.predict(s.tokens ? h.tf.tensor2d(s.tokens, [s.tokens.length, s.tokens[0].length], 'int32') : h.tf.tensor3d(s.inputs)).arraySync());
      if (h.maxAbsError(predicted, raw.predict) !== 0) throw new Error(`${name}/${s.name}: the eager chain differs from model.predict`);
    }
    const keras = runEager(h, built, s, true);
    const expected = {
      predict: toF32Deep(h, keras.predict),
      layers: keras.layers.map((l) => ({
        layer: l.layer, outputs: toF32Deep(h, l.outputs), last_output: toF32Deep(h, l.last_output),
        states: l.states.map((st) => ({ ...(st.direction ? { direction: st.direction } : {}), h: toF32Deep(h, st.h), c: toF32Deep(h, st.c) })),
      })),
    };
    worst = Math.max(worst, crossCheck(h, `${name}/${s.name}`, expected, reference64(layers, weightsByLayer, s, form)));
    if (o.topK) expected.top_k = topK(h, `${name}/${s.name}`, expected.predict, o.topK);
    return { name: s.name, tokens: s.tokens, inputs: s.inputs, initial_states: s.initial_states, expected };
  });
  return { samples: out, worst };
}

/**
 * Every model fixture: {path, fixture, crossCheck} with the fixture ready to write.
 */
export async function kerasModelFixtures(h) {
  const out = [];
  for (const o of cases()) {
    const rng = h.mulberry32(o.seed);
    const layers = configLayers(o.config);
    const shell = await h.tf.models.modelFromJSON(structuredClone(o.config));
    const weightsByLayer = randomWeights(h, shell, layers, o, rng);
    const samples = o.samples.map((spec) => {
      const data = sampleInputs(h, o, spec, rng);
      const B = (data.tokens ?? data.inputs).length;
      return { name: spec.name, ...data, initial_states: sampleStates(h, layers, spec, B, rng) };
    });
    const built = await buildModel(h.tf, o.config, weightsByLayer);
    const keras2 = expectedSamples(h, o.name, built, layers, weightsByLayer, samples, 'keras2', o);
    let keras3;
    if (o.keras3) {
      const scaled = await buildModel(h.tf, o.config, keras3Weights(h, layers, weightsByLayer));
      keras3 = expectedSamples(h, `${o.name} (Keras 3)`, scaled, layers, weightsByLayer, samples, 'keras3', o);
    }
    const fixture = {
      generated_by: h.GENERATED_BY,
      name: o.name,
      description: o.description,
      keras_version: KERAS_VERSION,
      model_config: o.config,
      layers: layers.map((L) => {
        const layer = built.model.getLayer(L.config.name);
        return {
          name: L.config.name, class_name: L.class_name, input_shape: layer.input.shape, output_shape: layer.output.shape,
          weights: (weightsByLayer[L.config.name] ?? []).map((w) => ({ name: w.name, shape: w.shape, value: w.value })),
        };
      }),
      samples: keras2.samples,
      samples_keras3: keras3?.samples,
    };
    out.push({ path: `src/test/resources/keras-models/${o.name}.json`, fixture, crossCheck: Math.max(keras2.worst, keras3?.worst ?? 0) });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The shared format samples (../shared/keras-reference/format-samples): their own config and weights, read with
// jsfive; inputs chosen here. The fixture holds inputs and expected outputs only, never the file's weights.
// ---------------------------------------------------------------------------------------------

const FORMAT_SAMPLES = [
  {
    file: 'format-samples/dl4j_masking_lstm_keras2.2.0.h5', name: 'dl4j_masking_lstm_keras2.2.0', seed: 2001,
    description: 'Masking(0.0) -> LSTM(32) (Keras 2.2.0, hard_sigmoid = Keras 2 form); inputs [B][10][42] with all-zero '
      + '(masked) steps at the start, middle and end of windows, and one window all zeros.',
    inputs: [5, 10, 42], maskValue: 0, padding: [[0, 1, 2], [4, 5], [8, 9], [], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]],
  },
  {
    file: 'format-samples/dl4j_embedding_lstm_keras2.1.3.h5', name: 'dl4j_embedding_lstm_keras2.1.3', seed: 2002,
    description: 'Embedding(4, 5, input_length=10) -> LSTM(6, return_sequences=True) (Keras 2.1.3): token windows.',
    tokens: [[0, 1, 2, 3, 0, 1, 2, 3, 0, 1], [3, 3, 2, 2, 1, 1, 0, 0, 3, 2], [1, 0, 3, 2, 1, 0, 3, 2, 1, 0]],
  },
  {
    file: 'format-samples/dl4j_functional_lstm_keras2.0.8.h5', name: 'dl4j_functional_lstm_keras2.0.8', seed: 2003,
    description: 'Functional Input [10, 4] -> LSTM(8, hard_sigmoid) -> Dense(5, softmax) (Keras 2.0.8).',
    inputs: [3, 10, 4],
  },
  {
    file: 'format-samples/dl4j_tfkeras_stacked_lstm_keras2.2.4-tf.h5', name: 'dl4j_tfkeras_stacked_lstm_keras2.2.4-tf', seed: 2004,
    description: 'Input [4, 1] -> LSTM(6, relu, return_sequences) -> LSTM(4, relu, return_sequences), hard_sigmoid '
      + '(tf.keras 2.2.4-tf, Keras 2 form).',
    inputs: [3, 4, 1],
  },
];

/** A jsfive string attribute as text: numpy's fixed-length strings come back NUL-padded. */
const text = (v) => String(v).replace(/\0+$/, '');

/**
 * Fixtures of the shared format samples that exist: {path, fixture, crossCheck}. The model is read from the file's own
 * model_config and weights (jsfive), run by tfjs, and cross-checked like the others.
 */
export async function sharedFormatSampleFixtures(h) {
  const out = [];
  for (const o of FORMAT_SAMPLES) {
    const full = `${h.SHARED_REFERENCE}/${o.file}`;
    if (!h.existsSync(full)) {
      console.log(`skipped: ${o.file} is not there (its fixture is kept as committed)`);
      continue;
    }
    const bytes = h.readFileSync(full);
    const file = new h.hdf5.File(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength), o.file);
    const kerasVersion = text(file.attrs.keras_version);
    const modelConfig = JSON.parse(text(file.attrs.model_config));
    const layers = configLayers(modelConfig);
    const weightsGroup = file.get('model_weights');
    const weightsByLayer = {};
    for (const L of layers) {
      const group = weightsGroup.get(L.config.name);
      const names = group?.attrs.weight_names;
      if (!names || names.length === 0) continue;
      weightsByLayer[L.config.name] = [...names].map((n) => {
        const dataset = group.get(text(n));
        const flat = Array.from(dataset.value, Number);
        return { name: text(n), shape: dataset.shape, value: unflatten(flat, dataset.shape) };
      });
    }
    const rng = h.mulberry32(o.seed);
    const sample = { name: 'chosen_inputs', ...sampleInputs(h, o, o, rng) };
    if (o.inputs && !o.padding) sample.inputs = h.mapNested(sample.inputs, (v) => h.r6(v * 0.5));
    const built = await buildModel(h.tf, modelConfig, weightsByLayer);
    const { samples, worst } = expectedSamples(h, o.name, built, layers, weightsByLayer, [sample], 'keras2', o);
    out.push({
      path: `src/test/resources/keras-models/shared/${o.name}.json`,
      crossCheck: worst,
      fixture: {
        generated_by: h.GENERATED_BY,
        name: o.name,
        description: `${o.description} Expected outputs computed by the oracle from the file's own model_config and `
          + 'weights (read with jsfive) on inputs chosen here; the weights stay in ../shared.',
        shared_file: o.file,
        keras_version: kerasVersion,
        layers: layers.map((L) => ({ name: L.config.name, class_name: L.class_name })),
        samples,
      },
    });
  }
  return out;
}

function unflatten(flat, shape) {
  if (shape.length <= 1) return flat;
  const size = shape.slice(1).reduce((a, b) => a * b, 1);
  return Array.from({ length: shape[0] }, (_, i) => unflatten(flat.slice(i * size, (i + 1) * size), shape.slice(1)));
}
