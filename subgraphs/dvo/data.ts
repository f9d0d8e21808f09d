import DataLoader from 'dataloader';
import type { Queryable, Store } from '../../lib/db/store';
import { groupByKey, oneByKey, type ProvenanceColumns } from '../../lib/subgraph/kit';

// SQL access for DV&O. Rows keep the database's snake_case names (the provenance columns are
// read as-is by provenanceOf); resolvers.ts maps them to the SDL's camelCase fields.

export type TransportKind = 'TO_AIRPORT' | 'TRANSFER';
export type TransportClassLevel = 'STANDARD' | 'EXTRA_SECURED';
export type RestraintMeans = 'HANDCUFFS' | 'BODY_CUFF' | 'LEG_CUFFS';

/** Minimum length of a written justification after trimming; the database checks the same. */
export const MIN_JUSTIFICATION_LENGTH = 20;

interface ProvenanceRow extends ProvenanceColumns {
  recorded_by_role: string;
  recorded_at: Date;
  confirmed_at: Date;
}

export interface OrderRow extends ProvenanceRow {
  id: string;
  v_number: string;
  kind: TransportKind;
  from_location: string;
  to_location: string;
  planned_pickup_at: Date;
  actual_pickup_at: Date | null;
}

export interface PickupChangeRow extends ProvenanceRow {
  id: string;
  transport_order_id: string;
  v_number: string;
  previous_pickup_at: Date;
  new_pickup_at: Date;
  changed_at: Date;
  reason: string;
}

export interface ClassificationRow extends ProvenanceRow {
  id: string;
  transport_order_id: string;
  v_number: string;
  level: TransportClassLevel;
  justification: string;
  assessed_at: Date;
}

export interface RestraintDecisionRow extends ProvenanceRow {
  id: string;
  transport_order_id: string;
  classification_id: string;
  v_number: string;
  means: RestraintMeans[];
  justification: string;
  decided_at: Date;
  /** The classification the decision rests on, read in the same statement. */
  classification: ClassificationRow;
}

const PROVENANCE = 'recorded_by_role, recorded_at, confirmed_at';
const ORDER_COLUMNS = `id, v_number, kind, from_location, to_location, planned_pickup_at, actual_pickup_at, ${PROVENANCE}`;
const CHANGE_COLUMNS = `id, transport_order_id, v_number, previous_pickup_at, new_pickup_at, changed_at, reason, ${PROVENANCE}`;
const CLASSIFICATION_COLUMNS = `id, transport_order_id, v_number, level, justification, assessed_at, ${PROVENANCE}`;

// A decision row with its classification joined in under a `c_` prefix, so that
// `RestraintDecision.classification` costs no statement of its own.
const DECISION_SELECT = `
  SELECT d.id, d.transport_order_id, d.classification_id, d.v_number, d.means, d.justification, d.decided_at,
         d.recorded_by_role, d.recorded_at, d.confirmed_at,
         c.id AS c_id, c.transport_order_id AS c_transport_order_id, c.v_number AS c_v_number, c.level AS c_level,
         c.justification AS c_justification, c.assessed_at AS c_assessed_at,
         c.recorded_by_role AS c_recorded_by_role, c.recorded_at AS c_recorded_at, c.confirmed_at AS c_confirmed_at
    FROM dvo.restraint_decision d
    JOIN dvo.transport_classification c ON c.id = d.classification_id`;

type JoinedDecisionRow = Omit<RestraintDecisionRow, 'classification'> & {
  c_id: string;
  c_transport_order_id: string;
  c_v_number: string;
  c_level: TransportClassLevel;
  c_justification: string;
  c_assessed_at: Date;
  c_recorded_by_role: string;
  c_recorded_at: Date;
  c_confirmed_at: Date;
};

function decisionFromJoined(row: JoinedDecisionRow): RestraintDecisionRow {
  return {
    id: row.id,
    transport_order_id: row.transport_order_id,
    classification_id: row.classification_id,
    v_number: row.v_number,
    means: row.means,
    justification: row.justification,
    decided_at: row.decided_at,
    recorded_by_role: row.recorded_by_role,
    recorded_at: row.recorded_at,
    confirmed_at: row.confirmed_at,
    classification: {
      id: row.c_id,
      transport_order_id: row.c_transport_order_id,
      v_number: row.c_v_number,
      level: row.c_level,
      justification: row.c_justification,
      assessed_at: row.c_assessed_at,
      recorded_by_role: row.c_recorded_by_role,
      recorded_at: row.c_recorded_at,
      confirmed_at: row.c_confirmed_at,
    },
  };
}

/** Transport orders of many persons in one statement, each person's by planned pickup time. */
export function ordersByVNumbers(db: Queryable, vNumbers: readonly string[]): Promise<OrderRow[]> {
  return db.query<OrderRow>(
    `SELECT ${ORDER_COLUMNS} FROM dvo.transport_order
      WHERE v_number = ANY($1::text[]) ORDER BY v_number, planned_pickup_at, id`,
    [vNumbers],
    'dvo_orders_by_v_numbers',
  );
}

/** Transport orders by id in one statement; unknown ids simply have no row. */
export function ordersByIds(db: Queryable, ids: readonly string[]): Promise<OrderRow[]> {
  return db.query<OrderRow>(`SELECT ${ORDER_COLUMNS} FROM dvo.transport_order WHERE id = ANY($1::text[])`, [ids], 'dvo_orders_by_ids');
}

