/** The workers' loop (src/jobs/periodic.ts) with a sweep the test finishes by hand. */
import { setImmediate as tick } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startPeriodic, type PeriodicOptions } from '../../src/jobs/periodic.js';

/** A sweep that runs until release() is called; counts how many started and the most at once. */
function heldSweeps() {
  const held = { started: 0, active: 0, most: 0, releases: [] as (() => void)[] };
  const sweep = async () => {
    const n = ++held.started;
    held.active += 1;
    held.most = Math.max(held.most, held.active);
    await new Promise<void>((resolve) => held.releases.push(resolve));
    held.active -= 1;
    return n;
  };
  const release = async () => {
    held.releases.shift()!();
    await tick();
  };
  return { held, sweep, release };
}

const stops: (() => Promise<void>)[] = [];
const start = (sweep: () => Promise<number>, options?: PeriodicOptions, intervalMs = 1_000) => {
  const periodic = startPeriodic(sweep, intervalMs, options);
  stops.push(periodic.stop);
  return periodic;
};

afterEach(async () => {
  vi.useRealTimers();
  // Left-over sweeps are never released: stopping only marks the loop stopped.
  for (const stop of stops.splice(0)) void stop();
});

describe('startPeriodic', () => {
  it('sweeps at start and on every interval, never two sweeps at once', async () => {
    vi.useFakeTimers();
    const { held, sweep } = heldSweeps();
    const release = () => held.releases.shift()!();
    const periodic = start(sweep, {}, 100);
    expect(held.started).toBe(1);
    await vi.advanceTimersByTimeAsync(350); // three ticks during the first sweep: joined
    expect(held.started).toBe(1);
    release();
    await vi.advanceTimersByTimeAsync(100);
    expect(held.started).toBe(2);
    release();
    await periodic.stop();
    expect(held.most).toBe(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(held.started).toBe(2);
  });

  it('by default joins the running sweep when woken during it', async () => {
    const { held, sweep, release } = heldSweeps();
    const periodic = start(sweep);
    const woken = periodic.wake();
    await release();
    expect(await woken).toBe(1);
    expect(held.started).toBe(1);
  });

  it('with rerun, runs one more sweep after the running one when woken during it (once however often woken)', async () => {
    const { held, sweep, release } = heldSweeps();
    const periodic = start(sweep, { rerun: true });
    const woken = [periodic.wake(), periodic.wake(), periodic.wake()];
    await release();
    expect(held.started).toBe(2);
    expect(held.active).toBe(1);
    await release();
    expect(await Promise.all(woken)).toEqual([2, 2, 2]);
    expect(held.started).toBe(2);
    expect(held.most).toBe(1);
  });

  it('stop waits for the running sweep, starts no other (not even a rerun asked for), then calls onStop once', async () => {
    const { held, sweep, release } = heldSweeps();
    const onStop = vi.fn();
    const periodic = start(sweep, { rerun: true, onStop });
    void periodic.wake();
    let stopped = false;
    const stopping = periodic.stop().then(() => (stopped = true));
    await tick();
    expect(stopped).toBe(false);
    expect(onStop).not.toHaveBeenCalled();
    await release();
    await stopping;
    expect(onStop).toHaveBeenCalledTimes(1);
    expect(held.started).toBe(1);
    expect(await periodic.wake()).toBeUndefined();
    await periodic.stop();
    expect(onStop).toHaveBeenCalledTimes(1);
    expect(held.started).toBe(1);
  });
});
