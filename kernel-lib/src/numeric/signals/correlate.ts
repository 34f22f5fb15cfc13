/**
 * Cross-correlation: numpy.correlate, scipy.signal.correlate (1-D, direct and FFT) and
 * scipy.signal.correlation_lags. Every mode is a window [start, start + count) of the 'full'
 * correlation full[k] = sum_m in1[m + lag] * in2[m], lag = k - (len(in2) - 1); the WASM kernels
 * compute exactly that window.
 */
import { StagebookError } from '../../errors/stagebook-error';
import { requireFinite, requireLength, toFloat64, type NumericArray } from '../validate';
import { signalsCore } from './wasm';

export type CorrelationMode = 'full' | 'same' | 'valid';
export type CorrelationMethod = 'auto' | 'direct' | 'fft';

export interface CorrelateSignalsOptions {
  /** Output window (scipy default 'full'). */
  mode?: CorrelationMode;
  /** 'direct' sums products, 'fft' uses a zero-padded radix-2 FFT, 'auto' picks like scipy. */
  method?: CorrelationMethod;
}

interface Window {
  start: number;
  count: number;
}

function validateMode(where: string, mode: unknown): CorrelationMode {
  if (mode !== 'full' && mode !== 'same' && mode !== 'valid') {
    throw new StagebookError(
      'E_INVALID_ARGUMENT',
      `${where}: mode must be 'full', 'same' or 'valid', got ${JSON.stringify(mode)}`,
      { where, field: 'mode' },
    );
  }
  return mode;
}

function validateMethod(where: string, method: unknown): CorrelationMethod {
  if (method !== 'auto' && method !== 'direct' && method !== 'fft') {
    throw new StagebookError(
      'E_INVALID_ARGUMENT',
      `${where}: method must be 'auto', 'direct' or 'fft', got ${JSON.stringify(method)}`,
      { where, field: 'method' },
    );
  }
  return method;
}

function signalInput(where: string, field: string, x: unknown): Float64Array {
  const out = toFloat64(where, field, x);
  requireLength(where, field, out, 1);
  requireFinite(where, field, out);
  return out;
}

function validLength(where: string, field: string, n: unknown): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
    throw new StagebookError(
      'E_INVALID_ARGUMENT',
      `${where}: ${field} must be a positive integer, got ${JSON.stringify(n)}`,
      { where, field },
    );
  }
  return n;
}

/**
 * numpy.correlate's windows: 'valid' keeps |n1 - n2| + 1 values (numpy swaps the inputs when
 * len(v) > len(a), so the window is the same either way); 'same' keeps max(n1, n2) values
 * starting at (n2 - 1) // 2 when n1 >= n2 and at n1 // 2 otherwise (numpy centres on the
 * shorter input, then undoes the swap by reversing).
 */
function numpyWindow(n1: number, n2: number, mode: CorrelationMode): Window {
  if (mode === 'full') return { start: 0, count: n1 + n2 - 1 };
  if (mode === 'valid') return { start: Math.min(n1, n2) - 1, count: Math.abs(n1 - n2) + 1 };
  return n1 >= n2 ? { start: Math.floor((n2 - 1) / 2), count: n1 } : { start: Math.floor(n1 / 2), count: n2 };
}

/**
 * scipy.signal.correlate's windows: 'same' is the full output centred to len(in1)
 * (`_centered`: start (n2 - 1) // 2), 'valid' as numpy (scipy swaps when in2 is longer).
 */
function scipyWindow(n1: number, n2: number, mode: CorrelationMode): Window {
  if (mode === 'same') return { start: Math.floor((n2 - 1) / 2), count: n1 };
  return numpyWindow(n1, n2, mode);
}

function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

function runKernel(a: Float64Array, v: Float64Array, w: Window, method: 'direct' | 'fft'): Float64Array {
  const { core, k } = signalsCore();
  return core.withArena((arena) => {
    const pa = arena.copyIn(a).ptr;
    const pv = arena.copyIn(v).ptr;
    const out = arena.f64(w.count);
    if (method === 'direct') {
      k.correlateDirect(pa, a.length, pv, v.length, out.ptr, w.start, w.count);
    } else {
      const nfft = nextPowerOfTwo(a.length + v.length - 1);
      const work = arena.f64(2 * nfft);
      const tw = arena.f64(Math.max(2, nfft));
      k.correlateFft(pa, a.length, pv, v.length, out.ptr, w.start, w.count, work.ptr, tw.ptr, nfft);
    }
    return out.copyOut();
  });
}

