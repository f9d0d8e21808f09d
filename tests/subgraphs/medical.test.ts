import { closeEmbedded } from '../../lib/db/open';
import { DEMO_V_NUMBERS, FEATURED_COUNT, type DemoPerson } from '../../lib/demo/world';
import { definition } from '../../subgraphs/medical';
import { bootSubgraph, type BootedSubgraph } from '../support/subgraph';

const PERSON_FIELDS = `
  vNumber
  healthNotice {
    fitToTravel escortAdvice validUntil
    instructions { at instruction }
    provenance { partner recordedByRole recordedAt confirmedAt stale }
  }
  medicalDossier {
    conditions { id code description since provenance { partner recordedByRole obtainedBy stale } }
    medication { id name dosage schedule provenance { recordedByRole stale } }
    fitToTravelAssessment { decision assessedAt considerations provenance { recordedByRole stale } }
    handovers { id fromRole toRole handedOverAt summary provenance { recordedByRole stale } }
    provenance { partner recordedByRole confirmedAt stale }
  }
  escortConsent { status recordedAt provenance { partner recordedByRole stale } }
`;

const ENTITIES = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Person { ${PERSON_FIELDS} } } }`;

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('medical subgraph', () => {
  let booted: BootedSubgraph;

  const personOf = (vNumber: string): DemoPerson => {
    const person = booted.world.persons.find((p) => p.vNumber === vNumber);
    if (!person) throw new Error('person not in the demo world');
    return person;
  };
  const representation = (p: DemoPerson) => ({
    __typename: 'Person',
    vNumber: p.vNumber,
    plannedDepartureAt: p.departureAt ? p.departureAt.toISOString() : null,
  });

  async function entities(representations: object[]): Promise<Json[]> {
    const result = await booted.run(ENTITIES, { r: representations });
    expect(result.errors).toBeUndefined();
    return (result.data as Json)._entities;
  }
  async function person(vNumber: string): Promise<Json> {
    return (await entities([representation(personOf(vNumber))]))[0];
  }

  beforeAll(async () => {
    booted = await bootSubgraph(definition, 60);
  });
  afterAll(async () => {
    await booted?.close();
    // The embedded database is per jest worker; closing it lets the worker exit.
    await closeEmbedded();
  });

  it('shows 2044001001: insulin-dependent diabetes, medication at 12:00, fit with conditions, consent given', async () => {
    const amir = await person(DEMO_V_NUMBERS.consentGiven);
    expect(amir.vNumber).toBe('2044001001');

    const notice = amir.healthNotice;
    expect(notice.fitToTravel).toBe('WITH_CONDITIONS');
    expect(notice.escortAdvice).toBe('MEDEX escort required');
    const noon = notice.instructions.filter((i: Json) => i.at === '12:00');
    expect(noon).toHaveLength(1);
    expect(noon[0].instruction).toMatch(/needs medication at 12:00 during transport/i);
    // The notice is the non-medical translation: no diagnosis, code or drug name in it.
    const noticeText = JSON.stringify(notice.instructions);
    expect(noticeText).not.toMatch(/diabet|insulin|E10/i);
    expect(notice.provenance).toMatchObject({ partner: 'MEDICAL', recordedByRole: 'medical-doctor', stale: false });
    expect(new Date(notice.validUntil).getTime()).toBeGreaterThan(personOf('2044001001').departureAt!.getTime());

    const dossier = amir.medicalDossier;
    expect(dossier.conditions.map((c: Json) => c.code)).toEqual(['E10.9']);
    expect(dossier.conditions[0].description).toMatch(/type 1 diabetes/i);
    expect(dossier.conditions[0].provenance).toMatchObject({ partner: 'MEDICAL', recordedByRole: 'medical-doctor', obtainedBy: 'MEASURED', stale: false });
    const insulin = dossier.medication.filter((m: Json) => /insulin/.test(m.name));
    expect(insulin).toHaveLength(2);
    expect(insulin.some((m: Json) => m.schedule.includes('12:00'))).toBe(true);
    expect(insulin.every((m: Json) => m.dosage.length > 0)).toBe(true);
    expect(dossier.fitToTravelAssessment).toMatchObject({ decision: 'WITH_CONDITIONS', provenance: { recordedByRole: 'medical-doctor', stale: false } });
    expect(dossier.fitToTravelAssessment.considerations).toMatch(/12:00/);
    expect(dossier.provenance).toMatchObject({ partner: 'MEDICAL', recordedByRole: 'medical-doctor', stale: false });

    // Handovers: most recent first, the last one to the MEDEX nurse (consent given).
    const times = dossier.handovers.map((h: Json) => new Date(h.handedOverAt).getTime());
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(dossier.handovers[0]).toMatchObject({ fromRole: 'medical-nurse', toRole: 'medex-nurse' });
    expect(dossier.handovers.length).toBeGreaterThanOrEqual(3);

    expect(amir.escortConsent).toMatchObject({ status: 'GIVEN', provenance: { partner: 'MEDICAL', recordedByRole: 'medical-nurse', stale: false } });
    expect(amir.escortConsent.recordedAt).toEqual(expect.any(String));
  });

  it('shows 2044001002: asthma with an inhaler, consent refused, no handover to the escort', async () => {
    const nadia = await person(DEMO_V_NUMBERS.consentRefused);
    expect(nadia.medicalDossier.conditions.map((c: Json) => c.code)).toEqual(['J45.9']);
    expect(nadia.medicalDossier.medication.map((m: Json) => m.name)).toContain('salbutamol inhaler');
    expect(nadia.medicalDossier.handovers.some((h: Json) => h.toRole === 'medex-nurse')).toBe(false);
    expect(nadia.healthNotice.fitToTravel).toBe('WITH_CONDITIONS');
    expect(nadia.healthNotice.escortAdvice).toBe('MEDEX escort required');
    expect(nadia.healthNotice.instructions.some((i: Json) => /inhaler within/.test(i.instruction) && i.at === null)).toBe(true);
    expect(nadia.escortConsent.status).toBe('REFUSED');
    expect(nadia.escortConsent.provenance.partner).toBe('MEDICAL');
  });

  it('shows 2044001003 (no particulars, departure planned): fit to travel yes, no dossier, consent not asked', async () => {
    const kofi = await person(DEMO_V_NUMBERS.reception);
    expect(kofi.medicalDossier).toBeNull();
    expect(kofi.healthNotice).toMatchObject({ fitToTravel: 'YES', instructions: [], escortAdvice: null });
    expect(kofi.escortConsent).toEqual({ status: 'NOT_ASKED', recordedAt: null, provenance: null });
  });

  it('does not know 2044001005 (reception, no particulars, no departure) and returns nulls', async () => {
    const yusuf = await person(DEMO_V_NUMBERS.noDeparture);
    expect(yusuf).toEqual({ vNumber: '2044001005', healthNotice: null, medicalDossier: null, escortConsent: null });
  });

  it('marks the medical facts of 2044001004 stale: confirmed 21 days ago, departure in three days', async () => {
    const selam = await person(DEMO_V_NUMBERS.stale);
    const p = personOf(DEMO_V_NUMBERS.stale);
    expect(p.factAgeDays.medical).toBe(21);
    expect(selam.medicalDossier.provenance.stale).toBe(true);
    expect(new Date(selam.medicalDossier.provenance.confirmedAt).getTime()).toBe(booted.world.reference.getTime() - 21 * 24 * 3600_000);
    expect(selam.medicalDossier.conditions.map((c: Json) => c.code)).toEqual(['I10', 'M54.5']);
    expect(selam.medicalDossier.conditions.every((c: Json) => c.provenance.stale === true)).toBe(true);
    expect(selam.medicalDossier.fitToTravelAssessment.provenance.stale).toBe(true);
    expect(selam.healthNotice.provenance.stale).toBe(true);
    // A notice is valid 14 days after its confirmation: this one has expired before departure.
    expect(new Date(selam.healthNotice.validUntil).getTime()).toBeLessThan(p.departureAt!.getTime());
    expect(selam.escortConsent).toEqual({ status: 'NOT_ASKED', recordedAt: null, provenance: null });
  });

  it('judges staleness against the planned departure passed in the representation', async () => {
    const p = personOf(DEMO_V_NUMBERS.consentGiven);
    const farAway = new Date(booted.world.reference.getTime() + 30 * 24 * 3600_000).toISOString();
    const [later] = await entities([{ __typename: 'Person', vNumber: p.vNumber, plannedDepartureAt: farAway }]);
    expect(later.medicalDossier.provenance.stale).toBe(true);
    const [soon] = await entities([representation(p)]);
    expect(soon.medicalDossier.provenance.stale).toBe(false);
  });

  it('returns null sections for an unknown V-number', async () => {
    const [unknown] = await entities([{ __typename: 'Person', vNumber: '2044999999', plannedDepartureAt: null }]);
    expect(unknown).toEqual({ vNumber: '2044999999', healthNotice: null, medicalDossier: null, escortConsent: null });
  });

  it('exposes escortConsent as a loader for the authorization layer', async () => {
    const loaders = definition.createLoaders(booted.store);
    const [given, refused, notAsked, unknown] = await loaders.escortConsent.loadMany(['2044001001', '2044001002', '2044001004', '2044999999']);
    expect(given).toMatchObject({ status: 'GIVEN' });
    expect(refused).toMatchObject({ status: 'REFUSED' });
    expect(notAsked).toMatchObject({ status: 'NOT_ASKED' });
    expect(unknown).toBeNull();
  });

  it('carries the data subject on every object it returns', async () => {
    const p = personOf(DEMO_V_NUMBERS.consentGiven);
    const departure = p.departureAt!;
    const seen: Array<{ type: string; vNumber: unknown; departureAt: unknown }> = [];
    const ctx = { loaders: definition.createLoaders(booted.store) };
    const parent = { vNumber: p.vNumber, plannedDepartureAt: departure.toISOString() };
    const r = definition.resolvers;
    const record = (type: string, obj: Json) => seen.push({ type, vNumber: obj.vNumber, departureAt: obj.departureAt?.getTime() });
    const notice = await r.Person!.healthNotice(parent, {}, ctx);
    record('HealthNotice', notice);
    for (const i of await r.HealthNotice!.instructions(notice, {}, ctx)) record('CareInstruction', i);
    const dossier = await r.Person!.medicalDossier(parent, {}, ctx);
    record('MedicalDossier', dossier);
    for (const field of ['conditions', 'medication', 'handovers']) {
      for (const item of await r.MedicalDossier![field](dossier, {}, ctx)) record(field, item);
    }
    record('FitToTravelAssessment', await r.MedicalDossier!.fitToTravelAssessment(dossier, {}, ctx));
    record('EscortConsent', await r.Person!.escortConsent(parent, {}, ctx));
    expect(seen.length).toBeGreaterThan(8);
    for (const entry of seen) expect(entry).toEqual({ type: entry.type, vNumber: p.vNumber, departureAt: departure.getTime() });
  });

  it('varies conditions among generated persons and keeps the world consistent', async () => {
    const generated = booted.world.persons.filter((p) => p.index >= FEATURED_COUNT);
    const found = await entities(generated.map(representation));
    const codes = new Set<string>();
    found.forEach((entity, i) => {
      const p = generated[i]!;
      if (p.medicalParticulars) {
        expect(entity.medicalDossier.conditions.length).toBeGreaterThan(0);
        for (const c of entity.medicalDossier.conditions) codes.add(c.code);
        expect(entity.healthNotice).not.toBeNull();
        expect(entity.healthNotice.escortAdvice).toBe(p.escort === 'MEDEX' ? (entity.healthNotice.fitToTravel === 'NO' ? 'MEDEX escort required once fit to travel' : 'MEDEX escort required') : 'No medical escort required');
      } else {
        expect(entity.medicalDossier).toBeNull();
      }
      const known = p.situation === 'DETENTION' || p.medicalParticulars || p.departureAt !== undefined;
      expect(entity.escortConsent?.status ?? null).toBe(known ? p.escortConsent : null);
    });
    expect(codes.size).toBeGreaterThanOrEqual(5);
    for (const code of codes) expect(code).toMatch(/^[A-Z]\d{2}(\.\d{1,2})?$/);
  });

  it('costs the same number of statements for 10 and for 50 persons', async () => {
    const persons = booted.world.persons;
    expect(persons.length).toBeGreaterThanOrEqual(60);
    const measure = async (group: DemoPerson[]) => {
      const before = booted.store.stats.statements;
      const found = await entities(group.map(representation));
      expect(found).toHaveLength(group.length);
      return booted.store.stats.statements - before;
    };
    const ten = await measure(persons.slice(0, 10));
    const fifty = await measure(persons.slice(10, 60));
    // notice, instructions, dossier, conditions, medication, assessment, handovers, consent
    expect(ten).toBe(8);
    expect(fifty).toBe(ten);
  });

  it('refuses a malformed V-number without echoing it', async () => {
    const result = await booted.run(ENTITIES, { r: [{ __typename: 'Person', vNumber: '12345-secret', plannedDepartureAt: null }] });
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(result.errors)).not.toContain('12345-secret');
  });

  it('refuses a malformed planned departure in a representation', async () => {
    const result = await booted.run(ENTITIES, { r: [{ __typename: 'Person', vNumber: '2044001001', plannedDepartureAt: 'tomorrow-ish' }] });
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(result.errors)).not.toContain('tomorrow-ish');
  });

  it('lets the database refuse bad medical data', async () => {
    await expect(
      booted.store.query(
        `INSERT INTO medical.condition (id, v_number, position, code, description, recorded_by_role, recorded_at, confirmed_at)
         VALUES ('x-1', '2044001001', 99, 'not-icd', 'x', 'medical-doctor', now(), now())`,
      ),
    ).rejects.toThrow();
    await expect(
      booted.store.query(
        `INSERT INTO medical.escort_consent (id, v_number, status, recorded_by_role, recorded_at, confirmed_at)
         VALUES ('x-2', '2044001001', 'GIVEN', 'transport-officer', now(), now())`,
      ),
    ).rejects.toThrow();
    await expect(
      booted.store.query(
        `INSERT INTO medical.care_instruction (id, notice_id, v_number, position, at, instruction, recorded_by_role, recorded_at, confirmed_at)
         SELECT 'x-3', id, v_number, 99, '25:00', 'x', 'medical-doctor', now(), now() FROM medical.health_notice LIMIT 1`,
      ),
    ).rejects.toThrow();
  });
});
