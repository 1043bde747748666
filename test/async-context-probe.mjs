// Loaded with --import into a process under test: reports on stderr, once, the first use of
// anything that turns on Node's async-context promise hooks (AsyncLocalStorage, async_hooks with
// an init or promise hook), with where it came from. Every promise pays for them afterwards.
import asyncHooks from 'node:async_hooks';
import process from 'node:process';

const MARK = 'ASYNC-CONTEXT-ON';
let reported = false;
const report = (what) => {
  if (reported) return;
  reported = true;
  process.stderr.write(`${MARK} ${what}\n${new Error().stack.split('\n').slice(3, 12).join('\n')}\n`);
};
for (const method of ['run', 'enterWith', '_enable']) {
  const original = asyncHooks.AsyncLocalStorage.prototype[method];
  if (typeof original !== 'function') continue;
  asyncHooks.AsyncLocalStorage.prototype[method] = function (...args) {
    report(`AsyncLocalStorage.${method}`);
    return original.apply(this, args);
  };
}
const createHook = asyncHooks.createHook;
asyncHooks.createHook = (callbacks) => {
  const hook = createHook(callbacks);
  const enable = hook.enable.bind(hook);
  hook.enable = () => {
    if (callbacks.init || callbacks.promiseResolve) report('async_hooks.createHook(...).enable()');
    return enable();
  };
  return hook;
};
