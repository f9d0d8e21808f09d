import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import { composeSupergraph, SUPERGRAPH_PATH } from '../../lib/compose';
import { fromRoot } from '../../lib/paths';
import { readClassifications } from '../../lib/policy/classification';
import { readPolicyFile } from '../../lib/policy/load';
import { defaultPolicyFile } from '../../lib/policy/source';

/**
 * The gateway serves the checked-in schema/supergraph.graphql, never a composition made at
 * start. These tests fail when that file is stale against the partners' schema.graphql
 * files, and when any field in it escaped classification (deny by default would then
 * refuse it for everyone, which is a schema bug, not a policy decision).
 */
describe('checked-in supergraph', () => {
  const checkedIn = readFileSync(fromRoot(SUPERGRAPH_PATH), 'utf8');

  it('equals a fresh composition of the five subgraph schemas, byte for byte', () => {
    const fresh = composeSupergraph();
    // Compare lengths first: a readable failure when only whitespace or a trailing newline differs.
    expect(checkedIn.length).toBe(fresh.length);
    expect(checkedIn === fresh).toBe(true);
  });

  it('joins the five partners', () => {
    const graphs = [...checkedIn.matchAll(/^\s*([A-Z_]+) @join__graph\(name: "([a-z]+)"/gm)].map((m) => m[2]).sort();
    expect(graphs).toEqual(expect.arrayContaining(['coa', 'dji', 'dtv', 'dvo', 'medical']));
  });

  it('classifies every output field', () => {
    const classifications = readClassifications(parse(checkedIn));
    const unclassified = [...classifications.values()].filter((c) => c.className === undefined).map((c) => c.coordinate);
    expect(unclassified).toEqual([]);
    // Every class used in the schema is one the privacy officers' policy declares.
    const declared = new Set(Object.keys(readPolicyFile(defaultPolicyFile()).document.classes));
    const undeclared = [...new Set([...classifications.values()].map((c) => c.className!))].filter((name) => !declared.has(name));
    expect(undeclared).toEqual([]);
    // Guard against an empty or near-empty read passing vacuously.
    expect(classifications.size).toBeGreaterThan(100);
    expect(classifications.get('Query.person')?.className).toBe('identity');
    expect(classifications.get('Person.medicalDossier')?.className).toBe('medical-dossier');
    expect(classifications.get('Person.healthNotice')?.className).toBe('health-notice');
    // A type's class applies to fields without their own: Flight carries return-case.
    expect(classifications.get('Flight.number')?.className).toBe('return-case');
    // A field's own class wins over its type's.
    expect(classifications.get('TransportOrder.classification')?.className).toBe('risk-assessment');
  });
});
