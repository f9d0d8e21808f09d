import fc from 'fast-check';
import type { GraphQLObjectType } from 'graphql';
import { DEMO_V_NUMBERS } from '../../lib/demo/world';
import { ROLE_DEFAULTS } from '../../lib/identity/dev-keys';
import type { Caller, SubjectFacts } from '../../lib/policy/compiled';
import { apiSchema, dossierValues, loadPolicy, printSelections, selectAll, stringsIn, type FieldSelection, type Json } from '../authorization/support';
import { startTestStack, type TestStack } from '../support/stack';
import { BASES, buildRequest, isDataLeaf, MUTATIONS, type FuzzRequest, type Mutation, type World } from './operations';

/**
 * Property-based test of the whole gateway (127.0.0.1 only): random and mutated operations
 * and variables (tests/fuzz/operations.ts), each sent for every audience (one role each),
 * must never get a 5xx or a stack trace, must leave the gateway up (a health request and a
 * real query after each batch), and must never bring a classified value to an audience the
 * policy denies it.
 *
 * The forbidden values are derived up front: the full person query (every field reachable
 * from Query.person) for every person of the demo world, as every audience; each string
 * value is held against the policy's decision for each audience along its path. A value
 * that some path denies to an audience and no path allows it is forbidden for that
 * audience: the dossier of every person for the chain officer and the privacy officer, the
 * dossier of persons without consent for the escort nurse, behaviour and risk assessment
 * for the medical doctor, and all person data (names, …) for the privacy officer, who reads
 * V-numbers only through the access log.
 *
 * Bounded: FUZZ_BATCHES batches of at most FUZZ_RUNS operations each, and FUZZ_TIME_MS for
 * the whole file, setup included (defaults 4, 150, 60 s; the fuzzing itself gets at least
 * 15 s); FUZZ_SEED makes a run reproducible (the seed is printed).
 */

jest.setTimeout(300_000);

const ROLES = ['medical-doctor', 'escort-nurse', 'transport-officer', 'privacy-officer'] as const;
type Role = (typeof ROLES)[number];
const BATCHES = Number(process.env.FUZZ_BATCHES ?? 4);
const RUNS_PER_BATCH = Number(process.env.FUZZ_RUNS ?? 150);
const TIME_MS = Number(process.env.FUZZ_TIME_MS ?? 60_000);
const FILE_STARTED = Date.now();
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const DAY = 24 * 3600_000;
const FEATURED = [DEMO_V_NUMBERS.consentGiven, DEMO_V_NUMBERS.consentRefused, DEMO_V_NUMBERS.reception, DEMO_V_NUMBERS.stale, '2044001005'];

const policy = loadPolicy();
const schema = apiSchema();
const PERSON_TREE: FieldSelection[] = selectAll(schema, schema.getType('Person') as GraphQLObjectType);
const FULL_PERSON = `query FullPerson($v: String!) { person(vNumber: $v) { ${printSelections(PERSON_TREE)} } }`;

function callerOf(role: Role): Caller {
  const defaults = ROLE_DEFAULTS[role]!;
  return { audience: policy.audienceFor([role], defaults.big ? 'big' : undefined), purpose: defaults.purpose, organisation: defaults.organisation };
}

/** The values a response holds, sorted by whether the policy lets `caller` see them along their path. */
function sortValues(value: Json, selections: readonly FieldSelection[], caller: Caller, facts: SubjectFacts, deniedAbove: boolean, out: { denied: Set<string>; allowed: Set<string> }): void {
  if (value === null || typeof value !== 'object') return;
  for (const selection of selections) {
    const child = value[selection.name];
    if (child === null || child === undefined) continue;
    const denied = deniedAbove || !policy.resolve(policy.decide(caller, selection.coordinate), facts).allowed;
    if (selection.children === undefined) {
      if (!isDataLeaf(selection.type)) continue;
      for (const leaf of Array.isArray(child) ? child : [child]) if (typeof leaf === 'string' && leaf.length > 0) (denied ? out.denied : out.allowed).add(leaf);
    } else {
      for (const item of Array.isArray(child) ? child : [child]) sortValues(item, selection.children, caller, facts, denied, out);
    }
  }
}

