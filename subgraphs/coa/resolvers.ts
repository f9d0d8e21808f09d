import { assertVNumber, badInput, departureFrom, provenanceOf, type ObtainedBy, type ProvenanceColumns } from '../../lib/subgraph/kit';
import type { Partner, ResolverMap, SubgraphContext } from '../../lib/subgraph/types';
import type { BehaviourNoteRow, Loaders, MeasurementRow, StayRow } from './data';

const PARTNER: Partner = 'COA';

type Ctx = SubgraphContext<Loaders>;

/**
 * Whose data an object holds and the departure it is judged against: every object below
 * carries these, so the authorization layer and the access log can name the data subject
 * and `provenance.stale` is computed against the planned departure.
 */
interface Subject {
  vNumber: string;
  departureAt: Date | null;
}

interface PersonRef {
  vNumber: string;
  plannedDepartureAt?: unknown;
}

interface LocationObject extends Subject {
  code: string;
  name: string;
  municipality: string;
}

interface StayObject extends Subject {
  id: string;
  location: LocationObject;
  from: Date;
  until: Date | null;
  row: ProvenanceColumns;
}

interface BehaviourObject extends Subject {
  id: string;
  notedAt: Date;
  note: string;
  row: ProvenanceColumns;
}

interface ReceptionObject extends Subject {
  stays: StayObject[];
}

interface MeasurementObject extends Subject {
  value: number;
  unit: string;
  obtainedBy: ObtainedBy;
  row: ProvenanceColumns;
}

interface CharacteristicsObject extends Subject {
  height: MeasurementObject | null;
  weight: MeasurementObject | null;
}

function provenance(obj: Subject & { row: ProvenanceColumns }, _args: unknown, ctx: Ctx) {
  return provenanceOf(PARTNER, obj.row, { departureAt: obj.departureAt, now: ctx.now, windowDays: ctx.stalenessWindowDays });
}

function subjectOf(person: PersonRef): Subject {
  return { vNumber: person.vNumber, departureAt: departureFrom(person) };
}

function toStay(row: StayRow, subject: Subject): StayObject {
  return {
    ...subject,
    id: row.id,
    location: { ...subject, code: row.location_code, name: row.location_name, municipality: row.location_municipality },
    from: row.started_at,
    until: row.ended_at,
    row,
  };
}

function toNote(row: BehaviourNoteRow, subject: Subject): BehaviourObject {
  return { ...subject, id: row.id, notedAt: row.noted_at, note: row.note, row };
}

function toMeasurement(row: MeasurementRow | undefined, subject: Subject): MeasurementObject | null {
  if (!row) return null;
  return { ...subject, value: row.value, unit: row.unit, obtainedBy: row.obtained_by, row };
}

/** Resolvers of the COA subgraph; every person section loads through the batched loaders. */
export const resolvers: ResolverMap = {
  Person: {
    /**
     * Answers a reference without touching the database: sections load lazily and are
     * null when COA does not know the person. A malformed departure is refused rather than
     * read as "no departure", which would silently judge staleness against now.
     */
    __resolveReference(ref: PersonRef): PersonRef {
      const vNumber = assertVNumber(ref.vNumber);
      const planned = ref.plannedDepartureAt ?? null;
      if (planned !== null && departureFrom({ plannedDepartureAt: planned }) === null) {
        throw badInput('plannedDepartureAt must be an ISO 8601 date-time', 'plannedDepartureAt');
      }
      return { vNumber, plannedDepartureAt: planned };
    },

    /** Null when COA never received the person (no stay at all). */
    async reception(person: PersonRef, _args: unknown, ctx: Ctx): Promise<ReceptionObject | null> {
      const rows = await ctx.loaders.stays.load(person.vNumber);
      if (rows.length === 0) return null;
      const subject = subjectOf(person);
      return { ...subject, stays: rows.map((row) => toStay(row, subject)) };
    },

    /** Null when COA registered neither height nor weight. */
    async characteristics(person: PersonRef, _args: unknown, ctx: Ctx): Promise<CharacteristicsObject | null> {
      const rows = await ctx.loaders.measurements.load(person.vNumber);
      if (rows.length === 0) return null;
      const subject = subjectOf(person);
      return {
        ...subject,
        height: toMeasurement(rows.find((row) => row.kind === 'HEIGHT'), subject),
        weight: toMeasurement(rows.find((row) => row.kind === 'WEIGHT'), subject),
      };
    },
  },

  Reception: {
    /** The open stay's location; a person has at most one open stay (unique index). */
    currentLocation(reception: ReceptionObject): LocationObject | null {
      return reception.stays.find((stay) => stay.until === null)?.location ?? null;
    },

    /** Known persons without notes get an empty list, not null: COA has nothing to note. */
    async behaviour(reception: ReceptionObject, _args: unknown, ctx: Ctx): Promise<BehaviourObject[]> {
      const rows = await ctx.loaders.behaviour.load(reception.vNumber);
      const subject: Subject = { vNumber: reception.vNumber, departureAt: reception.departureAt };
      return rows.map((row) => toNote(row, subject));
    },
  },

  ReceptionStay: { provenance },
  ReceptionBehaviourNote: { provenance },
  Measurement: { provenance },
};
