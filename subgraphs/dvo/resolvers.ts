import { randomUUID } from 'node:crypto';
import { GraphQLError } from 'graphql';
import {
  assertVNumber,
  badInput,
  departureFrom,
  ErrorCode,
  provenanceOf,
  type ProvenanceColumns,
} from '../../lib/subgraph/kit';
import type { Partner, ResolverMap, SubgraphContext } from '../../lib/subgraph/types';
import {
  insertRestraintDecision,
  lockClassification,
  lockOrder,
  MIN_JUSTIFICATION_LENGTH,
  type ClassificationRow,
  type Loaders,
  type OrderRow,
  type PickupChangeRow,
  type RestraintDecisionRow,
  type RestraintMeans,
} from './data';

const PARTNER: Partner = 'DVO';

type Ctx = SubgraphContext<Loaders>;

/**
 * What every person-data object carries besides its fields: whose data it is (for the
 * authorization rules and the access log) and the departure its staleness is judged against.
 * Objects reached without a Person parent (an order looked up by id, a new decision) have no
 * departure at hand and are judged against now; the gateway asks the Person for the rest.
 */
interface Subject {
  vNumber: string;
  departureAt: Date | null;
}

interface PersonRef {
  vNumber: string;
  plannedDepartureAt?: unknown;
}

type OrderObject = Subject & ProvenanceColumns & {
  id: string;
  kind: OrderRow['kind'];
  fromLocation: string;
  toLocation: string;
  plannedPickupAt: Date;
  actualPickupAt: Date | null;
};

type PickupChangeObject = Subject & ProvenanceColumns & {
  id: string;
  previousPickupAt: Date;
  newPickupAt: Date;
  changedAt: Date;
  reason: string;
};

type ClassificationObject = Subject & ProvenanceColumns & {
  id: string;
  level: ClassificationRow['level'];
  justification: string;
  assessedAt: Date;
};

type DecisionObject = Subject & ProvenanceColumns & {
  id: string;
  means: RestraintMeans[];
  justification: string;
  decidedAt: Date;
  classificationId: string;
  /** Present when the classification was read together with the decision. */
  classificationRow: ClassificationRow | null;
};

function provenanceColumns(row: ProvenanceColumns): ProvenanceColumns {
  return { recorded_by_role: row.recorded_by_role, recorded_at: row.recorded_at, confirmed_at: row.confirmed_at };
}

function toOrder(row: OrderRow, departureAt: Date | null): OrderObject {
  return {
    vNumber: row.v_number,
    departureAt,
    id: row.id,
    kind: row.kind,
    fromLocation: row.from_location,
    toLocation: row.to_location,
    plannedPickupAt: row.planned_pickup_at,
    actualPickupAt: row.actual_pickup_at,
    ...provenanceColumns(row),
  };
}

function toPickupChange(row: PickupChangeRow, departureAt: Date | null): PickupChangeObject {
  return {
    vNumber: row.v_number,
    departureAt,
    id: row.id,
    previousPickupAt: row.previous_pickup_at,
    newPickupAt: row.new_pickup_at,
    changedAt: row.changed_at,
    reason: row.reason,
    ...provenanceColumns(row),
  };
}

function toClassification(row: ClassificationRow, departureAt: Date | null): ClassificationObject {
  return {
    vNumber: row.v_number,
    departureAt,
    id: row.id,
    level: row.level,
    justification: row.justification,
    assessedAt: row.assessed_at,
    ...provenanceColumns(row),
  };
}

function toDecision(row: Omit<RestraintDecisionRow, 'classification'> & { classification?: ClassificationRow }, departureAt: Date | null): DecisionObject {
  return {
    vNumber: row.v_number,
    departureAt,
    id: row.id,
    means: row.means,
    justification: row.justification,
    decidedAt: row.decided_at,
    classificationId: row.classification_id,
    classificationRow: row.classification ?? null,
    ...provenanceColumns(row),
  };
}

/** Shared `provenance` resolver: staleness against the subject's departure, else against now. */
function provenance(obj: Subject & ProvenanceColumns, _args: unknown, ctx: Ctx) {
  return provenanceOf(PARTNER, obj, { departureAt: obj.departureAt, now: ctx.now, windowDays: ctx.stalenessWindowDays });
}

interface RestraintDecisionInput {
  transportOrderId: string;
  classificationId: string;
  means: RestraintMeans[];
  justification: string;
}

/**
 * Checks what can be checked without the database. Field names in errors are the input's
 * own, so a client can point at the form field; values are never echoed.
 */
function validateDecisionInput(input: RestraintDecisionInput): { justification: string; means: RestraintMeans[] } {
  const justification = typeof input.justification === 'string' ? input.justification.trim() : '';
  if (justification.length < MIN_JUSTIFICATION_LENGTH) {
    throw badInput(
      `justification must be an individual assessment of at least ${MIN_JUSTIFICATION_LENGTH} characters`,
      'justification',
    );
  }
  const means = Array.isArray(input.means) ? input.means : [];
  if (means.length === 0) throw badInput('means must name at least one means of restraint', 'means');
  if (new Set(means).size !== means.length) throw badInput('means must not name the same means twice', 'means');
  return { justification, means };
}

