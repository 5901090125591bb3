// Records a parity sidecar without Keras: what Keras' model.predict returns for your inputs, computed by tfjs (a port
// of Keras) from an lstm-serve JSON version 2 model (what `java -jar lstm-serve.jar --lstm.export=m.json` writes from
// any model the service reads).
//
//   node record-parity.mjs <model.json> <inputs.json> [--out <file>] [--description <text>]
//
// inputs.json: {"tokens": [[...]]} or {"inputs": [[[...]]]} (optionally with "initial_state": {"h", "c"}, the first
// recurrent layer's, [B][H] or [1][H]), or {"samples": [{"name", "tokens" | "inputs", "initial_state"?}, ...]}.
// Writes {"generated_by", "description", "samples": [{"name", "tokens" | "inputs", "initial_state"?, "expected":
// {"predict"}}]} to --out (default: <model.json>.parity.json), the sidecar format lstm-serve reads at start-up.
//
// The model runs through the same tfjs machinery as the oracle's fixtures (keras-models.mjs: eager layer by layer,
// Keras' masking corrections, the 5/6 gate scaling for Keras 3's hard_sigmoid), under the rules of the Keras version
// the model records, and every sample is re-computed by the oracle's float64 implementation of the Keras rules, which
// must agree within rtol 1e-5 / atol 1e-6. What tfjs cannot compute is refused, naming the layer and the reason; no
// file is written then.
import * as tf from '@tensorflow/tfjs';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { buildModel, reference64, RECURRENT, rnnConfig, runEager } from './keras-models.mjs';
import { f32, formatJson, mapNested, maxAbsError, scaleGateColumnsForKeras3, toleranceRatio } from './oracle-common.mjs';

const USAGE = 'usage: node record-parity.mjs <model.json (lstm-serve JSON version 2)> <inputs.json> [--out <file>] '
  + '[--description <text>]';

/** A problem with the model or the inputs: printed without a stack trace. */
class RecordError extends Error {}
const refuse = (message) => {
  throw new RecordError(message);
};

// ---------------------------------------------------------------------------------------------
// Keras' rules by the version the model records (as lstm-serve's KerasVersion reads them)
// ---------------------------------------------------------------------------------------------

/**
 * form: which hard_sigmoid (Keras 1 and 2: clip(0.2x + 0.5, 0, 1); Keras 3: clip(x/6 + 0.5, 0, 1)).
 * modern: tf.keras (a -tf version, or 2.4 and later) and Keras 3. Their backend.rnn outputs zeros at masked steps before
 * the first unmasked one and Bidirectional forces zero_output_for_mask; Keras 1 and multi-backend Keras 2 do neither.
 * A model without keras_version is read by Keras 3's rules, as lstm-serve reads it.
 */
function kerasRules(text) {
  if (text == null || String(text).trim() === '') {
    return { text: null, described: 'Keras 3 (the model records no keras_version)', major: 3, minor: 0, tfKeras: false, form: 'keras3', modern: true };
  }
  const m = /^(\d+)(?:\.(\d+))?/.exec(String(text).trim());
  if (!m) refuse(`keras_version = ${JSON.stringify(text)} does not start with a number`);
  const major = Number(m[1]);
  const minor = m[2] === undefined ? 0 : Number(m[2]);
  const tfKeras = String(text).trim().endsWith('-tf');
  return {
    text, described: `Keras ${text}`, major, minor, tfKeras, form: major <= 2 ? 'keras2' : 'keras3',
    modern: major >= 3 || tfKeras || (major === 2 && minor >= 4),
  };
}

/** An LSTM's recurrent_activation when its config leaves it out (keras/layers/recurrent.py of each release). */
function recurrentActivationDefault(rules, where) {
  if (rules.major >= 3 || (rules.major === 2 && rules.minor >= 3)) return 'sigmoid';
  if (rules.tfKeras) {
    refuse(`${where}: recurrent_activation is missing, and keras_version "${rules.text}" does not tell its default `
      + '(hard_sigmoid in TensorFlow 1.x, sigmoid in TensorFlow 2.0 under the same version); lstm-serve refuses the model too');
  }
  return 'hard_sigmoid';
}

// ---------------------------------------------------------------------------------------------
// Activations: what tfjs 4.22 has under Keras' names
// ---------------------------------------------------------------------------------------------

