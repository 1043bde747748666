/**
 * What GraphQL adds to the metrics (http/metrics.ts): each operation by name and type, and the
 * code of every error in its response, as the client sees them (after formatError).
 */
import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import type { Metrics } from '../http/metrics.js';
import type { Context } from './context.js';

export function metricsPlugin(metrics: Metrics): ApolloServerPlugin<Context> {
  const hooks: GraphQLRequestListener<Context> = {
    async willSendResponse({ operation, response }) {
      metrics.operation(operation ? (operation.name?.value ?? undefined) : null, operation?.operation);
      if (response.body.kind !== 'single') return;
      for (const error of response.body.singleResult.errors ?? []) {
        const code = error.extensions?.code;
        metrics.error(typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR');
      }
    },
  };
  return {
    async requestDidStart() {
      return hooks;
    },
  };
}