/** Pickup changes of many orders in one statement, oldest first within each order. */
export function pickupChangesByOrderIds(db: Queryable, orderIds: readonly string[]): Promise<PickupChangeRow[]> {
  return db.query<PickupChangeRow>(
    `SELECT ${CHANGE_COLUMNS} FROM dvo.pickup_change
      WHERE transport_order_id = ANY($1::text[]) ORDER BY transport_order_id, changed_at, id`,
    [orderIds],
    'dvo_pickup_changes_by_order_ids',
  );
}

/** The classification of many orders in one statement (at most one per order). */
export function classificationsByOrderIds(db: Queryable, orderIds: readonly string[]): Promise<ClassificationRow[]> {
  return db.query<ClassificationRow>(
    `SELECT ${CLASSIFICATION_COLUMNS} FROM dvo.transport_classification WHERE transport_order_id = ANY($1::text[])`,
    [orderIds],
    'dvo_classifications_by_order_ids',
  );
}

/** Classifications by id in one statement. */
export function classificationsByIds(db: Queryable, ids: readonly string[]): Promise<ClassificationRow[]> {
  return db.query<ClassificationRow>(
    `SELECT ${CLASSIFICATION_COLUMNS} FROM dvo.transport_classification WHERE id = ANY($1::text[])`,
    [ids],
    'dvo_classifications_by_ids',
  );
}

/** Restraint decisions of many orders in one statement, each with its classification, oldest first. */
export async function restraintDecisionsByOrderIds(db: Queryable, orderIds: readonly string[]): Promise<RestraintDecisionRow[]> {
  const rows = await db.query<JoinedDecisionRow>(
    `${DECISION_SELECT} WHERE d.transport_order_id = ANY($1::text[]) ORDER BY d.transport_order_id, d.decided_at, d.id`,
    [orderIds],
    'dvo_restraint_decisions_by_order_ids',
  );
  return rows.map(decisionFromJoined);
}

/**
 * Reads one order inside a transaction and locks it against deletion until commit, so a
 * decision is never stored against an order that vanished between check and insert.
 */
export async function lockOrder(tx: Queryable, id: string): Promise<OrderRow | null> {
  const rows = await tx.query<OrderRow>(`SELECT ${ORDER_COLUMNS} FROM dvo.transport_order WHERE id = $1 FOR SHARE`, [id]);
  return rows[0] ?? null;
}

/** Reads and locks one classification inside a transaction (see lockOrder). */
export async function lockClassification(tx: Queryable, id: string): Promise<ClassificationRow | null> {
  const rows = await tx.query<ClassificationRow>(
    `SELECT ${CLASSIFICATION_COLUMNS} FROM dvo.transport_classification WHERE id = $1 FOR SHARE`,
    [id],
  );
  return rows[0] ?? null;
}

/** A restraint decision as it is written; the classification is referenced by id only. */
export type NewRestraintDecision = Omit<RestraintDecisionRow, 'classification'>;

/** Inserts one restraint decision; the database's constraints are the last line of defence. */
export async function insertRestraintDecision(tx: Queryable, row: NewRestraintDecision): Promise<void> {
  await tx.query(
    `INSERT INTO dvo.restraint_decision
       (id, transport_order_id, classification_id, v_number, means, justification, decided_at,
        recorded_by_role, recorded_at, confirmed_at)
     VALUES ($1, $2, $3, $4, $5::text[], $6, $7, $8, $9, $10)`,
    [
      row.id,
      row.transport_order_id,
      row.classification_id,
      row.v_number,
      row.means,
      row.justification,
      row.decided_at,
      row.recorded_by_role,
      row.recorded_at,
      row.confirmed_at,
    ],
  );
}

/** Per-request loaders; each one turns the lookups of one resolver level into one statement. */
export interface Loaders {
  ordersByVNumber: DataLoader<string, OrderRow[]>;
  orderById: DataLoader<string, OrderRow | null>;
  pickupChangesByOrderId: DataLoader<string, PickupChangeRow[]>;
  classificationByOrderId: DataLoader<string, ClassificationRow | null>;
  classificationById: DataLoader<string, ClassificationRow | null>;
  restraintDecisionsByOrderId: DataLoader<string, RestraintDecisionRow[]>;
}

/**
 * Creates the loaders for one request. Rows found through one loader prime the by-id
 * loaders, so following a reference to something already read costs no statement.
 */
export function createLoaders(store: Store): Loaders {
  const orderById = new DataLoader<string, OrderRow | null>(async (ids) =>
    oneByKey(ids, await ordersByIds(store, ids), (row) => row.id),
  );
  const classificationById = new DataLoader<string, ClassificationRow | null>(async (ids) =>
    oneByKey(ids, await classificationsByIds(store, ids), (row) => row.id),
  );
  return {
    orderById,
    classificationById,
    ordersByVNumber: new DataLoader(async (vNumbers) => {
      const rows = await ordersByVNumbers(store, vNumbers);
      for (const row of rows) orderById.prime(row.id, row);
      return groupByKey(vNumbers, rows, (row) => row.v_number);
    }),
    pickupChangesByOrderId: new DataLoader(async (orderIds) =>
      groupByKey(orderIds, await pickupChangesByOrderIds(store, orderIds), (row) => row.transport_order_id),
    ),
    classificationByOrderId: new DataLoader(async (orderIds) => {
      const rows = await classificationsByOrderIds(store, orderIds);
      for (const row of rows) classificationById.prime(row.id, row);
      return oneByKey(orderIds, rows, (row) => row.transport_order_id);
    }),
    restraintDecisionsByOrderId: new DataLoader(async (orderIds) => {
      const rows = await restraintDecisionsByOrderIds(store, orderIds);
      for (const row of rows) classificationById.prime(row.classification.id, row.classification);
      return groupByKey(orderIds, rows, (row) => row.transport_order_id);
    }),
  };
}