/** Keras activations tfjs 4.22 computes under the same name (tfjs-layers activations.js), by Keras' formulas. */
const TFJS_ACTIVATIONS = new Set([
  'tanh', 'sigmoid', 'hard_sigmoid', 'relu', 'linear', 'softsign', 'elu', 'selu', 'softplus', 'swish', 'relu6', 'gelu',
  'mish', 'softmax', 'log_softmax',
]);
/** Keras 3 names one function twice: silu is swish, x * sigmoid(x). */
const SAME_FUNCTION = { silu: 'swish' };
/** Keras activations lstm-serve serves (core/Activation.java) that tfjs 4.22 does not have. */
const NOT_IN_TFJS = new Set([
  'exponential', 'leaky_relu', 'celu', 'log_sigmoid', 'hard_silu', 'hard_swish', 'hard_tanh', 'tanh_shrink',
  'hard_shrink', 'soft_shrink', 'sparse_plus', 'sparse_sigmoid', 'squareplus',
]);

/**
 * The activation name to give tfjs for `name` at `where`. `keras3HardSigmoid` says how the layer reaches Keras 3's
 * hard_sigmoid: 'gates' (an LSTM's recurrent_activation) and 'dense' (a Dense layer) by scaling the weights before it
 * by 5/6, so tfjs' Keras 2 form computes clip(0.2 * 5/6 z + 0.5) = clip(z/6 + 0.5); anything else cannot.
 */
function tfjsActivation(name, where, rules, { rowWise = false, keras3HardSigmoid = null } = {}) {
  const key = String(name ?? '').trim().toLowerCase();
  if (NOT_IN_TFJS.has(key)) {
    refuse(`${where} = "${name}": tfjs 4.22 has no Keras activation "${key}", so the recorder cannot compute this model; `
      + 'record its parity samples with Keras itself (README, "Parity travels with the model")');
  }
  if (!TFJS_ACTIVATIONS.has(key) && !(key in SAME_FUNCTION)) {
    refuse(`${where} = "${name}" is not an activation lstm-serve serves`);
  }
  if ((key === 'softmax' || key === 'log_softmax') && !rowWise) {
    refuse(`${where} = "${name}" works on a whole row, not element-wise; lstm-serve does not serve it there`);
  }
  if (key === 'hard_sigmoid' && rules.form === 'keras3' && !keras3HardSigmoid) {
    refuse(`${where} = "hard_sigmoid" under ${rules.described}'s form clip(x/6 + 0.5, 0, 1): tfjs has only Keras 2's `
      + 'clip(0.2x + 0.5, 0, 1), and the oracle reaches the Keras 3 form by scaling the weights that feed a gate or a Dense '
      + 'layer by 5/6, which cannot reach this activation (an LSTM\'s activation also acts on the cell state c); record '
      + 'this model\'s parity samples with Keras itself');
  }
  return SAME_FUNCTION[key] ?? key;
}

// ---------------------------------------------------------------------------------------------
// lstm-serve JSON version 2 -> tf.keras 2.x layer configs (what tfjs' modelFromJSON reads) and weights
// ---------------------------------------------------------------------------------------------

/** tfjs initialises every weight before the oracle sets Keras' values: zeros cost nothing (orthogonal would). */
const ZEROS = { class_name: 'Zeros', config: {} };

