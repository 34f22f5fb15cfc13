/**
 * Comparison primitives for oracle cases. A `Checker` collects mismatches instead of throwing, so
 * one failing case reports every field that differs. Tolerance semantics follow numpy.allclose:
 * |actual - expected| <= atol + rtol * |expected|; NaN (JSON null in the oracle) equals NaN.
 */
export interface Tolerance {
  rtol?: number;
  atol?: number;
}

/** Nested numeric data as it comes from the oracle JSON (null = NaN). */
export type Nested = number | null | Nested[] | ArrayLike<number>;

function flatten(v: unknown, out: number[] = []): number[] {
  if (v === null || v === undefined) out.push(NaN);
  else if (typeof v === 'number') out.push(v);
  else if (typeof v === 'boolean') out.push(v ? 1 : 0);
  else if (Array.isArray(v)) for (const e of v) flatten(e, out);
  else if (ArrayBuffer.isView(v)) for (const e of Array.from(v as unknown as ArrayLike<number>)) out.push(Number(e));
  else out.push(NaN);
  return out;
}

function shapeOf(v: unknown): number[] {
  const s: number[] = [];
  let cur: unknown = v;
  while (Array.isArray(cur)) {
    s.push(cur.length);
    cur = cur[0];
  }
  return s;
}

export class Checker {
  readonly mismatches: string[] = [];

  fail(message: string): void {
    this.mismatches.push(message);
  }

  /** Exact equality of integer-like data (indices, counts, labels), element by element. */
  exact(field: string, actual: unknown, expected: unknown): void {
    const a = flatten(actual);
    const e = flatten(expected);
    if (a.length !== e.length) {
      this.fail(`${field}: length ${a.length} != expected ${e.length}`);
      return;
    }
    for (let i = 0; i < a.length; i++) {
      if (!(a[i] === e[i] || (Number.isNaN(a[i]) && Number.isNaN(e[i])))) {
        this.fail(`${field}[${i}]: ${a[i]} != expected ${e[i]}`);
        return;
      }
    }
  }

  /** Float comparison with numpy.allclose semantics; reports the worst element. */
  close(field: string, actual: unknown, expected: unknown, tol: Tolerance): void {
    const a = flatten(actual);
    const e = flatten(expected);
    if (a.length !== e.length) {
      this.fail(`${field}: length ${a.length} != expected ${e.length}`);
      return;
    }
    const rtol = tol.rtol ?? 0;
    const atol = tol.atol ?? 0;
    let worst = -1;
    let worstExcess = 0;
    for (let i = 0; i < a.length; i++) {
      const ai = a[i];
      const ei = e[i];
      if (Number.isNaN(ei) || Number.isNaN(ai)) {
        if (Number.isNaN(ei) !== Number.isNaN(ai)) {
          this.fail(`${field}[${i}]: ${ai} != expected ${ei}`);
          return;
        }
        continue;
      }
      if (ai === ei) continue;
      const excess = Math.abs(ai - ei) - (atol + rtol * Math.abs(ei));
      if (excess > 0 && (worst < 0 || excess > worstExcess)) {
        worst = i;
        worstExcess = excess;
      }
    }
    if (worst >= 0) {
      this.fail(
        `${field}[${worst}]: ${a[worst]} vs expected ${e[worst]} (|diff| ${Math.abs(a[worst] - e[worst]).toExponential(3)}, rtol ${rtol}, atol ${atol})`,
      );
    }
  }

  /** Shape check for nested arrays (e.g. g2 [rows][roi]). */
  shape(field: string, actualShape: number[], expected: unknown): void {
    const es = shapeOf(expected);
    const n = Math.min(es.length, actualShape.length);
    for (let i = 0; i < n; i++) {
      if (es[i] !== actualShape[i]) {
        this.fail(`${field}: shape [${actualShape}] != expected [${es}]`);
        return;
      }
    }
  }

  equal(field: string, actual: unknown, expected: unknown): void {
    if (actual !== expected) this.fail(`${field}: ${JSON.stringify(actual)} != expected ${JSON.stringify(expected)}`);
  }
}

export { flatten };
