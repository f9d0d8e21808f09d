import type { GraphQLObjectType } from 'graphql';
import { readFileSync } from 'node:fs';
import { readGatewayConfig, readInputLimits } from '../../gateway/config';
import { operationAliases } from '../../gateway/limits/aliases';
import { operationCost } from '../../gateway/limits/cost';
import { DEFAULT_INPUT_LIMITS } from '../../gateway/limits/defaults';
import { operationDepth } from '../../gateway/limits/depth';
import { largestPageSize } from '../../gateway/limits/list-size';
import { countTokens } from '../../gateway/limits/tokens';
import { ConfigError } from '../../lib/config';
import { fromRoot } from '../../lib/paths';
import { printSelections, selectAll } from '../authorization/support';
import { operationOf, schema } from './support';

/**
 * The default limits against the legitimate operations they must let through, with
 * headroom: the README's example queries, the full person query of the access-matrix suite
 * (every field reachable from Query.person) and the departures list with the whole
 * person-centred picture on a page of 100 (the query of the statement-count suite).
 * Measured (cost with COST_LIST_FACTOR 10): deepest 8, costliest 104 506, most tokens 441.
 */

const README = readFileSync(fromRoot('README.md'), 'utf8');
const readmeQueries = [...README.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]!);
const FULL_PERSON = `query FullPerson($vNumber: String!) { person(vNumber: $vNumber) { ${printSelections(selectAll(schema, schema.getType('Person') as GraphQLObjectType))} } }`;
const DEPARTURES_PICTURE = `query Departures($from: DateTime!, $to: DateTime!, $first: Int) {
  departures(from: $from, to: $to, first: $first) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes {
      id plannedAt flight { number } escort { kind }
      person {
        vNumber name { given family } plannedDepartureAt
        returnCase { status provenance { stale } }
        detention { centre { code } readyForTransport observations { category provenance { stale } } }
        belongings { description changedLastMinute changes { kind changedAt } }
        transportOrders { kind plannedPickupAt pickupChanges { newPickupAt reason } classification { level justification }
                          restraintDecisions { means justification classification { level } } }
        reception { currentLocation { code } stays { location { code } } behaviour { note } }
        characteristics { height { value obtainedBy provenance { stale } } weight { value } }
        healthNotice { fitToTravel instructions { at instruction } escortAdvice }
        medicalDossier { conditions { code } medication { name } }
        escortConsent { status }
      }
    }
  }
}`;
/** The deepest legitimate shape: a departure's person's transport orders' restraint decisions' classification's provenance. */
const DEEPEST = `query($from: DateTime!, $to: DateTime!) { departures(from: $from, to: $to, first: 100) { nodes { person {
  transportOrders { restraintDecisions { classification { provenance { partner } } } } } } } }`;

function measure(text: string, variables: Record<string, unknown> = {}) {
  const { document, operation } = operationOf(text);
  return {
    depth: operationDepth(document, operation),
    aliases: operationAliases(document, operation),
    tokens: countTokens(text),
    page: largestPageSize(document, operation, variables),
    cost: operationCost(schema, document, operation, variables, DEFAULT_INPUT_LIMITS.costListFactor),
  };
}

describe('the default limits', () => {
  const legitimate = [
    ...readmeQueries.map((text) => ({ text, variables: {} })),
    { text: FULL_PERSON, variables: {} },
    { text: DEPARTURES_PICTURE, variables: { first: 100 } },
    { text: DEEPEST, variables: {} },
  ];
  const measured = legitimate.map(({ text, variables }) => measure(text, variables));
  const max = (key: keyof ReturnType<typeof measure>) => Math.max(...measured.map((m) => m[key]));

  it('covers the README queries', () => {
    expect(readmeQueries.length).toBeGreaterThanOrEqual(3);
  });

  it('are as documented', () => {
    expect(DEFAULT_INPUT_LIMITS).toEqual({ maxDepth: 12, maxAliases: 30, maxTokens: 2000, maxListSize: 100, maxCost: 200_000, costListFactor: 10 });
    expect(readInputLimits({})).toEqual(DEFAULT_INPUT_LIMITS);
  });

  it('leave headroom above the deepest legitimate query (8 levels)', () => {
    expect(max('depth')).toBe(8);
    expect(DEFAULT_INPUT_LIMITS.maxDepth).toBeGreaterThanOrEqual(max('depth') + 4);
  });

  it('leave headroom above the costliest legitimate query (the departures picture on a page of 100)', () => {
    expect(max('cost')).toBe(measure(DEPARTURES_PICTURE, { first: 100 }).cost);
    expect(max('cost')).toBeGreaterThan(100_000);
    expect(DEFAULT_INPUT_LIMITS.maxCost).toBeGreaterThanOrEqual(1.5 * max('cost'));
    // …but not for two such pages in one request.
    expect(DEFAULT_INPUT_LIMITS.maxCost).toBeLessThan(2 * max('cost'));
  });

  it('leave headroom for tokens, aliases and page sizes', () => {
    expect(DEFAULT_INPUT_LIMITS.maxTokens).toBeGreaterThanOrEqual(4 * max('tokens'));
    expect(DEFAULT_INPUT_LIMITS.maxAliases).toBeGreaterThanOrEqual(10 * Math.max(1, max('aliases')));
    expect(DEFAULT_INPUT_LIMITS.maxListSize).toBeGreaterThanOrEqual(max('page'));
  });
});

describe('configuration of the limits', () => {
  it('reads each variable', () => {
    expect(readInputLimits({ MAX_DEPTH: '6', MAX_ALIASES: '0', MAX_TOKENS: '500', MAX_LIST_SIZE: '50', MAX_COST: '1000', COST_LIST_FACTOR: '3' })).toEqual({
      maxDepth: 6,
      maxAliases: 0,
      maxTokens: 500,
      maxListSize: 50,
      maxCost: 1000,
      costListFactor: 3,
    });
  });

  it.each([
    ['MAX_DEPTH', 'deep'],
    ['MAX_DEPTH', '0'],
    ['MAX_ALIASES', '-1'],
    ['MAX_TOKENS', '5'],
    ['MAX_LIST_SIZE', '1.5'],
    ['MAX_COST', '0'],
    ['COST_LIST_FACTOR', '0'],
  ])('refuses %s=%s naming the variable', (name, value) => {
    expect(() => readInputLimits({ [name]: value })).toThrow(ConfigError);
    expect(() => readInputLimits({ [name]: value })).toThrow(name);
  });

  it('carries the limits and TRUSTED_DOCUMENTS_FILE into the gateway configuration', () => {
    const env = { GATEWAY_SIGNING_SECRET: 'x'.repeat(32), TOKEN_PUBLIC_KEY_FILE: '/dev/null', MAX_DEPTH: '9', TRUSTED_DOCUMENTS_FILE: 'schema/trusted-documents.example.json' };
    const config = readGatewayConfig(env);
    expect(config.limits.maxDepth).toBe(9);
    expect(config.trustedDocumentsFile).toBe('schema/trusted-documents.example.json');
    expect(readGatewayConfig({ ...env, TRUSTED_DOCUMENTS_FILE: '' }).trustedDocumentsFile).toBeUndefined();
  });
});