/** Layers that only act while training: the identity at inference (Keras' call with training=False). */
const TRAINING_ONLY = new Set(['Dropout', 'SpatialDropout1D', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout', 'ActivityRegularization']);

const shapeText = (shape) => `[${shape.join(', ')}]`;

/** The layer's weights as {name, shape, value}, checked against the shapes its config implies. */
function takeWeights(L, where, expected) {
  const given = L.weights ?? [];
  if (given.length !== expected.length) {
    refuse(`${where} has ${given.length} weight arrays; expected ${expected.length} (${expected.map((e) => e.name).join(', ')})`);
  }
  return given.map((w, i) => {
    const want = expected[i].shape;
    if (!Array.isArray(w.shape) || w.shape.length !== want.length || want.some((d, k) => d !== null && d !== w.shape[k])) {
      refuse(`${where}.weights[${i}] ("${w.name}") has shape ${shapeText(w.shape ?? [])}; expected ${expected[i].name} `
        + shapeText(want.map((d) => d ?? '?')));
    }
    return { name: w.name, shape: w.shape, value: w.values };
  });
}

/** The LSTM maths of an LSTM, RNN(cell=LSTMCell), or a Bidirectional's wrapped layer, as a tfjs LSTM config. */
function lstmLayer(className, config, name, where, rules) {
  let cell = config;
  if (className === 'RNN' && config.cell !== undefined) {
    if (config.cell?.class_name !== 'LSTMCell') refuse(`${where}: an RNN is servable with cell = LSTMCell only`);
    cell = config.cell.config ?? {};
  } else if (className !== 'LSTM' && className !== 'RNN') {
    refuse(`${where}: ${className} is not servable in lstm-serve (LSTM layers only)`);
  }
  if (config.zero_output_for_mask === true) {
    refuse(`${where}: zero_output_for_mask = true is not servable outside a Bidirectional layer (lstm-serve refuses it too)`);
  }
  if (!Number.isInteger(cell.units)) {
    refuse(`${where}: units is missing${cell.output_dim !== undefined ? ' (Keras 1 field names: export the model with '
      + '--lstm.export, which writes Keras 2 names)' : ''}`);
  }
  const recurrent = cell.recurrent_activation ?? recurrentActivationDefault(rules, where);
  return {
    class_name: 'LSTM',
    config: {
      name, dtype: 'float32', units: cell.units, kernel_initializer: ZEROS, recurrent_initializer: ZEROS, bias_initializer: ZEROS,
      activation: tfjsActivation(cell.activation ?? 'tanh', `${where}.activation`, rules),
      recurrent_activation: tfjsActivation(recurrent, `${where}.recurrent_activation`, rules, { keras3HardSigmoid: 'gates' }),
      use_bias: cell.use_bias ?? true, go_backwards: config.go_backwards ?? false,
      return_sequences: config.return_sequences ?? false, return_state: false,
    },
  };
}

/** Expected LSTM weight shapes (E from the kernel itself). */
function lstmWeightShapes(lstm, prefix = '') {
  const H = lstm.config.units;
  const shapes = [{ name: `${prefix}kernel`, shape: [null, 4 * H] }, { name: `${prefix}recurrent_kernel`, shape: [H, 4 * H] }];
  if (lstm.config.use_bias) shapes.push({ name: `${prefix}bias`, shape: [4 * H] });
  return shapes;
}

const usesKeras3HardSigmoid = (rules, activation) => rules.form === 'keras3' && activation === 'hard_sigmoid';

/**
 * Every layer of the model as {json (a tf.keras 2.x layer config), weights (Keras' values), tfjsWeights (what tfjs
 * gets: the same, or scaled by 5/6 for Keras 3's hard_sigmoid)}; training-only layers are left out.
 */
function convertLayers(model, rules) {
  if (!Array.isArray(model.layers) || model.layers.length === 0) refuse('layers is missing or empty');
  const out = [];
  const skipped = [];
  model.layers.forEach((L, i) => {
    const name = L.name;
    const where = `layers[${i}] ("${name}", ${L.class_name})`;
    const c = L.config ?? {};
    if (typeof name !== 'string' || name === '') refuse(`layers[${i}] has no name`);
    if (L.class_name === 'InputLayer') return;
    if (TRAINING_ONLY.has(L.class_name)) {
      if ((L.weights ?? []).length > 0) refuse(`${where} has weights; ${L.class_name} has none`);
      skipped.push(`${name} (${L.class_name})`);
      return;
    }
    switch (L.class_name) {
      case 'Embedding': {
        const json = { class_name: 'Embedding', config: { name, dtype: 'float32', input_dim: c.input_dim, output_dim: c.output_dim, mask_zero: c.mask_zero ?? false, embeddings_initializer: ZEROS } };
        const weights = takeWeights(L, where, [{ name: 'embeddings', shape: [c.input_dim, c.output_dim] }]);
        out.push({ json, weights, tfjsWeights: weights });
        break;
      }
      case 'Masking':
        out.push({ json: { class_name: 'Masking', config: { name, dtype: 'float32', mask_value: c.mask_value ?? 0 } }, weights: null });
        break;
      case 'LSTM': case 'RNN': {
        const json = lstmLayer(L.class_name, c, name, where, rules);
        const weights = takeWeights(L, where, lstmWeightShapes(json));
        const H = json.config.units;
        const tfjsWeights = usesKeras3HardSigmoid(rules, json.config.recurrent_activation)
          ? weights.map((w) => ({ ...w, value: scaleGateColumnsForKeras3(w.value, H) })) : weights;
        out.push({ json, weights, tfjsWeights });
        break;
      }
      case 'Bidirectional': {
        const inner = c.layer ?? refuse(`${where}: config.layer is missing`);
        if (c.merge_mode === null) refuse(`${where}: merge_mode = null (two outputs) is not servable`);
        const mergeMode = c.merge_mode ?? 'concat';
        if (!['concat', 'sum', 'mul', 'ave'].includes(mergeMode)) refuse(`${where}: merge_mode = "${mergeMode}" is not a Keras merge mode`);
        const innerName = inner.config?.name ?? `${name}_layer`;
        const forward = lstmLayer(inner.class_name, inner.config ?? {}, innerName, `${where}.layer`, rules);
        if (c.backward_layer) {
          // tfjs builds the backward layer from the forward one with go_backwards flipped (wrappers.js), as Keras does
          // without backward_layer; a backward_layer that differs otherwise cannot be built.
          const backward = lstmLayer(c.backward_layer.class_name, c.backward_layer.config ?? {}, innerName, `${where}.backward_layer`, rules);
          const differs = ['units', 'activation', 'recurrent_activation', 'use_bias', 'return_sequences']
            .filter((k) => backward.config[k] !== forward.config[k]);
          if (backward.config.go_backwards === forward.config.go_backwards) differs.push('go_backwards (the same in both)');
          if (differs.length > 0) {
            refuse(`${where}: its backward_layer differs from its forward layer in ${differs.join(', ')}; tfjs builds the `
              + 'backward layer from the forward one (go_backwards flipped), so the recorder cannot compute it');
          }
        }
        const json = { class_name: 'Bidirectional', config: { name, dtype: 'float32', merge_mode: mergeMode, layer: forward } };
        const shapes = lstmWeightShapes(forward, `forward `);
        const weights = takeWeights(L, where, [...shapes, ...lstmWeightShapes(forward, 'backward ')]);
        const H = forward.config.units;
        const tfjsWeights = usesKeras3HardSigmoid(rules, forward.config.recurrent_activation)
          ? weights.map((w) => ({ ...w, value: scaleGateColumnsForKeras3(w.value, H) })) : weights;
        out.push({ json, weights, tfjsWeights });
        break;
      }
      case 'Dense': case 'TimeDistributed': {
        let d = c;
        let innerName = name;
        if (L.class_name === 'TimeDistributed') {
          if (c.layer?.class_name !== 'Dense') refuse(`${where}: TimeDistributed is servable around a Dense layer only`);
          d = c.layer.config ?? {};
          innerName = d.name ?? `${name}_dense`;
        }
        if (!Number.isInteger(d.units)) refuse(`${where}: units is missing`);
        const dense = {
          class_name: 'Dense',
          config: {
            name: innerName, dtype: 'float32', units: d.units, use_bias: d.use_bias ?? true, kernel_initializer: ZEROS, bias_initializer: ZEROS,
            activation: tfjsActivation(d.activation ?? 'linear', `${where}.activation`, rules, { rowWise: true, keras3HardSigmoid: 'dense' }),
          },
        };
        const shapes = [{ name: 'kernel', shape: [null, d.units] }];
        if (dense.config.use_bias) shapes.push({ name: 'bias', shape: [d.units] });
        const weights = takeWeights(L, where, shapes);
        const tfjsWeights = usesKeras3HardSigmoid(rules, dense.config.activation)
          ? weights.map((w) => ({ ...w, value: mapNested(w.value, (v) => v * (5 / 6)) })) : weights;
        const json = L.class_name === 'Dense' ? { ...dense, config: { ...dense.config, name } }
          : { class_name: 'TimeDistributed', config: { name, dtype: 'float32', layer: dense } };
        out.push({ json, weights, tfjsWeights });
        break;
      }
      case 'Activation':
        out.push({
          json: { class_name: 'Activation', config: { name, dtype: 'float32', activation: tfjsActivation(c.activation, `${where}.activation`, rules, { rowWise: true }) } },
          weights: null,
        });
        break;
      case 'Flatten':
        if (c.data_format === 'channels_first') refuse(`${where}: data_format = channels_first is not servable`);
        out.push({ json: { class_name: 'Flatten', config: { name, dtype: 'float32' } }, weights: null });
        break;
      default:
        refuse(`${where}: ${L.class_name} layers are not servable in lstm-serve, so there is nothing to record`);
    }
  });
  if (!out.some((l) => RECURRENT.has(l.json.class_name))) refuse('the model has no recurrent layer');
  return { layers: out, skipped };
}

/** E, the feature size the first layer of `layers` takes, from the model's input_shape or the first kernel. */
function featureSize(layers, declared) {
  if (declared != null) return declared;
  for (const l of layers) {
    if (l.weights && l.json.class_name !== 'Embedding') return l.weights[0].shape[0];
  }
  return refuse('input_shape does not give the feature size, and no layer\'s kernel does');
}

/**
 * The tfjs model of `layers` (a Sequential behind an InputLayer), built lazily. `tokens` says whether it starts at an
 * Embedding; otherwise it takes float inputs of `features` per step.
 */
function chain(layers, { tokens, steps, features }) {
  const input = {
    class_name: 'InputLayer',
    config: { name: 'recorder_input', batch_input_shape: tokens ? [null, steps] : [null, steps, features], dtype: tokens ? 'int32' : 'float32', sparse: false },
  };
  const modelConfig = { class_name: 'Sequential', config: { name: 'recorded', layers: [input, ...layers.map((l) => l.json)] } };
  const byName = (key) => Object.fromEntries(layers.filter((l) => l.weights).map((l) => [l.json.config.name, l[key]]));
  let built = null;
  return {
    layers, features, tokens,
    reference: layers.map((l) => l.json),
    weightsByLayer: byName('weights'),
    async built() {
      if (!built) {
        try {
          built = await buildModel(tf, modelConfig, byName('tfjsWeights'));
        } catch (e) {
          refuse(`tfjs cannot build the model: ${e.message}`);
        }
      }
      return built;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Inputs
// ---------------------------------------------------------------------------------------------

const SAMPLE_FIELDS = new Set(['name', 'tokens', 'inputs', 'initial_state']);

function readSamples(inputs, path) {
  if (inputs === null || typeof inputs !== 'object' || Array.isArray(inputs)) refuse(`${path}: expected a JSON object`);
  if ('samples' in inputs) {
    const extra = Object.keys(inputs).filter((k) => k !== 'samples');
    if (extra.length > 0) refuse(`${path}: unknown field ${extra[0]} beside samples`);
    if (!Array.isArray(inputs.samples) || inputs.samples.length === 0) refuse(`${path}: samples must be a non-empty list`);
    const samples = inputs.samples.map((s, i) => checkSample(s, `${path}: samples[${i}]`, `${path}: samples[${i}].`, `predict-${i + 1}`));
    const names = samples.map((s) => s.name);
    const twice = names.find((n, i) => names.indexOf(n) !== i);
    if (twice) refuse(`${path}: two samples are named "${twice}"`);
    return samples;
  }
  return [checkSample(inputs, path, `${path}: `, 'predict-1')];
}

/** `where` names the sample in messages about it, `at` prefixes its fields' paths. */
function checkSample(s, where, at, defaultName) {
  if (s === null || typeof s !== 'object' || Array.isArray(s)) refuse(`${where} is not an object`);
  for (const k of Object.keys(s)) {
    if (!SAMPLE_FIELDS.has(k)) {
      refuse(`${where}: unknown field ${k}; known: ${[...SAMPLE_FIELDS].join(', ')}${k === 'expected' ? ' (expected is what the recorder writes)' : ''}`);
    }
  }
  if (('tokens' in s) === ('inputs' in s)) refuse(`${where} needs exactly one of tokens and inputs`);
  const name = s.name ?? defaultName;
  if (typeof name !== 'string' || name.trim() === '') refuse(`${where}: name must be a non-empty string`);
  const data = s.tokens ?? s.inputs;
  const field = 'tokens' in s ? 'tokens' : 'inputs';
  checkNested(data, field === 'tokens' ? 2 : 3, `${at}${field}`, field === 'tokens'
    ? (v) => Number.isInteger(v) : (v) => typeof v === 'number' && Number.isFinite(Math.fround(v)), field === 'tokens' ? '[B][T]' : '[B][T][E]');
  return { name, [field]: data, ...(s.initial_state !== undefined ? { initial_state: s.initial_state } : {}) };
}

/** A rectangular nested array of `depth` levels (`what`: its shape, for messages) whose leaves pass `ok`. */
function checkNested(v, depth, where, ok, what) {
  const shape = [];
  for (let d = 0, level = v; d < depth; d++, level = level[0]) {
    if (!Array.isArray(level) || level.length === 0) refuse(`${where} is not a non-empty ${what} array`);
    shape.push(level.length);
  }
  const walk = (x, d, at) => {
    if (d === depth) {
      if (!ok(x)) refuse(`${at} = ${JSON.stringify(x)} is not ${what === '[B][T]' ? 'an integer token id' : 'a finite float32 number'}`);
      return;
    }
    if (!Array.isArray(x) || x.length !== shape[d]) refuse(`${at} has ${Array.isArray(x) ? x.length : 'no'} entries; expected ${shape[d]}, like the first one`);
    x.forEach((e, i) => walk(e, d + 1, `${at}[${i}]`));
  };
  walk(v, 0, where);
  return shape;
}

// ---------------------------------------------------------------------------------------------
// Recording
// ---------------------------------------------------------------------------------------------

/**
 * How far apart two runs' numbers are, 0 for the same values, non-finite ones included: runEager's own consistency
 * checks must not mistake an overflow both runs share for a difference (the overflow is reported by name below).
 */
const distance = (a, b) => (Array.isArray(a) ? Math.max(0, ...a.map((v, i) => distance(v, b[i])))
  : Object.is(a, b) || a === b ? 0 : Math.abs(a - b) || Infinity);
const HELPERS = { tf, maxAbsError: distance };
const broadcast = (rows, batch) => (rows.length === 1 && batch > 1 ? Array.from({ length: batch }, () => rows[0]) : rows);

/** The chain a sample runs through, checked against the sample's shape (as lstm-serve checks a request). */
function chainFor(sample, chains, where) {
  if (sample.tokens) {
    if (!chains.tokens) refuse(`${where}: tokens, but the model's first layer is not an Embedding; give inputs [B][T][E]`);
    const V = chains.tokens.layers[0].json.config.input_dim;
    sample.tokens.forEach((row, b) => row.forEach((t, s) => {
      if (t < 0 || t >= V) refuse(`${where}: tokens[${b}][${s}] = ${t} is outside the vocabulary [0, ${V})`);
    }));
    return chains.tokens;
  }
  const E = sample.inputs[0][0].length;
  if (E !== chains.inputs.features) {
    refuse(`${where}: inputs have ${E} features per step; the model takes ${chains.inputs.features}`
      + (chains.tokens ? ' (inputs skip the Embedding, as lstm-serve does: give its output_dim)' : ''));
  }
  return chains.inputs;
}

/** The first recurrent layer's initial state, checked and tiled to [B][H] for tfjs. */
function initialStates(sample, chosen, where) {
  if (sample.initial_state === undefined) return undefined;
  const s = sample.initial_state;
  if (s === null || typeof s !== 'object' || Object.keys(s).some((k) => k !== 'h' && k !== 'c') || !s.h || !s.c) {
    refuse(`${where}: initial_state must be {"h": [B][H], "c": [B][H]}`);
  }
  const first = chosen.layers.find((l) => RECURRENT.has(l.json.class_name)).json;
  const H = (first.class_name === 'Bidirectional' ? first.config.layer : first).config.units;
  const B = (sample.tokens ?? sample.inputs).length;
  for (const k of ['h', 'c']) {
    const [rows, cols] = checkNested(s[k], 2, `${where}: initial_state.${k}`, (v) => typeof v === 'number' && Number.isFinite(Math.fround(v)), '[B][H]');
    if ((rows !== B && rows !== 1) || cols !== H) {
      refuse(`${where}: initial_state.${k} is [${rows}][${cols}]; expected [${B}][${H}]${B > 1 ? ` or [1][${H}]` : ''} (the first recurrent `
        + `layer "${first.config.name}"${first.class_name === 'Bidirectional' ? ', its forward direction' : ''})`);
    }
  }
  return [{ h: broadcast(s.h, B), c: broadcast(s.c, B) }];
}

/**
 * Keras 1 and multi-backend Keras 2 compute a masked step before the first unmasked one differently by backend when
 * the initial state is not zero: the TensorFlow backend (unroll=False) repeats the state's h
 * (keras/backend/tensorflow_backend.py rnn: tf.where(mask, output, states[0])), Theano and unroll=True output zeros.
 * lstm-serve outputs zeros, as tf.keras and Keras 3 do; the recorder will not guess which backend a model ran on.
 */
function checkOlderKerasMasking(rules, raw, run, where) {
  const state = run.initial_states?.[0];
  const mask = raw.layers[0]?.inputMask;
  if (rules.modern || !state || !mask) return;
  const built = run.chain;
  const first = built.layers.find((l) => RECURRENT.has(l.json.class_name)).json;
  const backwards = rnnConfig(first).go_backwards ?? false;
  mask.forEach((row, b) => {
    const leading = !row[backwards ? row.length - 1 : 0];
    if (leading && state.h[b].some((v) => v !== 0)) {
      refuse(`${where}, row ${b}: the first recurrent layer ("${first.config.name}") gets a non-zero initial_state.h and `
        + `its first step${backwards ? ' (the last one, going backwards)' : ''} is masked. ${rules.described} computes that `
        + 'step\'s output by backend: the TensorFlow backend repeats initial_state.h, Theano (and unroll=True) outputs '
        + 'zeros, as lstm-serve, tf.keras and Keras 3 do. The recorder cannot tell which one the model ran on: leave '
        + 'initial_state out of this sample, start its windows with an unmasked step, or record it with Keras itself');
    }
  });
}

async function record(sample, chains, rules) {
  const where = `sample "${sample.name}"`;
  const chosen = chainFor(sample, chains, where);
  const built = await chosen.built();
  const run = { name: sample.name, tokens: sample.tokens, inputs: sample.inputs, initial_states: initialStates(sample, chosen, where), chain: chosen };
  let raw;
  let keras;
  try {
    raw = runEager(HELPERS, built, run, false);
    if (!run.initial_states) {
      const data = run.tokens ? tf.tensor2d(run.tokens, [run.tokens.length, run.tokens[0].length], 'int32') : tf.tensor3d(run.inputs);
      const predicted = tf.tidy(() => built.model.predict(data).arraySync());
      data.dispose();
      if (distance(predicted, raw.predict) !== 0) throw new Error('the eager layer-by-layer run differs from tfjs\' model.predict');
    }
    checkOlderKerasMasking(rules, raw, run, where);
    keras = rules.modern ? runEager(HELPERS, built, run, true) : raw;
  } catch (e) {
    if (e instanceof RecordError) throw e;
    refuse(`${where}: tfjs cannot run it: ${e.message}`);
  }
  const toF32 = (v, what) => mapNested(v, (x) => {
    if (!Number.isFinite(Math.fround(x))) {
      refuse(`${where}: tfjs' float32 ${what} holds ${Math.fround(x)}: the model overflows float32 on these inputs `
        + '(lstm-serve answers 422 where its outputs do); choose other inputs');
    }
    return f32(x);
  });
  const expected = {
    predict: toF32(keras.predict, 'predict'),
    layers: keras.layers.map((l) => ({
      layer: l.layer, outputs: toF32(l.outputs, `${l.layer} output`), last_output: toF32(l.last_output, `${l.layer} output`),
      states: l.states.map((st) => ({ h: toF32(st.h, `${l.layer} state h`), c: toF32(st.c, `${l.layer} state c`) })),
    })),
  };
  const shape = [];
  for (let v = expected.predict; Array.isArray(v); v = v[0]) shape.push(v.length);
  const crossChecked = crossCheck(expected, chosen, run, rules, where);
  console.log(`  ${sample.name}: predict ${shape.map((d) => `[${d}]`).join('')}`
    + (crossChecked === null ? '' : `, max |tfjs - float64 reference| = ${crossChecked.predict.toExponential(2)}`
      + `; furthest from float64 relative to the tolerance: ${crossChecked.worst.at}, max abs error `
      + `${crossChecked.worst.error.toExponential(2)} = ${crossChecked.worst.ratio.toFixed(2)} x (atol + rtol |value|)`));
  return {
    crossChecked: crossChecked?.predict ?? null,
    written: {
      name: sample.name,
      tokens: sample.tokens,
      inputs: sample.inputs,
      initial_state: sample.initial_state,
      expected: { predict: expected.predict },
    },
  };
}

/**
 * The sample again through the oracle's float64 implementation of the Keras rules (reference64), an independent check
 * of how tfjs was used (gate order, masking, merge modes, hard_sigmoid's form). predict, what the sidecar records, must
 * agree within lstm-serve's tolerance (rtol 1e-5, atol 1e-6); the recurrent layers' own outputs and states are reported,
 * since over long windows float32 drifts from float64 by more than that in values that never reach predict's tolerance
 * (poreplex' 2000 steps).
 *
 * @returns {predict: max abs error, worst: {at, error, ratio}} over every tensor, or null when reference64 lacks a layer or activation
 */
function crossCheck(expected, chosen, run, rules, where) {
  let reference;
  try {
    reference = reference64(chosen.reference, chosen.weightsByLayer, run, rules.form, { bidirectionalZeroes: rules.modern });
  } catch (e) {
    if (!/^reference64: no /.test(e.message)) throw e;
    console.log(`  ${run.name}: no float64 cross-check (${e.message})`);
    return null;
  }
  const ratio = toleranceRatio(expected.predict, reference.predict);
  const predict = maxAbsError(expected.predict, reference.predict);
  if (ratio > 1) {
    refuse(`${where}: predict from tfjs and from the float64 reference disagree beyond rtol 1e-5 / atol 1e-6 (max abs `
      + `error ${predict.toExponential(2)}); the recorded numbers would not be trustworthy, and the sidecar was not written`);
  }
  let worst = { ratio, error: predict, at: 'predict' };
  expected.layers.forEach((l, i) => {
    const r = reference.layers[i];
    const pairs = [['outputs', l.outputs, r.outputs], ['last_output', l.last_output, r.last_output]];
    l.states.forEach((st, k) => pairs.push([`states[${k}].h`, st.h, r.states[k].h], [`states[${k}].c`, st.c, r.states[k].c]));
    for (const [what, a, b] of pairs) {
      const e = { ratio: toleranceRatio(a, b), error: maxAbsError(a, b), at: `${l.layer}.${what}` };
      if (e.ratio > worst.ratio) worst = e;
    }
  });
  return { predict, worst };
}

function parseArgs(argv) {
  const positional = [];
  const options = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--out' || a === '--description') {
      if (i + 1 >= argv.length) refuse(`${a} needs a value\n${USAGE}`);
      options[a.slice(2)] = argv[++i];
    } else if (a === '--help' || a === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else if (a.startsWith('--')) {
      refuse(`unknown option ${a}\n${USAGE}`);
    } else {
      positional.push(a);
    }
  }
  if (positional.length !== 2) refuse(USAGE);
  return { modelPath: positional[0], inputsPath: positional[1], ...options };
}

function readJson(path, what) {
  let text;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    refuse(`${path}: cannot read the ${what}: ${e.message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    return refuse(`${path}: the ${what} is not valid JSON: ${e.message}`);
  }
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const model = readJson(args.modelPath, 'model');
  if (model?.format !== 'lstm-serve-model') {
    refuse(`${args.modelPath}: format = ${JSON.stringify(model?.format)}; expected "lstm-serve-model". Write one from any model `
      + 'the service reads: java -jar target/lstm-serve.jar --lstm.model.path=<model> --lstm.export=<file>.json');
  }
  if (model.version !== 2) {
    refuse(`${args.modelPath}: version ${JSON.stringify(model.version)}; the recorder reads lstm-serve JSON version 2, which `
      + '--lstm.export writes from any model the service reads (version 1 included)');
  }
  const samples = readSamples(readJson(args.inputsPath, 'inputs'), args.inputsPath);
  const rules = kerasRules(model.keras_version);

  await tf.setBackend('cpu');
  await tf.ready();

  let converted;
  try {
    converted = convertLayers(model, rules);
  } catch (e) {
    if (e instanceof RecordError) refuse(`${args.modelPath}: ${e.message}`);
    throw e;
  }
  const { layers, skipped } = converted;
  const declared = Array.isArray(model.input_shape) ? model.input_shape : [];
  const flatten = layers.some((l) => l.json.class_name === 'Flatten');
  // The window length stays open unless a Flatten fixes it, as lstm-serve (and Keras' LSTM) accept any length.
  const steps = flatten ? (declared[0] ?? refuse(`${args.modelPath}: a Flatten layer needs the window length; input_shape[0] is null`)) : null;
  const startsWithEmbedding = layers[0].json.class_name === 'Embedding';
  const afterEmbedding = startsWithEmbedding ? layers.slice(1) : layers;
  const chains = {
    tokens: startsWithEmbedding ? chain(layers, { tokens: true, steps }) : null,
    inputs: chain(afterEmbedding, {
      tokens: false, steps,
      features: startsWithEmbedding ? layers[0].json.config.output_dim : featureSize(afterEmbedding, declared[1]),
    }),
  };
  for (const s of samples) {
    if (steps !== null && (s.tokens ?? s.inputs)[0].length !== steps) {
      refuse(`sample "${s.name}": windows of ${(s.tokens ?? s.inputs)[0].length} steps; the model's Flatten layer takes ${steps}`);
    }
  }

  console.log(`${basename(args.modelPath)}: "${model.name}", ${layers.map((l) => l.json.class_name).join(' -> ')}, `
    + `${rules.described} rules (hard_sigmoid ${rules.form === 'keras2' ? 'clip(0.2x + 0.5)' : 'clip(x/6 + 0.5)'}; `
    + `${rules.modern ? 'tf.keras / Keras 3 masking' : 'Keras 1 / multi-backend Keras 2 masking'})`
    + (skipped.length ? `; left out as the identity at inference: ${skipped.join(', ')}` : ''));
  const results = [];
  for (let i = 0; i < samples.length; i++) results.push(await record(samples[i], chains, rules));
  const checked = results.map((r) => r.crossChecked).filter((v) => v !== null);
  const worst = checked.length ? Math.max(...checked) : null;

  const out = args.out ?? `${args.modelPath}.parity.json`;
  const sidecar = {
    generated_by: `tools/keras-oracle/record-parity.mjs with @tensorflow/tfjs ${tf.version.tfjs} (CPU backend): `
      + `expected.predict is Keras' model.predict under ${rules.described} rules, computed by tfjs from `
      + `${basename(args.modelPath)}, not by Keras itself`,
    description: `${args.description ? `${args.description} ` : ''}Model "${model.name}" (${layers.map((l) => l.json.class_name).join(' -> ')}`
      + `${model.source_format ? `, exported from ${model.source_format}` : ''}); inputs from ${basename(args.inputsPath)}. `
      + (worst === null ? 'No float64 cross-check.' : `Every sample re-computed by the oracle's float64 implementation of the Keras rules: max |tfjs - float64| = ${worst.toExponential(2)}.`),
    samples: results.map((r) => r.written),
  };
  writeFileSync(out, formatJson(sidecar) + '\n');
  console.log(`wrote ${out} (${results.length} sample${results.length === 1 ? '' : 's'}`
    + `${worst === null ? '' : `; max |tfjs - float64 reference| = ${worst.toExponential(2)}`})`);
  console.log('lstm-serve runs <model file>.parity.json at start-up and at /parity: put it beside the Keras file this '
    + 'JSON was exported from, named after it (m.keras -> m.keras.parity.json), or beside the exported JSON itself');
}

try {
  await main();
} catch (e) {
  if (!(e instanceof RecordError)) throw e;
  console.error(`record-parity: ${e.message}`);
  process.exitCode = 1;
}
