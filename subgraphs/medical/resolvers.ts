import { assertVNumber, badInput, departureFrom, provenanceOf, type ProvenanceColumns } from '../../lib/subgraph/kit';
import type { ResolverMap, SubgraphContext } from '../../lib/subgraph/types';
import type { ConsentStatus, FitToTravel, Loaders } from './data';

const PARTNER = 'MEDICAL' as const;

type Ctx = SubgraphContext<Loaders>;

/**
 * Whose data an object is and the departure its currency is judged against. Every object
 * below carries it, so that authorization (which reads consent per `vNumber`) and the
 * access log know the data subject, and `provenance` can compute staleness.
 */
interface Subject {
  vNumber: string;
  departureAt: Date | null;
}

/** A fact: its subject plus the provenance columns of the row it came from. */
type Fact<T> = T & Subject & ProvenanceColumns;

/** The Person as this subgraph sees it: the key plus the departure the gateway supplies. */
interface PersonRef {
  vNumber: string;
  plannedDepartureAt?: unknown;
}

function provenanceColumns(row: ProvenanceColumns): ProvenanceColumns {
  return {
    recorded_by_role: row.recorded_by_role,
    recorded_at: row.recorded_at,
    confirmed_at: row.confirmed_at,
    obtained_by: row.obtained_by ?? null,
  };
}

function subjectOf(person: PersonRef): Subject {
  return { vNumber: person.vNumber, departureAt: departureFrom(person) };
}

/** Provenance of a fact, stale when confirmed more than the window before departure (or now). */
function provenance(obj: Subject & ProvenanceColumns, _args: unknown, ctx: Ctx) {
  return provenanceOf(PARTNER, obj, { departureAt: obj.departureAt, now: ctx.now, windowDays: ctx.stalenessWindowDays });
}

type DossierObject = Fact<{ id: string }>;
type NoticeObject = Fact<{ id: string; fitToTravel: FitToTravel; escortAdvice: string | null; validUntil: Date | null }>;
interface ConsentObject extends Subject {
  status: ConsentStatus;
  recordedAt: Date | null;
  /** Null when consent was never asked: there is no recorded fact to attribute. */
  source: ProvenanceColumns | null;
}

/** Resolvers of the medical subgraph; all person data flows through the request's loaders. */
export const resolvers: ResolverMap = {
  Person: {
    /**
     * Entity reference from the gateway. Does not touch the database: each section loads
     * lazily and is null when the medical service does not know the person.
     */
    __resolveReference(ref: PersonRef) {
      const vNumber = assertVNumber(ref.vNumber);
      const planned = ref.plannedDepartureAt;
      if (planned !== undefined && planned !== null && departureFrom(ref) === null) {
        throw badInput('plannedDepartureAt must be an ISO 8601 date-time', 'plannedDepartureAt');
      }
      return { vNumber, plannedDepartureAt: planned ?? null };
    },

    async healthNotice(person: PersonRef, _args: unknown, ctx: Ctx): Promise<NoticeObject | null> {
      const row = await ctx.loaders.healthNotice.load(person.vNumber);
      if (!row) return null;
      return {
        ...subjectOf(person),
        ...provenanceColumns(row),
        id: row.id,
        fitToTravel: row.fit_to_travel,
        escortAdvice: row.escort_advice,
        validUntil: row.valid_until,
      };
    },

    async medicalDossier(person: PersonRef, _args: unknown, ctx: Ctx): Promise<DossierObject | null> {
      const row = await ctx.loaders.dossier.load(person.vNumber);
      if (!row) return null;
      return { ...subjectOf(person), ...provenanceColumns(row), id: row.id };
    },

    async escortConsent(person: PersonRef, _args: unknown, ctx: Ctx): Promise<ConsentObject | null> {
      const row = await ctx.loaders.escortConsent.load(person.vNumber);
      if (!row) return null;
      return { ...subjectOf(person), status: row.status, recordedAt: row.recorded_at, source: row.provenance };
    },
  },

  HealthNotice: {
    async instructions(notice: NoticeObject, _args: unknown, ctx: Ctx) {
      const rows = await ctx.loaders.instructions.load(notice.id);
      return rows.map((row) => ({
        vNumber: notice.vNumber,
        departureAt: notice.departureAt,
        at: row.at,
        instruction: row.instruction,
      }));
    },
    provenance,
  },

  MedicalDossier: {
    async conditions(dossier: DossierObject, _args: unknown, ctx: Ctx) {
      const rows = await ctx.loaders.conditions.load(dossier.vNumber);
      return rows.map((row) => ({
        vNumber: dossier.vNumber,
        departureAt: dossier.departureAt,
        ...provenanceColumns(row),
        id: row.id,
        code: row.code,
        description: row.description,
        since: row.since,
      }));
    },
    async medication(dossier: DossierObject, _args: unknown, ctx: Ctx) {
      const rows = await ctx.loaders.medication.load(dossier.vNumber);
      return rows.map((row) => ({
        vNumber: dossier.vNumber,
        departureAt: dossier.departureAt,
        ...provenanceColumns(row),
        id: row.id,
        name: row.name,
        dosage: row.dosage,
        schedule: row.schedule,
      }));
    },
    async fitToTravelAssessment(dossier: DossierObject, _args: unknown, ctx: Ctx) {
      const row = await ctx.loaders.fitToTravelAssessment.load(dossier.vNumber);
      if (!row) return null;
      return {
        vNumber: dossier.vNumber,
        departureAt: dossier.departureAt,
        ...provenanceColumns(row),
        decision: row.decision,
        assessedAt: row.assessed_at,
        considerations: row.considerations,
      };
    },
    async handovers(dossier: DossierObject, _args: unknown, ctx: Ctx) {
      const rows = await ctx.loaders.handovers.load(dossier.vNumber);
      return rows.map((row) => ({
        vNumber: dossier.vNumber,
        departureAt: dossier.departureAt,
        ...provenanceColumns(row),
        id: row.id,
        fromRole: row.from_role,
        toRole: row.to_role,
        handedOverAt: row.handed_over_at,
        summary: row.summary,
      }));
    },
    provenance,
  },

  MedicalCondition: { provenance },
  Medication: { provenance },
  FitToTravelAssessment: { provenance },
  CareHandover: { provenance },

  EscortConsent: {
    provenance(consent: ConsentObject, _args: unknown, ctx: Ctx) {
      if (!consent.source) return null;
      return provenanceOf(PARTNER, consent.source, {
        departureAt: consent.departureAt,
        now: ctx.now,
        windowDays: ctx.stalenessWindowDays,
      });
    },
  },
};
