/**
 * A small seeded PRNG (mulberry32): the same seed gives the same stream on every machine, so a comparison of
 * the same two runs always reports the same interval.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** FNV-1a over a string, to derive one independent stream per metric from the comparison's seed. */
export function hashSeed(seed: number, text: string): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

export interface Interval {
  lower: number;
  upper: number;
}

/**
 * Percentile bootstrap of the mean of paired differences: resample the pairs with replacement `resamples`
 * times and take the central `confidence` share of the resampled means. Resampling pairs (not each run on its
 * own) keeps the per-testcase correlation, which is what makes a small but consistent change detectable.
 */
export function pairedBootstrapInterval(
  differences: readonly number[],
  options: { resamples: number; confidence: number; random: () => number },
): Interval | null {
  const n = differences.length;
  if (n === 0) return null;
  const values = Float64Array.from(differences);
  const means = new Float64Array(options.resamples);
  const random = options.random;
  for (let b = 0; b < options.resamples; b++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += values[(random() * n) | 0]!;
    means[b] = sum / n;
  }
  means.sort();
  const alpha = 1 - options.confidence;
  const lowerIndex = Math.max(0, Math.floor((alpha / 2) * options.resamples));
  const upperIndex = Math.min(options.resamples - 1, Math.ceil((1 - alpha / 2) * options.resamples) - 1);
  return { lower: means[lowerIndex]!, upper: means[upperIndex]! };
}