/**
 * numpy.correlate(a, v, mode): c[k] = sum_n a[n + k] * v[n] over the chosen window (real input,
 * so numpy's conjugation of v is a no-op). Length: 'full' n1 + n2 - 1, 'same' max(n1, n2),
 * 'valid' |n1 - n2| + 1. Computed directly (as numpy does).
 * @param a first input (non-empty, finite)
 * @param v second input (non-empty, finite)
 * @param mode numpy's default is 'valid'
 * @throws StagebookError E_EMPTY_INPUT / E_NON_FINITE / E_INVALID_ARGUMENT
 */
export function correlate(a: NumericArray, v: NumericArray, mode: CorrelationMode = 'valid'): Float64Array {
  const where = 'correlate';
  const m = validateMode(where, mode);
  const x = signalInput(where, 'a', a);
  const y = signalInput(where, 'v', v);
  return runKernel(x, y, numpyWindow(x.length, y.length, m), 'direct');
}

/**
 * scipy.signal.correlation_lags(n1, n2, mode): the lag of each output sample of
 * correlateSignals(in1, in2, {mode}) with len(in1) = n1, len(in2) = n2.
 * @returns Int32Array of lags (integers)
 */
export function correlationLags(n1: number, n2: number, mode: CorrelationMode = 'full'): Int32Array {
  const where = 'correlationLags';
  validLength(where, 'n1', n1);
  validLength(where, 'n2', n2);
  const m = validateMode(where, mode);
  let first: number;
  let count: number;
  if (m === 'full') {
    first = -n2 + 1;
    count = n1 + n2 - 1;
  } else if (m === 'valid') {
    const bound = n1 - n2;
    first = bound >= 0 ? 0 : bound;
    count = Math.abs(bound) + 1;
  } else {
    // scipy: lags = arange(-n2 + 1, n1); mid = size // 2; keep [mid - n1//2, mid + n1//2 (+1 if n1 odd)).
    const mid = Math.floor((n1 + n2 - 1) / 2);
    const bound = Math.floor(n1 / 2);
    first = -n2 + 1 + mid - bound;
    count = n1 % 2 ? 2 * bound + 1 : 2 * bound;
  }
  return Int32Array.from({ length: count }, (_, i) => first + i);
}

/**
 * scipy.signal.choose_conv_method for 1-D float input (scipy 1.10 `_fftconv_faster`): FFT when
 * O_fft * 3 N ln N < O_direct * direct_ops + offset, with N = n1 + n2 - 1 and scipy's measured
 * constants per mode. In practice: direct for short kernels, FFT once both inputs are long.
 */
export function chooseCorrelationMethod(n1: number, n2: number, mode: CorrelationMode): 'direct' | 'fft' {
  const n = n1 + n2 - 1;
  const fftOps = 3 * n * Math.log(n);
  let directOps: number;
  let c: [number, number, number];
  if (mode === 'full') {
    directOps = n1 * n2;
    c = [1.764907e-9, 2.1414831e-10, -1e-3];
  } else if (mode === 'valid') {
    directOps = n2 >= n1 ? (n2 - n1 + 1) * n1 : (n1 - n2 + 1) * n2;
    c = [1.89095737e-9, 2.1364985e-10, -1e-3];
  } else {
    directOps = n1 < n2 ? n1 * n2 : n1 * n2 - Math.floor(n2 / 2) * Math.floor((n2 + 1) / 2);
    c = n2 <= n1 ? [3.2646654e-9, 2.8478277e-10, -1e-3] : [3.21635404e-9, 1.1773253e-8, -1e-5];
  }
  return c[0] * fftOps < c[1] * directOps + c[2] ? 'fft' : 'direct';
}

/**
 * scipy.signal.correlate(in1, in2, mode, method) for 1-D real input. 'same' is centred on in1
 * (length n1, unlike numpy's max(n1, n2)); 'valid' has |n1 - n2| + 1 values. The FFT path
 * zero-pads to a power of two >= n1 + n2 - 1 (radix-2 in WASM) and agrees with the direct sum to
 * ~1e-15 * max|out|. method 'auto' follows chooseCorrelationMethod (scipy's cost model).
 * @throws StagebookError E_EMPTY_INPUT / E_NON_FINITE / E_INVALID_ARGUMENT
 */
export function correlateSignals(
  in1: NumericArray,
  in2: NumericArray,
  options: CorrelateSignalsOptions = {},
): Float64Array {
  const where = 'correlateSignals';
  const mode = validateMode(where, options.mode ?? 'full');
  const requested = validateMethod(where, options.method ?? 'auto');
  const a = signalInput(where, 'in1', in1);
  const v = signalInput(where, 'in2', in2);
  const method = requested === 'auto' ? chooseCorrelationMethod(a.length, v.length, mode) : requested;
  return runKernel(a, v, scipyWindow(a.length, v.length, mode), method);
}
