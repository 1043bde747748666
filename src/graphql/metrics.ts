/**
 * What GraphQL adds to the metrics (http/metrics.ts): each operation by name and type, and the
 * code of every error in its response, as the client sees them. errorHooks (errors.ts) calls this from its
 * willSendResponse, after the errors are formatted and split per field.
 */
import type { GraphQLRequestContextWillSendResponse } from '@apollo/server';
import type { Metrics } from '../http/metrics.js';
import type { Context } from './context.js';

export function countOperation(metrics: Metrics, { operation, response }: GraphQLRequestContextWillSendResponse<Context>): void {
  metrics.operation(operation ? (operation.name?.value ?? undefined) : null, operation?.operation);
  if (response.body.kind !== 'single' || !response.body.singleResult.errors) return;
  for (const error of response.body.singleResult.errors) {
    const code = error.extensions?.code;
    metrics.error(typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR');
  }
}
