/** Retry delays after failed syncs: exponential, capped, with jitter so that tablets do not retry in step. */

export interface BackoffOptions {
  baseMs: number;
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 2_000, capMs: 60_000 };

/**
 * The wait before retry number `failures` (1 after the first failure): d = min(cap, base·2^(failures−1)),
 * then a random point in [d/2, d] ("equal jitter": never hammering, never waiting past the cap).
 */
export function backoffDelay(failures: number, options: BackoffOptions = DEFAULT_BACKOFF, random = Math.random): number {
  if (failures <= 0) return 0;
  const exp = Math.min(options.capMs, options.baseMs * 2 ** Math.min(failures - 1, 30));
  return Math.round(exp / 2 + random() * (exp / 2));
}
