import {
  assertVNumber,
  badInput,
  isVNumber,
  provenanceOf,
  type Provenance,
  type ProvenanceColumns,
} from '../../lib/subgraph/kit';
import type { ResolverMap, SubgraphContext } from '../../lib/subgraph/types';
import {
  countDepartures,
  departuresPage,
  type DepartureCursor,
  type DeparturePlanRecord,
  type FlightRecord,
  type Loaders,
  type PersonRecord,
  type ReturnCaseRecord,
} from './data';

const PARTNER = 'DTV' as const;
const DAY_MS = 24 * 3600_000;
const MAX_WINDOW_DAYS = 366;
const DEFAULT_PAGE_SIZE = 20;
const MAX_PAGE_SIZE = 100;

type Ctx = SubgraphContext<Loaders>;

/**
 * What every object holding person data carries: whose data it is (for authorization and
 * the access log) and the planned departure the staleness of its facts is judged against.
 */
interface Subject {
  vNumber: string;
  departureAt: Date | null;
}

/** A Person parent: complete when DT&V loaded it, or a bare reference from a departure plan. */
interface PersonParent {
  vNumber: string;
  plannedDepartureAt?: Date | null;
}

type PersonObject = PersonRecord & Subject;
type ReturnCaseObject = ReturnCaseRecord & Subject;
type PlanObject = DeparturePlanRecord & Subject;
type FlightObject = FlightRecord & Subject;
interface EscortObject extends Subject {
  kind: DeparturePlanRecord['escortKind'];
  escortCount: number;
  medicalEscort: boolean;
  recorded: ProvenanceColumns;
}

