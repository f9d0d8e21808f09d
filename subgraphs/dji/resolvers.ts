import { assertVNumber, badInput, departureFrom, provenanceOf, type ProvenanceColumns } from '../../lib/subgraph/kit';
import type { ResolverMap, SubgraphContext } from '../../lib/subgraph/types';
import type { ChangeRow, DetentionRow, ItemRow, Loaders, ObservationRow } from './data';
import { isLastMinuteChange } from './last-minute';

const PARTNER = 'DJI' as const;

type Context = SubgraphContext<Loaders>;

/** A Person as this subgraph sees it: the key and the departure the gateway supplies via @requires. */
interface PersonParent {
  vNumber: string;
  plannedDepartureAt?: unknown;
}

/**
 * What every object holding person data carries: whose data it is (for authorization and
 * the access log) and the departure that staleness is judged against.
 */
interface Subject {
  vNumber: string;
  departureAt: Date | null;
}

/** Objects with a `provenance` field keep their provenance columns here. */
interface WithSource extends Subject {
  source: ProvenanceColumns;
}

function sourceOf(row: ProvenanceColumns): ProvenanceColumns {
  return { recorded_by_role: row.recorded_by_role, recorded_at: row.recorded_at, confirmed_at: row.confirmed_at };
}

function subjectOf(person: PersonParent): Subject {
  return { vNumber: person.vNumber, departureAt: departureFrom(person) };
}

function provenance(obj: WithSource, _args: unknown, ctx: Context) {
  return provenanceOf(PARTNER, obj.source, { departureAt: obj.departureAt, now: ctx.now, windowDays: ctx.stalenessWindowDays });
}

function detentionObject(row: DetentionRow, subject: Subject) {
  return {
    ...subject,
    id: row.id,
    centre: { ...subject, code: row.centre_code, name: row.centre_name },
    unit: row.unit,
    admittedAt: new Date(row.admitted_at),
    readyForTransport: row.ready_for_transport,
    readinessNote: row.readiness_note,
    source: sourceOf(row),
  };
}
type DetentionObject = ReturnType<typeof detentionObject>;

function observationObject(row: ObservationRow, subject: Subject) {
  return {
    ...subject,
    id: row.id,
    observedAt: new Date(row.observed_at),
    category: row.category,
    description: row.description,
    source: sourceOf(row),
  };
}

function itemObject(row: ItemRow, subject: Subject) {
  return {
    ...subject,
    id: row.id,
    description: row.description,
    category: row.category,
    quantity: row.quantity,
    location: row.location,
    source: sourceOf(row),
  };
}
type ItemObject = ReturnType<typeof itemObject>;

/**
 * A change is a last-minute change when it was made within the 24 hours before the planned
 * departure (LAST_MINUTE_WINDOW_MS, see last-minute.ts). Judged at read time against the
 * departure the gateway supplies, because DT&V may move the departure after the change
 * was recorded.
 */
function changeObject(row: ChangeRow, subject: Subject) {
  const changedAt = new Date(row.changed_at);
  return {
    ...subject,
    id: row.id,
    changedAt,
    kind: row.kind,
    description: row.description,
    lastMinute: isLastMinuteChange(changedAt, subject.departureAt),
    source: sourceOf(row),
  };
}

async function changesOf(item: ItemObject, ctx: Context) {
  const rows = await ctx.loaders.changesByItemId.load(item.id);
  return rows.map((row) => changeObject(row, item));
}

/** Resolvers of the DJI subgraph; see schema.graphql for the field contracts. */
export const resolvers: ResolverMap = {
  Person: {
    /**
     * Resolves a Person reference without touching the database: the section fields load
     * lazily through the loaders and answer null when DJI does not know the person.
     */
    __resolveReference(ref: PersonParent) {
      const vNumber = assertVNumber(ref.vNumber);
      const planned = ref.plannedDepartureAt ?? null;
      if (planned !== null && departureFrom({ plannedDepartureAt: planned }) === null) {
        throw badInput('plannedDepartureAt must be an ISO 8601 date-time', 'plannedDepartureAt');
      }
      return { vNumber, plannedDepartureAt: planned };
    },
    /** The current stay; null for a person DJI does not hold (for example in reception). */
    async detention(person: PersonParent, _args: unknown, ctx: Context) {
      const row = await ctx.loaders.detentionByVNumber.load(person.vNumber);
      return row ? detentionObject(row, subjectOf(person)) : null;
    },
    /**
     * The belongings DJI holds: null when DJI does not hold the person (no stay), else the
     * list, possibly empty. The stay lookup is shared with `detention` through the loader.
     */
    async belongings(person: PersonParent, _args: unknown, ctx: Context) {
      const [stay, rows] = await Promise.all([
        ctx.loaders.detentionByVNumber.load(person.vNumber),
        ctx.loaders.itemsByVNumber.load(person.vNumber),
      ]);
      if (!stay) return null;
      const subject = subjectOf(person);
      return rows.map((row) => itemObject(row, subject));
    },
  },
  Detention: {
    async observations(stay: DetentionObject, _args: unknown, ctx: Context) {
      const rows = await ctx.loaders.observationsByVNumber.load(stay.vNumber);
      return rows.map((row) => observationObject(row, stay));
    },
    provenance,
  },
  BehaviourObservation: { provenance },
  BelongingsItem: {
    changes: (item: ItemObject, _args: unknown, ctx: Context) => changesOf(item, ctx),
    /** True when any change to the item was made within the 24 hours before the planned departure. */
    async changedLastMinute(item: ItemObject, _args: unknown, ctx: Context) {
      return (await changesOf(item, ctx)).some((change) => change.lastMinute);
    },
    provenance,
  },
  BelongingsChange: { provenance },
};
