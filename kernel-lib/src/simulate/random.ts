/**
 * Seeded random numbers for simulations and fixtures (deterministic across platforms): mulberry32
 * uniforms, Box-Muller normals, Poisson counts (Knuth below 30, rounded normal above).
 */
export interface Random {
  uniform(): number;
  normal(): number;
  poisson(mean: number): number;
}

export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  let spare: number | undefined;
  const uniform = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = (): number => {
    if (spare !== undefined) { const s = spare; spare = undefined; return s; }
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
    do { k++; p *= uniform(); } while (p > L);
    return k - 1;
  };
  return { uniform, normal, poisson };
}
