/**
 * The Sandbox landing page outside production: Apollo's (an embedded Sandbox loaded from Apollo's
 * CDN), plus a line under Apollo's "cannot be loaded; you might be offline", so a browser that
 * cannot reach the CDN still shows where to go: the README's curl examples and /openapi.json.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';

export const OFFLINE_HINT =
  '<p id="without-sandbox">Without Sandbox, try the API from a terminal: the commands in the README\'s ' +
  '&ldquo;Try it with curl&rdquo; section work as pasted, and <a href="/openapi.json">/openapi.json</a> ' +
  'describes every REST route.</p>';

/** Apollo's fallback block, shown until Sandbox covers it (and for good when Sandbox cannot load). */
const FALLBACK = /(<div class="fallback">[\s\S]*?)(<\/div>)/;
/** The page's styles carry a nonce (its CSP allows no other). */
const STYLE_NONCE = /<style nonce=["']?([0-9a-f]+)/;

export function addOfflineHint(html: string): string {
  const nonce = STYLE_NONCE.exec(html)?.[1];
  if (!FALLBACK.test(html) || !nonce) throw new Error("Apollo's landing page has no fallback block or style nonce: the offline hint cannot be added");
  // Sandbox's empty container lies over the fallback: until Sandbox fills it, let clicks through to the link.
  const style = `<style nonce=${nonce}>#embeddableSandbox:empty { pointer-events: none; }</style>`;
  return html.replace(FALLBACK, `$1  ${OFFLINE_HINT}\n$2${style}`);
}

export function sandboxLandingPage(): ApolloServerPlugin {
  const plugin = ApolloServerPluginLandingPageLocalDefault({ embed: true });
  return {
    ...plugin,
    async serverWillStart(service) {
      const listener = await plugin.serverWillStart!(service);
      return {
        ...listener,
        async renderLandingPage() {
          const page = await listener!.renderLandingPage!();
          return { html: async () => addOfflineHint(typeof page.html === 'string' ? page.html : await page.html()) };
        },
      };
    },
  };
}
