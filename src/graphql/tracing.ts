import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import { ApolloServerPluginInlineTrace } from '@apollo/server/plugin/inlineTrace';
import { GraphQLError } from 'graphql';
import type { Context } from './context.js';
import { formatError } from './errors.js';

/** What a gateway or router sends when it wants this subgraph's trace of a request. */
export const TRACE_HEADER = 'apollo-federation-include-trace';

/**
 * Our one Apollo plugin with per-request hooks: `hooks` (errors.ts, errorHooks) for every request,
 * and federated tracing for a request with `apollo-federation-include-trace: ftv1`, which gets
 * its trace in `extensions.ftv1` (Apollo's inline trace plugin). Other requests pay for no trace,
 * as the plugin itself would build its trace tree before looking at the header; and one plugin
 * instead of two is one listener fewer for Apollo to call at every stage of every request.
 *
 * The errors in a trace are the ones the client got, through formatError: a domain error keeps its
 * message and code, anything else is `Internal server error.`. The plugin's own `includeErrors`
 * cannot do that: `masked` (its default) makes every message `<masked>`, FORBIDDEN and
 * BAD_USER_INPUT included; `transform` is handed a copy of the error without its originalError, so
 * it cannot tell a domain error from a crash; `unmodified` sends the raw message (SQL, hosts) to
 * the router and on to Apollo's reporting. So the errors are formatted before the plugin sees
 * them, and it keeps them as they are.
 */
export function requestPlugin(hooks: GraphQLRequestListener<Context>): ApolloServerPlugin<Context> {
  const inline = ApolloServerPluginInlineTrace({ includeErrors: { unmodified: true } });
  const traced = inline.requestDidStart!.bind(inline);
  const untraced = Promise.resolve(hooks);
  return {
    // Keeps the plugin's internal id, so Apollo does not install its own copy beside this one.
    ...inline,
    requestDidStart(requestContext) {
      if (requestContext.request.http?.headers.get(TRACE_HEADER) !== 'ftv1') return untraced;
      return traced(requestContext).then((listener) => (listener ? both(listener, hooks) : hooks));
    },
  };
}

/** The trace's listener and ours, in that order; the trace sees the errors as the client does. */
function both(trace: GraphQLRequestListener<Context>, hooks: GraphQLRequestListener<Context>): GraphQLRequestListener<Context> {
  return {
    ...trace,
    async didEncounterErrors(errorContext) {
      await trace.didEncounterErrors?.({ ...errorContext, errors: errorContext.errors.map(asTheClientSawIt) });
      await hooks.didEncounterErrors?.(errorContext);
    },
    async willSendResponse(responseContext) {
      await trace.willSendResponse?.(responseContext);
      await hooks.willSendResponse?.(responseContext);
    },
  };
}

function asTheClientSawIt(error: GraphQLError): GraphQLError {
  const shown = formatError(error.toJSON(), error);
  return new GraphQLError(shown.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    extensions: { code: shown.extensions?.code },
  });
}
