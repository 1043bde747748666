/**
 * Federated tracing: a request carrying `apollo-federation-include-trace: ftv1`, as a gateway or
 * router sends it, gets its trace in `extensions.ftv1` (base64 protobuf, decoded here with Apollo's
 * own message types); any other request gets no `extensions` at all. A trace carries each error as
 * the client got it: a domain error's message, and only `Internal server error.` for a failure of
 * ours, never its internal message.
 */
import { Trace } from '@apollo/usage-reporting-protobuf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../../src/domain/services.js';
import { gql, signUp, startTestApp, type GraphQLResponse, type SignedUp, type TestApp } from '../helpers.js';

const FTV1 = { 'apollo-federation-include-trace': 'ftv1' };
const SECRET = 'pgw-trace-secret-41c9';
const ENTITIES =
  'query ($r: [_Any!]!) { _entities(representations: $r) { ... on User { id name status } } }';

let t: TestApp;
let ada: SignedUp;
let bob: SignedUp;

/** updateMe fails with an internal error whose message must never leave the process. */
function failingUpdates(services: Services): Services {
  const profiles = Object.create(services.profiles) as Services['profiles'];
  profiles.updateProfile = async () => {
    throw new Error(`connection to ${SECRET} refused`);
  };
  return { ...services, profiles };
}

beforeAll(async () => {
  t = await startTestApp({}, undefined, { services: failingUpdates });
  ada = await signUp(t.url, { name: 'Ada' });
  bob = await signUp(t.url, { name: 'Bob' });
});
afterAll(async () => {
  await t?.close();
});

function traceOf(res: GraphQLResponse) {
  const ftv1 = (res as { extensions?: { ftv1?: string } }).extensions?.ftv1;
  expect(typeof ftv1).toBe('string');
  return Trace.decode(Buffer.from(ftv1!, 'base64'));
}

type TraceNode = InstanceType<typeof Trace.Node>;
/** Every node under a trace's root with its response path, e.g. `_entities.1.status`. */
function nodes(root: TraceNode): [string, TraceNode][] {
  const walk = (node: TraceNode, path: string[]): [string, TraceNode][] => {
    const here = [...path, node.responseName || String(node.index)];
    return [[here.join('.'), node], ...(node.child ?? []).flatMap((child) => walk(child as TraceNode, here))];
  };
  return [['', root], ...(root.child ?? []).flatMap((child) => walk(child as TraceNode, []))];
}

describe('federated tracing (ftv1)', () => {
  it('answers a request carrying the header with its trace: the fields it resolved, with timings', async () => {
    const res = await gql(t.url, '{ me { id name status } }', undefined, ada.token, FTV1);
    expect(res.errors).toBeUndefined();
    expect(res.data!.me).toEqual({ id: ada.id, name: 'Ada', status: 'PENDING' });
    const trace = traceOf(res);
    expect(Number(trace.durationNs)).toBeGreaterThan(0);
    expect(trace.startTime).toBeTruthy();
    const paths = nodes(trace.root as TraceNode).map(([path]) => path);
    expect(paths).toEqual(expect.arrayContaining(['me', 'me.id', 'me.name', 'me.status']));
    const me = nodes(trace.root as TraceNode).find(([path]) => path === 'me')![1];
    expect(me.type).toBe('User');
    expect(me.parentType).toBe('Query');
  });

  it('gives no trace, and no extensions at all, without the header or with another value, before and after a traced request', async () => {
    for (const headers of [{}, { 'apollo-federation-include-trace': 'ftv2' }, { 'apollo-federation-include-trace': '' }, FTV1, {}]) {
      const res = await gql(t.url, '{ me { id } }', undefined, ada.token, headers);
      expect(res.errors).toBeUndefined();
      if (headers === FTV1) traceOf(res);
      else expect(res, JSON.stringify(headers)).not.toHaveProperty('extensions');
    }
  });

  it('puts a FORBIDDEN field in the trace as the client got it', async () => {
    const res = await gql(t.url, ENTITIES, { r: [{ __typename: 'User', id: bob.id }] }, ada.token, FTV1);
    expect(res.data!._entities).toEqual([{ id: bob.id, name: 'Bob', status: null }]);
    const status = nodes(traceOf(res).root as TraceNode).find(([path]) => path === '_entities.0.status')![1];
    expect(status.error.map((e) => e.message)).toEqual(['This field is private to its user.']);
    expect(JSON.parse(status.error[0]!.json!)).toMatchObject({ extensions: { code: 'FORBIDDEN' } });
  });

  it('masks an internal error in the trace as in the response: no internal message', async () => {
    const res = await gql(t.url, 'mutation { updateMe(input: { bio: "x" }) { id } }', undefined, ada.token, FTV1);
    expect(res.errors?.map((e) => [e.message, e.extensions?.code])).toEqual([['Internal server error.', 'INTERNAL_SERVER_ERROR']]);
    const trace = traceOf(res);
    const errors = nodes(trace.root as TraceNode).flatMap(([, node]) => node.error);
    expect(errors.map((e) => e.message)).toEqual(['Internal server error.']);
    expect(JSON.parse(errors[0]!.json!)).toMatchObject({ message: 'Internal server error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    expect(Buffer.from(Trace.encode(trace).finish()).toString('latin1')).not.toContain(SECRET);
    expect(JSON.stringify(res)).not.toContain(SECRET);
  });
});
