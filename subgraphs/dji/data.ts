import DataLoader from 'dataloader';
import type { Store } from '../../lib/db/store';
import { groupByKey, oneByKey, type ProvenanceColumns } from '../../lib/subgraph/kit';

/**
 * SQL access for DJI. Every lookup made per parent goes through a DataLoader whose batch
 * function sends ONE statement for all keys of the batch, so an answer about 10 or 100
 * persons costs the same number of statements (one per kind of lookup).
 */

export type BehaviourCategory = 'COOPERATIVE' | 'CALM' | 'AGITATED' | 'AGGRESSIVE' | 'ESCAPE_RISK' | 'SELF_HARM_RISK';
export type BelongingsCategory = 'DOCUMENTS' | 'CLOTHING' | 'ELECTRONICS' | 'MONEY' | 'MEDICATION' | 'OTHER';
export type BelongingsLocation = 'STORED' | 'WITH_PERSON' | 'HANDED_OVER';
export type BelongingsChangeKind = 'ADDED' | 'REMOVED' | 'MODIFIED' | 'HANDED_OVER';

/** A row of dji.detention joined with its centre. */
export interface DetentionRow extends ProvenanceColumns {
  id: string;
  v_number: string;
  centre_code: string;
  centre_name: string;
  unit: string;
  admitted_at: Date;
  ready_for_transport: boolean;
  readiness_note: string | null;
}

export interface ObservationRow extends ProvenanceColumns {
  id: string;
  v_number: string;
  observed_at: Date;
  category: BehaviourCategory;
  description: string;
}

export interface ItemRow extends ProvenanceColumns {
  id: string;
  v_number: string;
  description: string;
  category: BelongingsCategory;
  quantity: number;
  location: BelongingsLocation;
}

export interface ChangeRow extends ProvenanceColumns {
  id: string;
  item_id: string;
  v_number: string;
  changed_at: Date;
  kind: BelongingsChangeKind;
  description: string;
}

/** This subgraph's per-request loaders. */
export interface Loaders {
  /** The current stay by V-number; null when DJI does not hold the person. */
  detentionByVNumber: DataLoader<string, DetentionRow | null>;
  /** Behaviour observations by V-number, oldest first. */
  observationsByVNumber: DataLoader<string, ObservationRow[]>;
  /** Belongings items by V-number, in a stable order (category, then id). */
  itemsByVNumber: DataLoader<string, ItemRow[]>;
  /** Changes by item id, oldest first; one statement for all items of all persons asked. */
  changesByItemId: DataLoader<string, ChangeRow[]>;
}

const PROVENANCE = 'recorded_by_role, recorded_at, confirmed_at';

/** Stays of `vNumbers` (one statement), in key order, null where DJI does not hold the person. */
export async function detentionsFor(store: Store, vNumbers: readonly string[]): Promise<Array<DetentionRow | null>> {
  const rows = await store.query<DetentionRow>(
    `SELECT d.id, d.v_number, d.centre_code, c.name AS centre_name, d.unit, d.admitted_at,
            d.ready_for_transport, d.readiness_note, d.recorded_by_role, d.recorded_at, d.confirmed_at
       FROM dji.detention d
       JOIN dji.detention_centre c ON c.code = d.centre_code
      WHERE d.v_number = ANY($1::text[])`,
    [vNumbers],
    'dji_detention_by_v_numbers',
  );
  return oneByKey(vNumbers, rows, (row) => row.v_number);
}

/** Observations of `vNumbers` (one statement), grouped per key, oldest first. */
export async function observationsFor(store: Store, vNumbers: readonly string[]): Promise<ObservationRow[][]> {
  const rows = await store.query<ObservationRow>(
    `SELECT id, v_number, observed_at, category, description, ${PROVENANCE}
       FROM dji.behaviour_observation
      WHERE v_number = ANY($1::text[])
      ORDER BY observed_at, id`,
    [vNumbers],
    'dji_observations_by_v_numbers',
  );
  return groupByKey(vNumbers, rows, (row) => row.v_number);
}

/** Belongings items of `vNumbers` (one statement), grouped per key. */
export async function itemsFor(store: Store, vNumbers: readonly string[]): Promise<ItemRow[][]> {
  const rows = await store.query<ItemRow>(
    `SELECT id, v_number, description, category, quantity, location, ${PROVENANCE}
       FROM dji.belongings_item
      WHERE v_number = ANY($1::text[])
      ORDER BY id`,
    [vNumbers],
    'dji_items_by_v_numbers',
  );
  return groupByKey(vNumbers, rows, (row) => row.v_number);
}

/** Changes of `itemIds` (one statement), grouped per item, oldest first. */
export async function changesFor(store: Store, itemIds: readonly string[]): Promise<ChangeRow[][]> {
  const rows = await store.query<ChangeRow>(
    `SELECT id, item_id, v_number, changed_at, kind, description, ${PROVENANCE}
       FROM dji.belongings_change
      WHERE item_id = ANY($1::text[])
      ORDER BY changed_at, id`,
    [itemIds],
    'dji_changes_by_item_ids',
  );
  return groupByKey(itemIds, rows, (row) => row.item_id);
}

/**
 * Fresh loaders for one request. The cache lives as long as the request, so `detention`
 * and `belongings` of the same person share one lookup of the stay.
 */
export function createLoaders(store: Store): Loaders {
  return {
    detentionByVNumber: new DataLoader((keys) => detentionsFor(store, keys)),
    observationsByVNumber: new DataLoader((keys) => observationsFor(store, keys)),
    itemsByVNumber: new DataLoader((keys) => itemsFor(store, keys)),
    changesByItemId: new DataLoader((keys) => changesFor(store, keys)),
  };
}

/** True when DJI holds no persons yet: demo seeding runs only then. */
export async function isEmpty(store: Store): Promise<boolean> {
  const rows = await store.query<{ empty: boolean }>('SELECT NOT EXISTS (SELECT 1 FROM dji.detention) AS empty');
  return rows[0]?.empty ?? true;
}