interface Forbidden {
  /** Values the policy denies this audience everywhere it could meet them. */
  values: Set<string>;
  /** Those long and distinctive enough to look for inside other strings and the raw body. */
  distinctive: Set<string>;
}

describe('fuzz: hostile operations for every audience', () => {
  let stack: TestStack;
  const tokens = new Map<Role, string>();
  const forbidden = new Map<Role, Forbidden>();
  let world: World;
  let medicalDossierValues: Set<string>;
  const dossierOf = new Map<string, Set<string>>();
  /** Full answers kept to prove that the leak check has teeth: `${role}/${vNumber}`. */
  const samples = new Map<string, Json>();

  /** How many of the values forbidden to `role` appear in an answer (its strings and its raw text). */
  const leaksIn = (role: Role, body: Json, text: string = JSON.stringify(body)): number => {
    const { values, distinctive } = forbidden.get(role)!;
    const strings = stringsIn(body);
    let leaked = 0;
    for (const value of values) {
      if (strings.some((s) => s === value || (distinctive.has(value) && s.includes(value))) || (distinctive.has(value) && text.includes(value))) leaked += 1;
    }
    return leaked;
  };

  beforeAll(async () => {
    stack = await startTestStack({ size: 8 });
    expect(new URL(stack.gateway.url).hostname).toBe('127.0.0.1');
    for (const role of ROLES) tokens.set(role, await stack.token({ role }));

    const persons = stack.world.persons;
    expect(persons.map((p) => p.vNumber)).toEqual(expect.arrayContaining(FEATURED));
    const from = stack.world.reference.getTime();
    const orderIds: string[] = [];

    // Every audience's full view of every person, and the policy's verdict on every value in it.
    const sorted = new Map(ROLES.map((role) => [role, { denied: new Set<string>(), allowed: new Set<string>() }]));
    medicalDossierValues = new Set();
    for (const person of persons) {
      const facts: SubjectFacts = { escortConsent: person.escortConsent === 'GIVEN' };
      // The privacy officer's view holds no person data; it is read for the featured two only (to test the check).
      for (const source of ROLES.filter((r) => r !== 'privacy-officer' || FEATURED.slice(0, 2).includes(person.vNumber))) {
        const response = await stack.query(FULL_PERSON, { role: source, variables: { v: person.vNumber } });
        expect(response.status).toBe(200);
        const data = response.body.data?.person;
        if (!data) continue;
        if (FEATURED.slice(0, 2).includes(person.vNumber)) samples.set(`${source}/${person.vNumber}`, response.body);
        if (source === 'medical-doctor') {
          dossierOf.set(person.vNumber, dossierValues(response.body.data));
          if (FEATURED.includes(person.vNumber)) dossierValues(response.body.data, medicalDossierValues);
          for (const order of data.transportOrders ?? []) orderIds.push(order.id);
        }
        for (const role of ROLES) sortValues(data, PERSON_TREE, callerOf(role), facts, false, sorted.get(role)!);
      }
    }
    // The policy's vocabulary (roles, purposes, organisations, audiences, classes) is not person
    // data: a provenance names the role that recorded a fact, and the access log, which privacy
    // officers read, names the roles, purposes and subjects (`dev-<role>`) of every request.
    const document = policy.document;
    const vocabulary = [
      ...Object.keys(document.purposes),
      ...Object.keys(document.audiences),
      ...Object.keys(document.classes),
      ...Object.values(document.audiences).flatMap((a) => a.roles),
      ...Object.values(ROLE_DEFAULTS).map((d) => d.organisation),
      ...Object.keys(ROLE_DEFAULTS).map((role) => `dev-${role}`),
    ];
    for (const role of ROLES) {
      const { denied, allowed } = sorted.get(role)!;
      for (const word of vocabulary) allowed.add(word);
      const values = new Set([...denied].filter((v) => !allowed.has(v) && !(role === 'privacy-officer' && /^\d{10}$/.test(v))));
      const allowedList = [...allowed];
      const distinctive = new Set([...values].filter((v) => v.length >= 6 && !allowedList.some((a) => a.includes(v))));
      forbidden.set(role, { values, distinctive });
    }
    world = {
      schema,
      vNumbers: [...FEATURED, ...persons.map((p) => p.vNumber).filter((v) => !FEATURED.includes(v))],
      transportOrderIds: orderIds,
      window: { from: new Date(from - 30 * DAY).toISOString(), to: new Date(from + 60 * DAY).toISOString() },
    };
  }, 180_000);

  afterAll(async () => {
    await stack?.close();
  });

  it('derives the forbidden values per audience from the data and the policy', () => {
    const of = (role: Role) => forbidden.get(role)!.values;
    // The dossiers of the featured persons (as the medical doctor reads them).
    expect(medicalDossierValues.size).toBeGreaterThan(5);
    for (const value of medicalDossierValues) {
      expect(of('transport-officer').has(value) ? 'forbidden' : 'missing').toBe('forbidden');
      expect(of('privacy-officer').has(value) ? 'forbidden' : 'missing').toBe('forbidden');
      expect(of('medical-doctor').has(value)).toBe(false);
    }
    // The escort nurse: the dossier of the person who refused consent, never of one who gave it.
    const consented = new Set(stack.world.persons.filter((p) => p.escortConsent === 'GIVEN').flatMap((p) => [...dossierOf.get(p.vNumber)!]));
    const refusedOnly = [...dossierOf.get(DEMO_V_NUMBERS.consentRefused)!].filter((v) => !consented.has(v));
    expect(refusedOnly.length).toBeGreaterThan(0);
    for (const value of refusedOnly) expect(of('escort-nurse').has(value) ? 'forbidden' : 'missing').toBe('forbidden');
    for (const value of dossierOf.get(DEMO_V_NUMBERS.consentGiven)!) expect(of('escort-nurse').has(value)).toBe(false);
    // The medical doctor: behaviour and risk assessment (not their purpose).
    expect(of('medical-doctor').size).toBeGreaterThan(0);
    // The privacy officer: all person data, names included.
    const names = stack.world.persons.flatMap((p) => [p.givenName, p.familyName]).filter(Boolean);
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect(of('privacy-officer').has(name) ? 'forbidden' : 'missing').toBe('forbidden');
  });

  it('has a leak check with teeth: each audience\'s forbidden values are found in answers it must not get', () => {
    const doctorGiven = samples.get(`medical-doctor/${DEMO_V_NUMBERS.consentGiven}`)!;
    const doctorRefused = samples.get(`medical-doctor/${DEMO_V_NUMBERS.consentRefused}`)!;
    const officer = samples.get(`transport-officer/${DEMO_V_NUMBERS.consentGiven}`)!;
    expect(leaksIn('transport-officer', doctorGiven)).toBeGreaterThan(0);
    expect(leaksIn('privacy-officer', doctorGiven)).toBeGreaterThan(0);
    expect(leaksIn('privacy-officer', officer)).toBeGreaterThan(0);
    expect(leaksIn('escort-nurse', doctorRefused)).toBeGreaterThan(0);
    expect(leaksIn('medical-doctor', officer)).toBeGreaterThan(0);
    // …and nothing in what each may see.
    for (const role of ROLES) for (const [key, body] of samples) if (key.startsWith(`${role}/`)) expect(leaksIn(role, body)).toBe(0);
    expect(leaksIn('escort-nurse', samples.get(`escort-nurse/${DEMO_V_NUMBERS.consentGiven}`))).toBe(0);
  });

  it('never answers 5xx, stays up, and leaks no classified value to an audience the policy denies', async () => {
    let operations = 0;
    let requests = 0;
    const statuses = new Map<number, number>();
    const started = Date.now();
    const budget = Math.max(15_000, TIME_MS - (started - FILE_STARTED));

    const send = async (role: Role, request: FuzzRequest, purposeHeader: string | null) => {
      const response = await fetch(stack.gateway.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${tokens.get(role)}`,
          ...(purposeHeader !== null ? { 'x-purpose': purposeHeader } : {}),
        },
        body: JSON.stringify({ query: request.query, variables: request.variables, operationName: request.operationName }),
      });
      const text = await response.text();
      requests += 1;
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      const where = `${role}: ${request.label}`;
      if (response.status >= 500) throw new Error(`HTTP ${response.status} for ${where}`);
      let body: Json;
      try {
        body = JSON.parse(text);
      } catch {
        throw new Error(`HTTP ${response.status} without a JSON body for ${where}`);
      }
      if (!body || (body.data === undefined && !Array.isArray(body.errors))) throw new Error(`neither data nor errors for ${where}`);
      if (/stacktrace|\.ts:\d+|at \w+ \(|node_modules/.test(text)) throw new Error(`internals in the answer for ${where}`);
      if ((body.errors ?? []).some((e: Json) => e?.extensions?.code === 'INTERNAL_SERVER_ERROR')) throw new Error(`INTERNAL_SERVER_ERROR for ${where}`);
      const leaked = leaksIn(role, body, text);
      // How many, never which: the values are special-category data.
      if (leaked > 0) throw new Error(`${leaked} classified value(s) reached ${where}`);
    };

    const fuzzCase = fc.record({
      base: fc.constantFrom(...BASES),
      seed: fc.integer(),
      // A third unmutated (valid operations that reach the data), the rest with 1 to 5 mutations.
      mutations: fc.oneof(
        { arbitrary: fc.constant([] as Mutation[]), weight: 1 },
        { arbitrary: fc.array(fc.constantFrom(...MUTATIONS), { minLength: 1, maxLength: 5 }), weight: 2 },
      ),
      // Mostly no purpose header; sometimes one the policy does not know (never a real one:
      // the oracle holds each audience to its token's purpose).
      purposeHeader: fc.oneof(
        { arbitrary: fc.constant(null), weight: 14 },
        { arbitrary: fc.oneof(fc.constant(''), fc.string({ maxLength: 20 }).map((s) => `x-${s}`)), weight: 1 },
      ),
    });

    for (let batch = 0; batch < BATCHES; batch++) {
      const remaining = budget - (Date.now() - started);
      if (remaining <= 0) break;
      await fc.assert(
        fc.asyncProperty(fuzzCase, async ({ base, seed, mutations, purposeHeader }) => {
          const request = buildRequest(world, base, seed, mutations);
          operations += 1;
          await Promise.all(ROLES.map((role) => send(role, request, purposeHeader)));
        }),
        {
          seed: SEED + batch,
          numRuns: RUNS_PER_BATCH,
          interruptAfterTimeLimit: Math.max(1_000, Math.floor(remaining / (BATCHES - batch))),
          markInterruptAsFailure: false,
          endOnFailure: true,
        },
      );
      // Still up after the batch: health, and a real query with its classified part.
      const health = await fetch(new URL('/health', stack.gateway.url));
      expect(health.status).toBe(200);
      const check = await stack.query(`query($v: String!) { person(vNumber: $v) { vNumber medicalDossier { conditions { code } } } }`, { role: 'medical-doctor', variables: { v: DEMO_V_NUMBERS.consentGiven } });
      expect(check.status).toBe(200);
      expect(check.body.errors).toBeUndefined();
      expect(check.body.data.person.medicalDossier.conditions.length).toBeGreaterThan(0);
    }

    const elapsed = Date.now() - started;
    console.info(
      `fuzz: ${operations} operations x ${ROLES.length} audiences = ${requests} requests in ${(elapsed / 1000).toFixed(1)} s (seed ${SEED}); ` +
        `statuses ${[...statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${s}:${n}`).join(' ')}`,
    );
    // Not vacuous, also on a busy machine.
    expect(operations).toBeGreaterThanOrEqual(Math.min(20, BATCHES * RUNS_PER_BATCH));
    // Both kinds of answers were exercised: executed operations and refused ones.
    expect(statuses.get(200) ?? 0).toBeGreaterThan(0);
    expect([...statuses.keys()].some((s) => s >= 400 && s < 500)).toBe(true);
  });
});
