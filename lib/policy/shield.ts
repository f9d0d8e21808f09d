import { GraphQLError, isObjectType, type GraphQLSchema } from 'graphql';
import { allow, rule, shield } from 'graphql-shield';
import type { ShieldRule } from 'graphql-shield/typings/types';
import type { Identity } from '../identity/identity';
import { isFederationBuiltIn } from './classification';
import type { Caller, CompiledPolicy } from './compiled';
import { forbiddenError } from './errors';

/** What the shield needs from a subgraph's request context. */
export interface ShieldContext {
  identity: Identity;
  loaders: unknown;
}

/** Looks up whether the data subject consented to share the dossier with the escort. */
export type ConsentLookup = (vNumber: string, context: ShieldContext) => Promise<boolean>;

/** The caller as the policy sees it, from a subgraph context. */
export function callerOf(identity: Identity): Caller {
  return { audience: identity.audience, purpose: identity.purpose, organisation: identity.organisation };
}

function subjectOf(parent: unknown): string | undefined {
  const value = (parent as { vNumber?: unknown } | null)?.vNumber;
  return typeof value === 'string' ? value : undefined;
}

/**
 * graphql-shield rules for every field of a subgraph schema, generated from the policy:
 * deny by default (fallbackRule), federation built-ins allowed, FORBIDDEN errors. A
 * conditional decision (consent) is resolved here, per parent object, from the data
 * subject's facts; the rule therefore reads `parent` and is never cached across parents.
 * `policy` is read through the getter on every request so a reloaded policy applies at once.
 */
export function shieldFromPolicy(schema: GraphQLSchema, policy: () => CompiledPolicy, consent?: ConsentLookup) {
  const rules: Record<string, Record<string, ShieldRule>> = {};
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    const fieldRules: Record<string, ShieldRule> = {};
    for (const fieldName of Object.keys(type.getFields())) {
      const coordinate = `${type.name}.${fieldName}`;
      if (isFederationBuiltIn(type.name, fieldName)) {
        fieldRules[fieldName] = allow;
        continue;
      }
      fieldRules[fieldName] = rule(`policy:${coordinate}`, { cache: 'no_cache' })(async (parent, _args, context: ShieldContext) => {
        const current = policy();
        const decision = current.decide(callerOf(context.identity), coordinate);
        if (decision.effect === 'allow') return true;
        const className = current.classOf(coordinate);
        if (decision.effect === 'deny') return forbiddenError(coordinate, decision.rule, className);
        const vNumber = subjectOf(parent);
        const escortConsent = vNumber !== undefined && consent !== undefined ? await consent(vNumber, context) : false;
        const outcome = current.resolve(decision, { escortConsent });
        return outcome.allowed ? true : forbiddenError(coordinate, decision.rule, className);
      });
    }
    rules[type.name] = fieldRules;
  }
  return shield(rules, {
    fallbackRule: rule('deny-by-default', { cache: 'contextual' })(() => new GraphQLError('Not authorised', { extensions: { code: 'FORBIDDEN', rule: 'default-deny' } })),
    fallbackError: () => new GraphQLError('Not authorised', { extensions: { code: 'FORBIDDEN', rule: 'default-deny' } }),
    allowExternalErrors: true,
    debug: false,
  });
}

/**
 * Wraps each entity type's `__resolveReference` so that `_entities` refuses types the
 * caller may read nothing of. graphql-shield does not see reference resolvers, and a
 * direct `_entities` call must get no more than the gateway would give.
 */
export function guardReferenceResolvers<R extends Record<string, Record<string, unknown>>>(
  resolvers: R,
  schema: GraphQLSchema,
  policy: () => CompiledPolicy,
): R {
  const guarded: Record<string, Record<string, unknown>> = {};
  for (const [typeName, typeResolvers] of Object.entries(resolvers)) {
    const original = typeResolvers.__resolveReference;
    const type = schema.getType(typeName);
    if (typeof original !== 'function' || !isObjectType(type)) {
      guarded[typeName] = typeResolvers;
      continue;
    }
    const fields = Object.keys(type.getFields()).map((field) => `${typeName}.${field}`);
    guarded[typeName] = {
      ...typeResolvers,
      __resolveReference(reference: unknown, context: ShieldContext, info: unknown) {
        const current = policy();
        const caller = callerOf(context.identity);
        if (fields.every((coordinate) => current.decide(caller, coordinate).effect === 'deny')) {
          throw forbiddenError(typeName, 'default-deny', undefined);
        }
        return (original as (r: unknown, c: unknown, i: unknown) => unknown)(reference, context, info);
      },
    };
  }
  return guarded as R;
}