// PostgreSQL error classes that mean "the data was refused", not "the database failed".
const REFUSED_BY_DATABASE = new Set(['23502', '23503', '23505', '23514']);

/** Resolvers for DV&O's part of the graph. */
export const resolvers: ResolverMap = {
  Query: {
    async transportOrder(_root: unknown, args: { id: string }, ctx: Ctx): Promise<OrderObject | null> {
      const row = await ctx.loaders.orderById.load(args.id);
      return row ? toOrder(row, null) : null;
    },
  },

  Mutation: {
    /**
     * Stores one restraint decision, or nothing at all: input checks first, then the order
     * and classification are read and locked in the same transaction as the insert, and the
     * database's own constraints refuse anything that slips past.
     */
    async recordRestraintDecision(_root: unknown, args: { input: RestraintDecisionInput }, ctx: Ctx): Promise<DecisionObject> {
      const { input } = args;
      const { justification, means } = validateDecisionInput(input);
      const role = ctx.identity.roles[0];
      if (!role) {
        throw new GraphQLError('a role is required to record a restraint decision', {
          extensions: { code: ErrorCode.FORBIDDEN },
        });
      }
      const now = ctx.now;
      try {
        return await ctx.store.transaction(async (tx) => {
          const order = await lockOrder(tx, input.transportOrderId);
          if (!order) throw badInput('transportOrderId does not refer to a known transport order', 'transportOrderId');
          const classification = await lockClassification(tx, input.classificationId);
          if (!classification) {
            throw badInput('classificationId does not refer to a known transport classification', 'classificationId');
          }
          if (classification.transport_order_id !== order.id) {
            throw badInput('classificationId must be the classification of the same transport order', 'classificationId');
          }
          const row = {
            id: randomUUID(),
            transport_order_id: order.id,
            classification_id: classification.id,
            v_number: order.v_number,
            means,
            justification,
            decided_at: now,
            recorded_by_role: role,
            recorded_at: now,
            confirmed_at: now,
          };
          await insertRestraintDecision(tx, row);
          return toDecision({ ...row, classification }, null);
        });
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        if (typeof code === 'string' && REFUSED_BY_DATABASE.has(code)) {
          throw badInput('the restraint decision was refused by the transport records');
        }
        throw error;
      }
    },
  },

  Person: {
    /** Person is owned by DT&V; this subgraph only extends it, so no lookup happens here. */
    __resolveReference(ref: PersonRef): PersonRef {
      return { vNumber: assertVNumber(ref.vNumber), plannedDepartureAt: ref.plannedDepartureAt ?? null };
    },
    /** Null when DV&O has no transport order for the person. */
    async transportOrders(person: PersonRef, _args: unknown, ctx: Ctx): Promise<OrderObject[] | null> {
      const rows = await ctx.loaders.ordersByVNumber.load(person.vNumber);
      if (rows.length === 0) return null;
      const departureAt = departureFrom(person);
      return rows.map((row) => toOrder(row, departureAt));
    },
  },

  TransportOrder: {
    /** Entity lookup by id; null for an unknown id. Batched with every other order reference. */
    async __resolveReference(ref: { id: string }, ctx: Ctx): Promise<OrderObject | null> {
      const row = await ctx.loaders.orderById.load(String(ref.id));
      return row ? toOrder(row, null) : null;
    },
    /** Only the key: the gateway resolves the rest of the person at its owners. */
    person(order: OrderObject): { vNumber: string } {
      return { vNumber: order.vNumber };
    },
    async pickupChanges(order: OrderObject, _args: unknown, ctx: Ctx): Promise<PickupChangeObject[]> {
      const rows = await ctx.loaders.pickupChangesByOrderId.load(order.id);
      return rows.map((row) => toPickupChange(row, order.departureAt));
    },
    async classification(order: OrderObject, _args: unknown, ctx: Ctx): Promise<ClassificationObject | null> {
      const row = await ctx.loaders.classificationByOrderId.load(order.id);
      return row ? toClassification(row, order.departureAt) : null;
    },
    /** An empty list when no decision was taken: DV&O knows the order, so "none" is a fact. */
    async restraintDecisions(order: OrderObject, _args: unknown, ctx: Ctx): Promise<DecisionObject[]> {
      const rows = await ctx.loaders.restraintDecisionsByOrderId.load(order.id);
      return rows.map((row) => toDecision(row, order.departureAt));
    },
    provenance,
  },

  PickupChange: { provenance },

  TransportClassification: { provenance },

  RestraintDecision: {
    /** The classification the decision rests on; usually read with the decision itself. */
    async classification(decision: DecisionObject, _args: unknown, ctx: Ctx): Promise<ClassificationObject> {
      const row = decision.classificationRow ?? (await ctx.loaders.classificationById.load(decision.classificationId));
      // The foreign key makes a missing classification impossible; fail loudly if it ever happens.
      if (!row) throw new GraphQLError('restraint decision without its classification');
      return toClassification(row, decision.departureAt);
    },
    provenance,
  },
};
