import { Supergraph } from '@apollo/federation-internals';
import { parse, print, validate } from 'graphql';
import { readFileSync } from 'node:fs';
import { removeDeniedFields } from '../../gateway/authorization/rewrite';
import { subjectInjection } from '../../gateway/access-log/subject';
import type { Caller } from '../../lib/policy/compiled';
import { defaultPolicyFile, defaultSupergraphFile, loadPolicyForSupergraph } from '../../lib/policy/source';

/**
 * The access log learns whose data each part of a result is from `__accessSubject`, which
 * the authorization rewrite puts into every selection set on Person, always (not only when
 * something is denied), and which is a valid operation for the caller's audience.
 */

const SDL = readFileSync(defaultSupergraphFile(), 'utf8');
const schema = Supergraph.build(SDL).apiSchema().toGraphQLJSSchema();
const policy = loadPolicyForSupergraph(defaultPolicyFile(), SDL);

const DOCTOR: Caller = { audience: 'medical-professional', purpose: 'medical-care', organisation: 'medical' };
const OFFICER: Caller = { audience: 'chain-officer', purpose: 'transport', organisation: 'dvo' };
const PRIVACY: Caller = { audience: 'privacy-officer', purpose: 'supervision', organisation: 'dtv' };

function rewrite(caller: Caller, text: string) {
  const decide = (coordinate: string) => policy.decide(caller, coordinate);
  return removeDeniedFields(schema, parse(text), decide, (c) => policy.classOf(c), subjectInjection(decide));
}

it('injects the V-number into every Person selection set, also when nothing is denied', () => {
  const result = rewrite(
    DOCTOR,
    `query Q($from: DateTime!, $to: DateTime!) {
       person(vNumber: "2044001001") { name { family } ...Health }
       departures(from: $from, to: $to) { nodes { person { vNumber } } }
     }
     fragment Health on Person { healthNotice { fitToTravel } }`,
  );
  expect(result.denied.size).toBe(0);
  expect(result.injected).toBe(true);
  const printed = print(result.document);
  expect(printed).toContain('person(vNumber: "2044001001") {\n    name {\n      family\n    }\n    ...Health\n    __accessSubject: vNumber\n  }');
  expect(printed).toContain('fragment Health on Person {\n  healthNotice {\n    fitToTravel\n  }\n  __accessSubject: vNumber\n}');
  expect(printed).toContain('person {\n        vNumber\n        __accessSubject: vNumber\n      }');
  expect(validate(schema, result.document)).toEqual([]);
});

it('injects the person of a transport order read without its person', () => {
  const result = rewrite(OFFICER, `{ transportOrder(id: "t-1") { plannedPickupAt classification { level } } }`);
  expect(print(result.document)).toContain('__accessSubject: person {\n      vNumber\n    }');
  expect(validate(schema, result.document)).toEqual([]);
});

it('injects next to what a denial left, instead of a placeholder', () => {
  const result = rewrite(OFFICER, `{ person(vNumber: "2044001001") { medicalDossier { conditions { code } } } }`);
  expect([...result.denied.values()].map((d) => d.coordinate)).toEqual(['Person.medicalDossier']);
  expect(print(result.document)).toBe('{\n  person(vNumber: "2044001001") {\n    __accessSubject: vNumber\n  }\n}');
});

it('injects nothing for a caller who may not read V-numbers, nor where no Person is selected', () => {
  expect(rewrite(PRIVACY, `{ person(vNumber: "2044001001") { medicalDossier { conditions { code } } } }`).injected).toBe(false);
  expect(rewrite(PRIVACY, `{ accessLog(filter: {}) { totalCount } }`).injected).toBe(false);
});

it('gives texts that differ after injection different prints, so plans are cached per rewritten text', () => {
  const text = `{ person(vNumber: "2044001001") { name { family } medicalDossier { conditions { code } } } }`;
  expect(print(rewrite(DOCTOR, text).document)).not.toBe(print(rewrite(OFFICER, text).document));
  expect(print(rewrite(DOCTOR, text).document)).not.toBe(print(parse(text)));
});
