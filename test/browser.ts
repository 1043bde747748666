/**
 * Headless Chromium (Debian's, driven by playwright-core) for the tests of pages a person opens:
 * the Sandbox landing page, and the pages links in messages open. On a developer's machine without
 * it these tests skip with a warning; in CI (.ci/run installs it) a missing browser fails them.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe } from 'vitest';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
const inCI = /^(1|true)$/i.test(process.env.CI ?? '');

/**
 * A describe block whose tests get a launched browser (read `browser.current`), or that skips
 * when there is none outside CI. Nothing but 127.0.0.1 resolves in it.
 */
export function describeInChromium(name: string, body: (browser: { readonly current: Browser }) => void): void {
  if (!haveChromium && !inCI) console.warn(`[${name}] ${CHROMIUM} not found: skipping the browser tests. Install it: apt-get install -y chromium`);
  describe.skipIf(!haveChromium && !inCI)(name, () => {
    const holder: { current: Browser } = { current: undefined as unknown as Browser };
    beforeAll(async () => {
      if (!haveChromium) throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium package before the tests`);
      holder.current = await chromium.launch({
        executablePath: CHROMIUM,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--no-first-run',
          '--disable-quic',
          // Belt and braces beside the tests' request interception: no host name resolves but ours.
          '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
        ],
      });
    });
    afterAll(async () => {
      await holder.current?.close();
    });
    body(holder);
  });
}
