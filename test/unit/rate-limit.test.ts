/**
 * The budgets of http/rate-limit.ts without HTTP: counting, windows, the bound on memory, and how
 * counts reach a shared store (a fake one here; Redis itself in test/integration/rate-limit.test.ts).
 */
import { setImmediate as tick } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { BATCH_SHARE, Budget, WINDOWS_PER_BUDGET, type SharedCounts } from '../../src/http/rate-limit.js';

describe('a budget in memory', () => {
  it('counts per key within a window from the key’s first request, and starts over after it', () => {
    const budget = new Budget('req', 3, 60_000);
    const t0 = 1_000_000;
    expect([1, 2, 3, 4].map((i) => budget.take('a', t0 + i).count)).toEqual([1, 2, 3, 4]);
    expect(budget.take('b', t0 + 10).count).toBe(1);
    expect(budget.take('a', t0 + 59_999).count).toBe(5);
    const next = budget.take('a', t0 + 60_001);
    expect(next.count).toBe(1);
    expect(next.resetAt).toBe(t0 + 60_001 + 60_000);
  });

  it('peek does not count', () => {
    const budget = new Budget('req', 3, 60_000);
    expect(budget.peek('a', 0).count).toBe(0);
    budget.take('a', 0);
    expect(budget.peek('a', 1).count).toBe(1);
    expect(budget.peek('a', 2).count).toBe(1);
  });

  it(`keeps at most ${WINDOWS_PER_BUDGET.toLocaleString('en')} keys, dropping the oldest`, () => {
    const budget = new Budget('req', 3, 60_000);
    budget.take('first', 0);
    budget.take('first', 0);
    for (let i = 1; i < WINDOWS_PER_BUDGET; i++) budget.take(`k${i}`, 0);
    expect(budget.peek('first', 0).count).toBe(2);
    budget.take('one too many', 0);
    expect(budget.peek('first', 0).count).toBe(0);
    expect(budget.peek('k1', 0).count).toBe(1);
  });
});

/** A shared store that records what is sent and answers with totals of its own. */
function fakeStore() {
  const totals = new Map<string, number>();
  const calls: [string[], number[]][] = [];
  const store: SharedCounts & { available: boolean } = {
    available: true,
    async add(keys, counts) {
      calls.push([keys, counts]);
      return keys.map((key, i) => {
        const total = (totals.get(key) ?? 0) + counts[i]!;
        totals.set(key, total);
        return [total, 30_000] as [number, number];
      });
    },
    keyOf: (budget, key) => `p:${budget}:${key}`,
    async close() {},
  };
  return { store, totals, calls };
}

describe('a budget shared through a store', () => {
  const max = 200;
  const batch = Math.ceil(max * BATCH_SHARE);

  it('decides from its own view without waiting, and reports a key at once when it has taken a batch', async () => {
    const { store, calls } = fakeStore();
    const budget = new Budget('req', max, 60_000, store);
    for (let i = 1; i < batch; i++) budget.take('a', Date.now());
    await tick();
    expect(calls).toEqual([]);
    budget.take('a', Date.now());
    expect(calls).toEqual([]);
    await tick();
    expect(calls).toEqual([[['p:req:a'], [batch]]]);
  });

  it('reports what is left on the timer (report()), all keys in one call, and adopts the cluster’s totals', async () => {
    const { store, calls, totals } = fakeStore();
    totals.set('p:req:a', 50); // another instance's
    const budget = new Budget('req', max, 60_000, store);
    budget.take('a', Date.now());
    budget.take('b', Date.now());
    budget.report();
    expect(calls).toEqual([[['p:req:a', 'p:req:b'], [1, 1]]]);
    // Counted while the report is on its way: kept on top of the total that comes back.
    const window = budget.take('a', Date.now());
    await tick();
    expect(window.count).toBe(51 + 1);
    expect(window.resetAt).toBeGreaterThan(Date.now() + 29_000);
    expect(window.resetAt).toBeLessThanOrEqual(Date.now() + 30_000);
    budget.report();
    expect(calls.at(-1)).toEqual([['p:req:a'], [1]]);
  });

  it('one report at a time: counts taken meanwhile go in the next one', async () => {
    const { store, calls } = fakeStore();
    const budget = new Budget('req', max, 60_000, store);
    budget.take('a', Date.now());
    budget.report();
    budget.take('b', Date.now());
    budget.report();
    expect(calls).toHaveLength(1);
    await tick();
    await tick();
    expect(calls).toEqual([
      [['p:req:a'], [1]],
      [['p:req:b'], [1]],
    ]);
  });

  it('does not count while the store is down, and does not report a window that is over', async () => {
    const { store, calls } = fakeStore();
    const budget = new Budget('req', max, 1_000, store);
    store.available = false;
    expect(budget.counting).toBe(false);
    store.available = true;
    budget.take('a', Date.now() - 5_000);
    budget.report();
    expect(calls).toEqual([]);
  });

  it('a count that must be exact asks the store each time; none (not limited) when the store cannot answer', async () => {
    const { store, calls } = fakeStore();
    const budget = new Budget('auth:email', 3, 60_000, store);
    expect(await budget.takeExact('x', Date.now())).toMatchObject({ max: 3, count: 1 });
    expect(await budget.takeExact('x', Date.now())).toMatchObject({ max: 3, count: 2 });
    expect(calls).toHaveLength(2);
    store.add = () => Promise.reject(new Error('down'));
    expect(await budget.takeExact('x', Date.now())).toBeNull();
    store.available = false;
    expect(await budget.takeExact('x', Date.now())).toBeNull();
  });
});
