import createFetchClient from 'openapi-fetch';
import type { paths } from './rest/api.js';

/**
 * A typed client of the REST shim, from the service's /openapi.json (`npm run openapi` writes
 * src/rest/api.d.ts with openapi-typescript). Paths, bodies and answers are checked by tsc.
 */
export function createRestClient({ url, token }: { url: string; token?: () => string | undefined }) {
  const client = createFetchClient<paths>({ baseUrl: url.replace(/\/$/, '') });
  client.use({
    onRequest({ request }) {
      const current = token?.();
      if (current) request.headers.set('authorization', `Bearer ${current}`);
      return request;
    },
  });
  return client;
}