interface DepartureWindow {
  from: Date;
  to: Date;
}
interface ConnectionObject {
  window: DepartureWindow;
  nodes: PlanObject[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

function personObject(record: PersonRecord): PersonObject {
  return { ...record, departureAt: record.plannedDepartureAt };
}

function planObject(record: DeparturePlanRecord): PlanObject {
  return { ...record, departureAt: record.plannedAt };
}

/** Provenance of a fact about `subject`, stale against the subject's planned departure. */
function provenance(subject: Subject, recorded: ProvenanceColumns, ctx: Ctx): Provenance & Subject {
  return {
    ...provenanceOf(PARTNER, recorded, { departureAt: subject.departureAt, now: ctx.now, windowDays: ctx.stalenessWindowDays }),
    vNumber: subject.vNumber,
    departureAt: subject.departureAt,
  };
}

// ---- cursors ---------------------------------------------------------------------------

const CURSOR_TEXT = /^[A-Za-z0-9_-]{1,400}$/;
const CURSOR_MOMENT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;
const PLAN_ID = /^[A-Z]+-[0-9]+$/;

/** Opaque to clients: base64url of [plannedAt with microseconds, id]. */
export function encodeCursor(plan: Pick<DeparturePlanRecord, 'cursorAt' | 'id'>): string {
  return Buffer.from(JSON.stringify([plan.cursorAt, plan.id]), 'utf8').toString('base64url');
}

/** Parses a cursor from encodeCursor; anything else is BAD_USER_INPUT (the value is not echoed). */
export function decodeCursor(cursor: string): DepartureCursor {
  const invalid = () => badInput('after must be an endCursor returned by departures', 'after');
  if (!CURSOR_TEXT.test(cursor)) throw invalid();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw invalid();
  const [plannedAt, id] = parsed as unknown[];
  if (typeof plannedAt !== 'string' || typeof id !== 'string' || !CURSOR_MOMENT.test(plannedAt) || !PLAN_ID.test(id)) throw invalid();
  // Round-trip so that e.g. 30 February is refused here rather than by the database.
  const moment = new Date(plannedAt);
  if (Number.isNaN(moment.getTime()) || moment.toISOString().slice(0, 19) !== plannedAt.slice(0, 19)) throw invalid();
  return { plannedAt, id };
}

// ---- person ----------------------------------------------------------------------------

/** The person behind a parent, through the request's batched loader (null when unknown). */
function loadPerson(parent: PersonParent, ctx: Ctx): Promise<PersonRecord | null> {
  return ctx.loaders.person.load(parent.vNumber);
}

/** Resolvers of the dtv subgraph: DT&V owns Person and serves return cases and departures. */
export const resolvers: ResolverMap = {
  Query: {
    /** One person by V-number; BAD_USER_INPUT unless 10 digits, null when unknown. */
    async person(_: unknown, args: { vNumber: string }, ctx: Ctx): Promise<PersonObject | null> {
      const vNumber = assertVNumber(args.vNumber);
      const record = await ctx.loaders.person.load(vNumber);
      return record ? personObject(record) : null;
    },

    /**
     * Current departure plans in [from, to), keyset-paginated on (plannedAt, id). Fetches
     * first + 1 rows to learn hasNextPage without counting; totalCount is resolved lazily.
     */
    async departures(
      _: unknown,
      args: { from: Date; to: Date; first?: number | null; after?: string | null },
      ctx: Ctx,
    ): Promise<ConnectionObject> {
      const first = args.first ?? DEFAULT_PAGE_SIZE;
      if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
        throw badInput(`first must be between 1 and ${MAX_PAGE_SIZE}`, 'first');
      }
      const span = args.to.getTime() - args.from.getTime();
      if (!(span > 0)) throw badInput('to must be after from', 'to');
      if (span > MAX_WINDOW_DAYS * DAY_MS) throw badInput(`the window from..to must not exceed ${MAX_WINDOW_DAYS} days`, 'to');
      const after = args.after === null || args.after === undefined ? null : decodeCursor(args.after);

      const window = { from: args.from, to: args.to };
      const rows = await departuresPage(ctx.store, window, after, first + 1);
      const nodes = rows.slice(0, first).map(planObject);
      const last = nodes[nodes.length - 1];
      return { window, nodes, pageInfo: { hasNextPage: rows.length > first, endCursor: last ? encodeCursor(last) : null } };
    },
  },

  Person: {
    /**
     * DT&V owns Person: the reference resolves only when DT&V knows the V-number (null
     * otherwise). plannedDepartureAt always comes from DT&V's own plan, never the representation.
     */
    async __resolveReference(ref: { vNumber?: unknown }, ctx: Ctx): Promise<PersonObject | null> {
      if (!isVNumber(ref.vNumber)) return null;
      const record = await ctx.loaders.person.load(ref.vNumber);
      return record ? personObject(record) : null;
    },
    async name(parent: PersonParent, _: unknown, ctx: Ctx) {
      const person = await loadPerson(parent, ctx);
      return person
        ? { given: person.givenName, family: person.familyName, vNumber: person.vNumber, departureAt: person.plannedDepartureAt }
        : null;
    },
    async nationality(parent: PersonParent, _: unknown, ctx: Ctx) {
      return (await loadPerson(parent, ctx))?.nationality ?? null;
    },
    async dateOfBirth(parent: PersonParent, _: unknown, ctx: Ctx) {
      return (await loadPerson(parent, ctx))?.dateOfBirth ?? null;
    },
    async identityProvenance(parent: PersonParent, _: unknown, ctx: Ctx) {
      const person = await loadPerson(parent, ctx);
      return person ? provenance(personObject(person), person.recorded, ctx) : null;
    },
    async plannedDepartureAt(parent: PersonParent, _: unknown, ctx: Ctx) {
      if (parent.plannedDepartureAt !== undefined) return parent.plannedDepartureAt;
      return (await loadPerson(parent, ctx))?.plannedDepartureAt ?? null;
    },
    async returnCase(parent: PersonParent, _: unknown, ctx: Ctx): Promise<ReturnCaseObject | null> {
      const record = await ctx.loaders.returnCase.load(parent.vNumber);
      return record ? { ...record, departureAt: record.plannedDepartureAt } : null;
    },
  },

  ReturnCase: {
    async departure(parent: ReturnCaseObject, _: unknown, ctx: Ctx): Promise<PlanObject | null> {
      const record = await ctx.loaders.currentDeparture.load(parent.vNumber);
      return record ? planObject(record) : null;
    },
    provenance: (parent: ReturnCaseObject, _: unknown, ctx: Ctx) => provenance(parent, parent.recorded, ctx),
  },

  DeparturePlan: {
    flight: (plan: PlanObject): FlightObject | null =>
      plan.flight ? { ...plan.flight, vNumber: plan.vNumber, departureAt: plan.departureAt } : null,
    escort: (plan: PlanObject): EscortObject => ({
      kind: plan.escortKind,
      escortCount: plan.escortCount,
      medicalEscort: plan.escortKind === 'MEDEX',
      recorded: plan.recorded,
      vNumber: plan.vNumber,
      departureAt: plan.departureAt,
    }),
    // Only current plans are served, so their time is the person's planned departure; the
    // gateway extends this reference with other partners' fields through @requires.
    person: (plan: PlanObject): Required<PersonParent> & Subject => ({
      vNumber: plan.vNumber,
      plannedDepartureAt: plan.plannedAt,
      departureAt: plan.plannedAt,
    }),
    provenance: (plan: PlanObject, _: unknown, ctx: Ctx) => provenance(plan, plan.recorded, ctx),
  },

  EscortAssignment: {
    provenance: (escort: EscortObject, _: unknown, ctx: Ctx) => provenance(escort, escort.recorded, ctx),
  },

  DepartureConnection: {
    /** All current plans in the window, over all pages: one COUNT statement, only when asked. */
    totalCount: (connection: ConnectionObject, _: unknown, ctx: Ctx) => countDepartures(ctx.store, connection.window),
  },
};
