// The only source of randomness raft uses (election jitter) is injected. seededRng gives
// a reproducible one (mulberry32) for simulations and tests; a server seeds it at random.

/** Returns an integer in [0, n). */
export type Rng = (n: number) => number;

export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  return (n: number) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const u = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    return Math.floor(u * n);
  };
}
