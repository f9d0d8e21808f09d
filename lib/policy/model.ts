/** The privacy policy as privacy officers write it in schema/policy.yaml. */
export interface PolicyDocument {
  version: string;
  settings?: { onDenied?: 'null-field' | 'reject-operation' };
  purposes: Record<string, string>;
  audiences: Record<string, AudienceDefinition>;
  classes: Record<string, ClassDefinition>;
  rules: RuleDefinition[];
}

export interface AudienceDefinition {
  description: string;
  roles: string[];
  requireBigRegistration?: boolean;
}

export interface ClassDefinition {
  description: string;
  sensitivity: 'none' | 'personal' | 'special-category';
  /** Written to the access log on every release or denial; default true for special-category. */
  audit?: boolean;
}

export interface RuleDefinition {
  id: string;
  description: string;
  effect?: 'allow' | 'deny';
  audiences: string[];
  classes?: string[];
  fields?: string[];
  when?: RuleConditions;
}

export interface RuleConditions {
  purpose?: string[];
  organisation?: string[];
  /** Data-dependent: decided where the data is (the medical subgraph). */
  consent?: 'escort';
}

/** A condition that only the subgraph holding the data can decide. */
export type DataCondition = 'consent:escort';

/**
 * A decision for one field and one caller:
 * - allow: return it;
 * - deny: withhold it;
 * - conditional: allowed only where the data conditions hold for the person concerned;
 *   the gateway lets it through and the owning subgraph decides per person.
 */
export type Decision =
  | { effect: 'allow'; rule: string }
  | { effect: 'deny'; rule: string }
  | { effect: 'conditional'; rule: string; conditions: DataCondition[]; alternatives: Array<{ rule: string; conditions: DataCondition[] }> };

/** The name under which a denial by no rule at all is reported. */
export const DEFAULT_DENY = 'default-deny';

/** A field's classification as found in a schema. */
export interface FieldClassification {
  /** `Type.field`. */
  coordinate: string;
  typeName: string;
  fieldName: string;
  /** The class from the field's directive, else its type's; undefined when unclassified. */
  className: string | undefined;
}
