import { ApolloClient, HttpLink, InMemoryCache } from '@apollo/client';
import { CombinedGraphQLErrors } from '@apollo/client/errors';

export interface ClientOptions {
  /** The service (or the router in front of it), e.g. `http://127.0.0.1:4000`. */
  url: string;
  /** The session token, read on every request so a later sign-in takes effect. */
  token?: () => string | undefined;
}

/** An Apollo Client for profile-gateway: the token goes in `Authorization: Bearer …`. */
export function createClient({ url, token }: ClientOptions): ApolloClient {
  return new ApolloClient({
    link: new HttpLink({
      uri: `${url.replace(/\/$/, '')}/graphql`,
      fetch: (input, init) => {
        const headers = new Headers(init?.headers);
        const current = token?.();
        if (current) headers.set('authorization', `Bearer ${current}`);
        return fetch(input, { ...init, headers });
      },
    }),
    cache: new InMemoryCache(),
  });
}

/**
 * The fields a mutation refused, as the service reports them: one BAD_USER_INPUT error per field,
 * each with `extensions.field` (the same fields and messages REST lists in a 422). Empty when the
 * error is something else.
 */
export function fieldErrors(error: unknown): Record<string, string> {
  if (!CombinedGraphQLErrors.is(error)) return {};
  const fields: Record<string, string> = {};
  for (const e of error.errors) {
    const field = e.extensions?.field;
    if (e.extensions?.code === 'BAD_USER_INPUT' && typeof field === 'string') fields[field] = e.message.replace(`${field}: `, '');
  }
  return fields;
}
