/**
 * The loop the workers share: a sweep at start, then one every intervalMs (on a timer that keeps
 * no process alive), one sweep at a time, until stopped.
 */

export interface PeriodicOptions {
  /**
   * What wake() does while a sweep is running: false (the default) joins that sweep; true also
   * runs one more sweep once it is done (something may have arrived that it did not see).
   */
  rerun?: boolean;
  /** Called once, by the first stop(), after the sweep running then is done. */
  onStop?: () => void;
}

export interface Periodic<T> {
  /**
   * Sweeps now, unless a sweep is running (see PeriodicOptions.rerun) or the loop is stopped;
   * resolves with the last sweep's result once no sweep is running, undefined if none ran.
   */
  wake(): Promise<T | undefined>;
  /** No sweep starts any more; resolves once the running one is done (at once when called again). */
  stop(): Promise<void>;
}

/** sweep must not reject: its failures are its own to log. */
export function startPeriodic<T>(sweep: () => Promise<T>, intervalMs: number, options: PeriodicOptions = {}): Periodic<T> {
  let running: Promise<T> | undefined;
  let again = false;
  let stopped = false;
  const wake = (): Promise<T | undefined> => {
    if (stopped) return running ?? Promise.resolve(undefined);
    if (running) {
      if (options.rerun) again = true;
      return running;
    }
    running = (async () => {
      let result: T;
      do {
        again = false;
        result = await sweep();
      } while (again && !stopped);
      return result;
    })().finally(() => {
      running = undefined;
    });
    return running;
  };
  const timer = setInterval(() => void wake(), intervalMs);
  timer.unref();
  void wake();
  return {
    wake,
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      await running;
      options.onStop?.();
    },
  };
}
