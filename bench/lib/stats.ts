// Summaries of per-round-trip samples, and of rounds. Percentiles use the nearest rank on the
// sorted samples; across rounds we report the median of each statistic (docs/benchmarking.md), because single rounds on a shared 2-vCPU machine can be off by 2×.

/** Latency statistics of one round, in microseconds. */
export interface Stats {
  iterations: number;
  medianUs: number;
  p99Us: number;
  p999Us: number;
  meanUs: number;
  minUs: number;
  maxUs: number;
}

function percentile(sorted: Float64Array, p: number): number {
  const i = Math.round(p * (sorted.length - 1));
  return sorted[Math.min(sorted.length - 1, Math.max(0, i))]!;
}

/** Statistics of samples in microseconds (the array is sorted in place). */
export function summarize(samples: Float64Array): Stats {
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i]!;
  samples.sort();
  return {
    iterations: samples.length,
    medianUs: percentile(samples, 0.5),
    p99Us: percentile(samples, 0.99),
    p999Us: percentile(samples, 0.999),
    meanUs: sum / samples.length,
    minUs: samples[0]!,
    maxUs: samples[samples.length - 1]!,
  };
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return NaN;
  return n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}

/** Per-statistic medians across rounds, plus the [min, max] of the round medians. */
export function acrossRounds(rounds: readonly Stats[]): Stats & { roundMediansUs: number[] } {
  const pick = (k: keyof Stats): number => median(rounds.map((r) => r[k]));
  return {
    iterations: pick('iterations'),
    medianUs: pick('medianUs'),
    p99Us: pick('p99Us'),
    p999Us: pick('p999Us'),
    meanUs: pick('meanUs'),
    minUs: pick('minUs'),
    maxUs: pick('maxUs'),
    roundMediansUs: rounds.map((r) => r.medianUs),
  };
}
