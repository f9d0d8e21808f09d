import { Kind, type FieldNode } from 'graphql';
import type { Decision } from '../../lib/policy/model';
import type { InjectSelection } from '../authorization/rewrite';

/**
 * Response key of the data subject's V-number that authorization injects into every
 * selection set on Person (`__accessSubject: vNumber`), so the access log knows whose data
 * each part of a result is. Removed from the result before it leaves the gateway.
 */
export const SUBJECT_KEY = '__accessSubject';

const name = (value: string) => ({ kind: Kind.NAME, value }) as const;

const PERSON_SUBJECT: FieldNode = { kind: Kind.FIELD, alias: name(SUBJECT_KEY), name: name('vNumber') };

// A transport order can be read without its person (Query.transportOrder); its subject is
// the person it is for: `__accessSubject: person { vNumber }`.
const TRANSPORT_ORDER_SUBJECT: FieldNode = {
  kind: Kind.FIELD,
  alias: name(SUBJECT_KEY),
  name: name('person'),
  selectionSet: { kind: Kind.SELECTION_SET, selections: [{ kind: Kind.FIELD, name: name('vNumber') }] },
};

/** Per type: the selection that yields its data subject and the fields the caller must be allowed to read for it. */
const SUBJECT_SELECTIONS: Record<string, { selection: FieldNode; needs: string[] }> = {
  Person: { selection: PERSON_SUBJECT, needs: ['Person.vNumber'] },
  TransportOrder: { selection: TRANSPORT_ORDER_SUBJECT, needs: ['TransportOrder.person', 'Person.vNumber'] },
};

/**
 * The subject selection for the rewrite, for a caller decided by `decide`: injected only
 * where the caller may read the V-number (a privacy officer may not; the subgraph would
 * refuse it). Callers who may not get records whose subject comes from the arguments.
 */
export function subjectInjection(decide: (coordinate: string) => Decision): InjectSelection {
  return (typeName) => {
    const entry = SUBJECT_SELECTIONS[typeName];
    if (!entry || entry.needs.some((coordinate) => decide(coordinate).effect === 'deny')) return undefined;
    return entry.selection;
  };
}

/** The V-number an injected subject value carries (`"2044001001"` or `{ vNumber: "2044001001" }`), if any. */
export function subjectValue(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object') {
    const inner = (value as Record<string, unknown>).vNumber;
    if (typeof inner === 'string') return inner;
  }
  return undefined;
}

/**
 * Deletes every injected subject key from a result, in place. It visits every object of the
 * result, so it is written for speed: index and for-in loops (no array of values per object,
 * which made it several times slower on a page of departures), and a delete only where the
 * key is (it is the last key of its object, which V8 removes without leaving fast mode).
 */
export function stripSubjects(value: unknown): void {
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (item !== null && typeof item === 'object') stripSubjects(item);
    }
    return;
  }
  const record = value as Record<string, unknown>;
  if (record[SUBJECT_KEY] !== undefined) delete record[SUBJECT_KEY];
  for (const key in record) {
    const child = record[key];
    if (child !== null && typeof child === 'object') stripSubjects(child);
  }
}
