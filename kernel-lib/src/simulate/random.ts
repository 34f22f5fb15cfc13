/**
 * Seeded random numbers for simulations and fixtures (deterministic across platforms):
 * xoshiro128** uniforms (Blackman & Vigna; passes BigCrush) seeded through splitmix32, Box-Muller
 * normals, Poisson counts (Knuth below 30, rounded normal above). An earlier mulberry32 generator
 * left measurable excess scatter in fitted XPCS decay times across seeds (see notebooks/README.md).
 */
export interface Random {
  uniform(): number;
  normal(): number;
  poisson(mean: number): number;
}

export function seededRandom(seed: number): Random {
  let sm = seed >>> 0;
  const splitmix32 = (): number => {
    sm = (sm + 0x9e3779b9) >>> 0;
    let z = sm;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  const st = Uint32Array.of(splitmix32(), splitmix32(), splitmix32(), splitmix32());
  let spare: number | undefined;
  // Two xoshiro128** steps make a 53-bit uniform in [0, 1).
  const next = (): number => xoshiro128ssStep(st);
  const uniform = (): number => ((next() >>> 5) * 67108864 + (next() >>> 6)) / 9007199254740992;
  const normal = (): number => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    let u = 0;
    while (u === 0) u = uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    const th = 2 * Math.PI * uniform();
    spare = r * Math.sin(th);
    return r * Math.cos(th);
  };
  const poisson = (mean: number): number => {
    if (mean <= 0) return 0;
    if (mean > 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * normal()));
    const L = Math.exp(-mean);
    let k = 0;
    let p = 1;
    do {
      k++;
      p *= uniform();
    } while (p > L);
    return k - 1;
  };
  return { uniform, normal, poisson };
}

const rotl = (x: number, k: number): number => (x << k) | (x >>> (32 - k));

/** One xoshiro128** step on a 4-word state (updated in place): 32 random bits. */
function xoshiro128ssStep(st: Uint32Array): number {
  const result = Math.imul(rotl(Math.imul(st[1], 5), 7), 9) >>> 0;
  const t = st[1] << 9;
  st[2] ^= st[0];
  st[3] ^= st[1];
  st[1] ^= st[2];
  st[0] ^= st[3];
  st[2] ^= t;
  st[3] = rotl(st[3], 11);
  return result;
}

/** The raw xoshiro128** outputs from an explicit state (for checking against the reference). */
export function xoshiro128ssReference(state: [number, number, number, number], count: number): number[] {
  const st = Uint32Array.from(state);
  return Array.from({ length: count }, () => xoshiro128ssStep(st));
}
