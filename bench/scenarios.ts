import { randomBytes } from 'node:crypto';
import type { DemoWorld } from '../lib/demo/world';
import { signRequest, type SignedIdentity } from '../lib/identity/signing';
import type { BenchRequest } from './load';

const HOUR = 3600_000;
const DAY = 24 * HOUR;

/** The caller of every scenario: a medical professional (BIG-registered doctor), purpose medical-care. */
export const ROLE = 'medical-doctor';

/** Their identity as the gateway signs it for the subgraphs (what `npm run token -- --role medical-doctor` carries). */
export const IDENTITY: SignedIdentity = {
  subject: 'dev-medical-doctor',
  organisation: 'medical',
  roles: ['medical-doctor'],
  bigRegistration: '19012345601',
  purpose: 'medical-care',
};

/** The single-person query of README "Example queries per audience": all five partners. */
export const PERSON_QUERY = /* GraphQL */ `query Person($v: String!) {
  person(vNumber: $v) {
    vNumber
    name { given family }
    returnCase { status departure { plannedAt flight { number toAirport } escort { kind } } }
    detention { centre { name } readyForTransport observations { category description } }
    belongings { description changedLastMinute changes { changedAt kind lastMinute } }
    transportOrders { plannedPickupAt pickupChanges { previousPickupAt newPickupAt reason }
                      classification { level justification } restraintDecisions { means justification } }
    characteristics { height { value obtainedBy provenance { partner recordedByRole confirmedAt stale } } }
    healthNotice { fitToTravel instructions { at instruction } escortAdvice }
    medicalDossier { conditions { code description } medication { name schedule } }
    escortConsent { status }
  }
}`;

/** The planner's list, a page of 20, with a picture from every partner per node. */
export const DEPARTURES_QUERY = /* GraphQL */ `query Departures($from: DateTime!, $to: DateTime!) {
  departures(from: $from, to: $to, first: 20) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      plannedAt
      escort { kind }
      person {
        vNumber
        name { family }
        detention { centre { name } readyForTransport }
        belongings { description changedLastMinute }
        transportOrders { plannedPickupAt pickupChanges { newPickupAt } }
        characteristics { height { value obtainedBy } }
        healthNotice { fitToTravel instructions { at instruction } }
        medicalDossier { conditions { code } }
      }
    }
  }
}`;

/** What the gateway fetches from DT&V for the person query: the floor, sent straight to the dtv subgraph. */
export const DTV_PERSON_QUERY = /* GraphQL */ `query Person($v: String!) {
  person(vNumber: $v) {
    __typename vNumber name { given family } plannedDepartureAt
    returnCase { status departure { plannedAt flight { number toAirport } escort { kind } } }
  }
}`;

/** What the gateway fetches from DT&V for the departures list, sent straight to the dtv subgraph. */
export const DTV_DEPARTURES_QUERY = /* GraphQL */ `query Departures($from: DateTime!, $to: DateTime!) {
  departures(from: $from, to: $to, first: 20) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { plannedAt escort { kind } person { __typename vNumber name { family } plannedDepartureAt } }
  }
}`;

export type QueryName = 'person' | 'departures';

/**
 * The variables a scenario cycles through: the V-numbers of the persons with a planned
 * departure, or a week's window starting at each of the next 40 days' hours in turn; the
 * first `limit` of them when given (the replay scenarios cycle through what was recorded).
 */
export function variableList(world: DemoWorld, query: QueryName, limit = Number.POSITIVE_INFINITY): Array<Record<string, unknown>> {
  if (query === 'person') {
    return world.persons
      .filter((p) => p.departureAt)
      .slice(0, limit)
      .map((p) => ({ v: p.vNumber }));
  }
  const windows = Math.min(40 * 24, limit);
  return Array.from({ length: windows }, (_, i) => {
    const from = new Date(world.reference.getTime() + i * HOUR);
    return { from: from.toISOString(), to: new Date(from.getTime() + 7 * DAY).toISOString() };
  });
}

/** Variables that move through the world request by request, so the database is not asked the same row all the time. */
export function variablesFor(world: DemoWorld, query: QueryName, limit?: number): () => Record<string, unknown> {
  const list = variableList(world, query, limit);
  let i = 0;
  return () => list[i++ % list.length]!;
}

/** Requests to the gateway: bearer token, the operation, fresh variables. */
export function gatewayRequests(token: string, query: string, variables: () => Record<string, unknown>): () => BenchRequest {
  const headers = { authorization: `Bearer ${token}` };
  return () => ({ body: JSON.stringify({ query, variables: variables() }), headers });
}

/** Requests straight to a subgraph, signed as the gateway signs them (a fresh nonce each). */
export function signedRequests(secret: string, query: string, variables: () => Record<string, unknown>): () => BenchRequest {
  return () => {
    const body = JSON.stringify({ query, variables: variables() });
    const identity = { ...IDENTITY, traceId: randomBytes(16).toString('hex') };
    return { body, headers: signRequest(secret, identity, body) };
  };
}

interface Body {
  data?: Record<string, any> | null;
  errors?: Array<{ extensions?: { code?: string } }>;
}

/** The response body as JSON, or undefined when it is not JSON (counted as an invalid answer). */
function parseBody(text: string): Body | undefined {
  try {
    return JSON.parse(text) as Body;
  } catch {
    return undefined;
  }
}

/**
 * A gateway answer is as expected: the data is there, and the only errors are FORBIDDEN
 * (the medical professional may not read behaviour or the risk assessment). An
 * ACCESS_LOG_UNAVAILABLE or any other error makes it invalid.
 */
export function checkGateway(query: QueryName): (text: string) => boolean {
  return (text) => {
    const body = parseBody(text);
    if (!body) return false;
    if ((body.errors ?? []).some((e) => e.extensions?.code !== 'FORBIDDEN')) return false;
    if (query === 'person') return typeof body.data?.person?.vNumber === 'string' && 'healthNotice' in body.data.person;
    const nodes = body.data?.departures?.nodes;
    return Array.isArray(nodes) && nodes.length > 0 && nodes.every((n: any) => typeof n?.person?.vNumber === 'string');
  };
}

/** A direct subgraph answer is as expected: data, no errors. */
export function checkDirect(query: QueryName): (text: string) => boolean {
  return (text) => {
    const body = parseBody(text);
    if (!body) return false;
    if (body.errors && body.errors.length > 0) return false;
    if (query === 'person') return typeof body.data?.person?.vNumber === 'string';
    return Array.isArray(body.data?.departures?.nodes) && body.data!.departures.nodes.length > 0;
  };
}
