// Shared by the oracle's scripts (generate.mjs, keras-models.mjs, record-parity.mjs): seeded numbers, float32
// output formatting, tolerance comparisons, the JSON layout of every written file, and the Keras 3 hard_sigmoid
// identity. No tfjs import: callers pass tensors' arrays.

/** mulberry32: a tiny 32-bit seeded PRNG returning uniforms in [0, 1). */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Round to 6 decimals (correctly rounded decimal via toFixed), no negative zero. */
export const r6 = (x) => +x.toFixed(6) || 0;

/** Nested array of the given shape, uniform in [lo, hi), rounded to 6 decimals. */
export function uniform(rng, shape, lo, hi) {
  if (shape.length === 0) return r6(lo + (hi - lo) * rng());
  return Array.from({ length: shape[0] }, () => uniform(rng, shape.slice(1), lo, hi));
}

const f32view = new DataView(new ArrayBuffer(4));
/** Distance from float32 x to its nearer float32 neighbour. */
function f32Gap(x) {
  f32view.setFloat32(0, Math.abs(x));
  const bits = f32view.getUint32(0);
  f32view.setUint32(0, bits + 1);
  const up = f32view.getFloat32(0) - Math.abs(x);
  if (bits === 0) return up;
  f32view.setUint32(0, bits - 1);
  return Math.min(up, Math.abs(x) - f32view.getFloat32(0));
}

/**
 * The shortest decimal that reads back as float32 x, both via double (JS, Jackson) and directly
 * (Float.parseFloat): we require it to lie well inside x's rounding interval. 9 digits always do.
 */
export function f32(x) {
  if (!Number.isFinite(x)) throw new Error(`non-finite output ${x}`);
  if (x === 0) return 0;
  const gap = f32Gap(x);
  for (let p = 1; p <= 9; p++) {
    const d = parseFloat(x.toPrecision(p));
    if (Math.abs(d - x) < 0.499 * gap) return d;
  }
  throw new Error(`cannot format ${x}`);
}

export const mapNested = (v, fn) => (Array.isArray(v) ? v.map((e) => mapNested(e, fn)) : fn(v));
export const toF32 = (t) => mapNested(t.arraySync(), f32);
export const shapeOf = (v) => (Array.isArray(v) ? [v.length, ...shapeOf(v[0])] : []);

/** JSON with nested objects/arrays indented and arrays of numbers kept on one line. */
export function formatJson(v, indent = '') {
  const inner = indent + '  ';
  if (Array.isArray(v)) {
    if (v.every((e) => e === null || typeof e !== 'object')) return `[${v.map((e) => JSON.stringify(e)).join(', ')}]`;
    return `[\n${v.map((e) => inner + formatJson(e, inner)).join(',\n')}\n${indent}]`;
  }
  if (v !== null && typeof v === 'object') {
    const keys = Object.keys(v).filter((k) => v[k] !== undefined);
    return `{\n${keys.map((k) => `${inner}${JSON.stringify(k)}: ${formatJson(v[k], inner)}`).join(',\n')}\n${indent}}`;
  }
  if (typeof v === 'number' && !Number.isFinite(v)) throw new Error(`non-finite number ${v}`);
  return JSON.stringify(v);
}

/**
 * Keras 3 hard_sigmoid is clip(z/6 + 0.5, 0, 1); tfjs' hardSigmoid is Keras 2's clip(0.2z + 0.5, 0, 1).
 * Scaling the i, f, o gate columns (blocks 0, 1, 3 of 4H, order i f c o) of kernel, recurrent_kernel
 * and bias by 5/6 makes every gate pre-activation 5/6 z, and 0.2 * 5/6 z = z/6. The c block (and so
 * the cell activation) is untouched. The fixture records the original weights.
 */
export function scaleGateColumnsForKeras3(matrixOrVector, units) {
  const scaleRow = (row) => row.map((v, j) => (Math.floor(j / units) === 2 ? v : v * (5 / 6)));
  return Array.isArray(matrixOrVector[0]) ? matrixOrVector.map(scaleRow) : scaleRow(matrixOrVector);
}

/** Largest |a - b| / (1e-6 + 1e-5 |b|) over matching nested arrays (> 1 means outside tolerance). */
export function toleranceRatio(a, b) {
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) throw new Error(`shape mismatch ${shapeOf(a)} vs ${shapeOf(b)}`);
    return Math.max(0, ...a.map((v, i) => toleranceRatio(v, b[i])));
  }
  return Math.abs(a - b) / (1e-6 + 1e-5 * Math.abs(b));
}
export function maxAbsError(a, b) {
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) throw new Error(`shape mismatch ${shapeOf(a)} vs ${shapeOf(b)}`);
    return Math.max(0, ...a.map((v, i) => maxAbsError(v, b[i])));
  }
  return Math.abs(a - b);
}

