import type { CompiledPolicy } from '../compiled';
import type { ClassDefinition } from '../model';
import { accessCell, type AccessCell } from './access';
import { SHARED_PARTNER, type SupergraphInfo } from './supergraph';

/** One classified field of the supergraph and what each audience gets of it. */
export interface MatrixRow {
  coordinate: string;
  typeName: string;
  fieldName: string;
  /** The owning partner, or `shared`. */
  partner: string;
  partners: string[];
  className: string;
  /** The class's sensitivity, or null when the policy does not define the class. */
  sensitivity: ClassDefinition['sensitivity'] | null;
  cells: Record<string, AccessCell>;
}

/** The access matrix: every classified field by audience. */
export interface AccessMatrix {
  policy: { file: string; version: string; hash: string };
  supergraph: string;
  audiences: Array<{ name: string; description: string; roles: string[] }>;
  /** Partner groups in display order (graph order, then `shared`). */
  partners: string[];
  rows: MatrixRow[];
}

/**
 * Builds the access matrix: for every classified field of the supergraph (grouped by
 * owning partner, in schema order) and every audience of the policy (or those asked for),
 * the decision over all requests (see accessCell).
 */
export function buildMatrix(policy: CompiledPolicy, supergraph: SupergraphInfo, onlyAudiences?: readonly string[]): AccessMatrix {
  const document = policy.document;
  const audiences = Object.entries(document.audiences)
    .filter(([name]) => !onlyAudiences || onlyAudiences.length === 0 || onlyAudiences.includes(name))
    .map(([name, definition]) => ({ name, description: definition.description, roles: [...definition.roles] }));
  const partners = [...supergraph.partners, SHARED_PARTNER];
  const rows: MatrixRow[] = [];
  for (const field of supergraph.fields.values()) {
    if (!field.className) continue;
    const owner = supergraph.ownership.get(field.coordinate) ?? { partner: SHARED_PARTNER, partners: [] };
    const cells: Record<string, AccessCell> = {};
    for (const audience of audiences) cells[audience.name] = accessCell(policy, audience.name, field.coordinate);
    rows.push({
      coordinate: field.coordinate,
      typeName: field.typeName,
      fieldName: field.fieldName,
      partner: owner.partner,
      partners: owner.partners,
      className: field.className,
      sensitivity: document.classes[field.className]?.sensitivity ?? null,
      cells,
    });
  }
  const order = (partner: string) => {
    const index = partners.indexOf(partner);
    return index < 0 ? partners.length : index;
  };
  rows.sort((a, b) => order(a.partner) - order(b.partner));
  return {
    policy: { file: policy.parsed.source, version: policy.version, hash: policy.hash },
    supergraph: supergraph.file,
    audiences,
    partners: partners.filter((partner) => rows.some((row) => row.partner === partner)),
    rows,
  };
}
