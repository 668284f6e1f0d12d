/**
 * DynamoDB Local's own rates, measured the same way wherever a benchmark needs them: four requests at a
 * time, the best of CEILING_ROUNDS rounds of CEILING_S seconds (one round can meet the JVM compiling or
 * the machine busy).
 */
export const CEILING_S = 3;
export const CEILING_ROUNDS = 3;
export const WARM_UP_S = 2;
/** the larger transaction, to tell a transaction's cost per item from its cost per request */
export const TX_ITEMS = 10;

/** DynamoDB Local's own rate for one kind of request, four at a time for `seconds`. */
export async function rate(send: (n: number) => Promise<unknown>, seconds: number, first = 0): Promise<number> {
  let done = 0;
  const until = Date.now() + seconds * 1000;
  const started = Date.now();
  await Promise.all(Array.from({ length: 4 }, async () => {
    while (Date.now() < until) await send(first + done++);
  }));
  return done / ((Date.now() - started) / 1000);
}

/** The best rate of CEILING_ROUNDS rounds of CEILING_S seconds (each on keys of its own). */
export async function ceilingRate(send: (n: number) => Promise<unknown>): Promise<number> {
  let best = 0;
  for (let round = 0; round < CEILING_ROUNDS; round++) best = Math.max(best, await rate(send, CEILING_S, round * 1_000_000));
  return best;
}

/**
 * DynamoDB Local serves one request at a time, so a transaction's rate is the inverse of what it holds the
 * table for: a part per request and a part per item, told apart by the rates of two sizes.
 */
export function transactionCost(twoItemsPerS: number, largePerS: number) {
  const perItemMs = (1000 / largePerS - 1000 / twoItemsPerS) / (TX_ITEMS - 2);
  return { perItemMs, perRequestMs: 1000 / twoItemsPerS - 2 * perItemMs };
}
