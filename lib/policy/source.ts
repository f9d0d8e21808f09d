import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import { fromRoot } from '../paths';
import { readClassifications } from './classification';
import { compilePolicy, type CompiledPolicy } from './compiled';
import { readPolicyFile } from './load';

/** Default policy location (POLICY_FILE overrides). */
export function defaultPolicyFile(): string {
  return fromRoot('schema', 'policy.yaml');
}

/** Default supergraph location (SUPERGRAPH_FILE overrides). */
export function defaultSupergraphFile(): string {
  return fromRoot('schema', 'supergraph.graphql');
}

/** Loads and compiles the policy against the supergraph; throws PolicyError when unfit. */
export function loadPolicyForSupergraph(policyFile: string, supergraphSdl: string): CompiledPolicy {
  return compilePolicy(readPolicyFile(policyFile), readClassifications(parse(supergraphSdl)));
}

/** Loads and compiles the policy against one subgraph's SDL; throws PolicyError when unfit. */
export function loadPolicyForSubgraph(policyFile: string, subgraphSdlFile: string): CompiledPolicy {
  return compilePolicy(readPolicyFile(policyFile), readClassifications(parse(readFileSync(subgraphSdlFile, 'utf8'))), 'subgraph');
}
