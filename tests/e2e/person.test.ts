import { DEMO_V_NUMBERS } from '../../lib/demo/world';
import { startTestStack, type GraphQLResponse, type TestStack } from '../support/stack';

/**
 * The person-centred query through the gateway: one request for 2044001001 (the featured
 * person who leaves in eight hours with a MEDEX escort) reaches all five partners and
 * returns what each of them holds. The expected values are the featured person's fixed
 * facts from lib/demo/world.ts and the partners' hand-made demo data in
 * subgraphs/<name>/demo.ts; times are relative to the world's reference hour.
 */

jest.setTimeout(120_000);

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const PARTNERS = ['dtv', 'dji', 'dvo', 'coa', 'medical'];

const PERSON = /* GraphQL */ `
  query Person($vNumber: String!) {
    person(vNumber: $vNumber) {
      vNumber
      name { given family }
      nationality
      dateOfBirth
      plannedDepartureAt
      identityProvenance { partner recordedByRole }
      returnCase {
        caseNumber
        status
        departure {
          plannedAt
          flight { number carrier fromAirport toAirport departsAt }
          escort { kind escortCount medicalEscort provenance { partner } }
          provenance { partner recordedByRole }
        }
        provenance { partner }
      }
      detention {
        centre { code name }
        unit
        readyForTransport
        observations { category }
        provenance { partner recordedByRole stale }
      }
      belongings {
        description
        category
        quantity
        changedLastMinute
        changes { changedAt kind description lastMinute provenance { partner recordedByRole } }
        provenance { partner }
      }
      transportOrders {
        id
        kind
        fromLocation
        toLocation
        plannedPickupAt
        actualPickupAt
        pickupChanges { previousPickupAt newPickupAt changedAt reason provenance { partner } }
        classification { id level justification provenance { partner recordedByRole } }
        restraintDecisions { means justification classification { id } }
        provenance { partner }
      }
      reception {
        currentLocation { code }
        stays { location { code name } from until provenance { partner } }
      }
      characteristics {
        height { value unit obtainedBy provenance { partner obtainedBy } }
        weight { value unit obtainedBy }
      }
      healthNotice {
        fitToTravel
        escortAdvice
        instructions { at instruction }
        provenance { partner recordedByRole }
      }
      escortConsent { status }
      medicalDossier { conditions { code description } medication { name schedule } }
    }
  }
`;

// Return routes for Moroccan nationals in subgraphs/dtv/demo.ts (ROUTES.MAR).
const MAR_ROUTES: Record<string, { code: string; from: string[]; to: string }> = {
  'Royal Air Maroc': { code: 'AT', from: ['AMS'], to: 'CMN' },
  Transavia: { code: 'HV', from: ['AMS', 'EIN'], to: 'CMN' },
};

describe('person query through the gateway', () => {
  let stack: TestStack;
  let reference: Date;
  let departureAt: Date;

  beforeAll(async () => {
    stack = await startTestStack();
    reference = stack.world.reference;
    const amir = stack.world.persons.find((p) => p.vNumber === DEMO_V_NUMBERS.consentGiven)!;
    departureAt = amir.departureAt!;
  });
  afterAll(async () => {
    await stack?.close();
  });

  /** Statements each subgraph's store ran while `fn` ran. */
  async function statementsDuring(fn: () => Promise<unknown>): Promise<Record<string, number>> {
    const before = Object.fromEntries(stack.subgraphs.map((s) => [s.name, s.store.stats.statements]));
    await fn();
    return Object.fromEntries(stack.subgraphs.map((s) => [s.name, s.store.stats.statements - before[s.name]!]));
  }

  describe('2044001001 as the MEDEX escort nurse (sees every section, consent given)', () => {
    let body: GraphQLResponse<any>['body'];
    let person: any;
    let statements: Record<string, number>;

    beforeAll(async () => {
      statements = await statementsDuring(async () => {
        const response = await stack.query(PERSON, { role: 'escort-nurse', variables: { vNumber: DEMO_V_NUMBERS.consentGiven } });
        expect(response.status).toBe(200);
        body = response.body;
      });
      person = body.data?.person;
    });

    it('answers without errors', () => {
      expect(body.errors).toBeUndefined();
      expect(person).not.toBeNull();
      expect(person.vNumber).toBe('2044001001');
    });

    it('reaches the store of every one of the five partners', () => {
      for (const name of PARTNERS) {
        expect({ name, touched: (statements[name] ?? 0) > 0 }).toEqual({ name, touched: true });
      }
    });

    it('DT&V: identity, return case, flight and MEDEX escort', () => {
      expect(person.name).toEqual({ given: 'Amir', family: 'Haddad' });
      expect(person.nationality).toBe('MAR');
      expect(person.dateOfBirth).toBe('1991-03-14');
      expect(person.plannedDepartureAt).toBe(new Date(reference.getTime() + 8 * HOUR).toISOString());
      expect(person.identityProvenance).toEqual({ partner: 'DTV', recordedByRole: 'return-officer' });

      const returnCase = person.returnCase;
      expect(returnCase.status).toBe('DEPARTURE_PLANNED');
      expect(returnCase.caseNumber).toMatch(/^DTV-\d{4}-00001$/);
      expect(returnCase.provenance.partner).toBe('DTV');
      expect(returnCase.departure.plannedAt).toBe(departureAt.toISOString());
      expect(returnCase.departure.provenance).toEqual({ partner: 'DTV', recordedByRole: 'return-officer' });

      const flight = returnCase.departure.flight;
      const route = MAR_ROUTES[flight.carrier];
      expect(route).toBeDefined();
      expect(flight.number).toMatch(new RegExp(`^${route!.code}\\d{3,4}$`));
      expect(route!.from).toContain(flight.fromAirport);
      expect(flight.toAirport).toBe('CMN');
      expect(flight.departsAt).toBe(departureAt.toISOString());

      const escort = returnCase.departure.escort;
      expect(escort.kind).toBe('MEDEX');
      expect(escort.medicalEscort).toBe(true);
      // MEDEX sends one or two care providers (escortCount in subgraphs/dtv/demo.ts).
      expect([1, 2]).toContain(escort.escortCount);
      expect(escort.provenance.partner).toBe('DTV');
    });

    it('DJI: detention in Rotterdam, ready for transport, with aggression and escape risk on record', () => {
      const detention = person.detention;
      expect(detention.centre).toEqual({ code: 'DCR', name: 'Detentiecentrum Rotterdam' });
      expect(detention.unit).toBe('Unit B2');
      expect(detention.readyForTransport).toBe(true);
      expect(detention.observations.map((o: any) => o.category)).toEqual(['CALM', 'AGGRESSIVE', 'ESCAPE_RISK', 'COOPERATIVE']);
      // DJI confirmed its facts at the reference (factAgeDays.dji = 0).
      expect(detention.provenance).toEqual({ partner: 'DJI', recordedByRole: 'detention-officer', stale: false });
    });

    it('DJI: belongings with their full change history and the last-minute change', () => {
      const items = person.belongings;
      expect(items.map((i: any) => i.description)).toEqual([
        'Passport',
        'Mobile phone with charger',
        'Sports bag with clothing',
        'Cash, EUR 65.00',
        'Winter coat',
      ]);
      for (const item of items) {
        expect(item.provenance.partner).toBe('DJI');
        // Oldest first, every change attributed to the depot.
        const times = item.changes.map((c: any) => Date.parse(c.changedAt));
        expect([...times].sort((a, b) => a - b)).toEqual(times);
        for (const change of item.changes) expect(change.provenance).toEqual({ partner: 'DJI', recordedByRole: 'depot-officer' });
      }
      const byName = (name: string) => items.find((i: any) => i.description === name);

      // A family visit two hours before the reference brought money and a coat:
      // 10 hours before the departure, so inside the 24-hour last-minute window.
      const lastMinuteAt = new Date(reference.getTime() - 2 * HOUR).toISOString();
      const cash = byName('Cash, EUR 65.00');
      expect(cash.changes.map((c: any) => [c.kind, c.lastMinute])).toEqual([['ADDED', false], ['MODIFIED', true]]);
      expect(cash.changes[0].description).toBe('Registered: EUR 40.00, stored in the depot safe.');
      expect(cash.changes[1].changedAt).toBe(lastMinuteAt);
      expect(cash.changes[1].description).toContain('EUR 25.00');
      expect(cash.changedLastMinute).toBe(true);

      const coat = byName('Winter coat');
      expect(coat.changes).toHaveLength(1);
      expect(coat.changes[0]).toMatchObject({ kind: 'ADDED', changedAt: lastMinuteAt, lastMinute: true });
      expect(coat.changedLastMinute).toBe(true);

      // A change weeks ago is history, not a last-minute change.
      const bag = byName('Sports bag with clothing');
      expect(bag.changes.map((c: any) => c.kind)).toEqual(['ADDED', 'MODIFIED']);
      expect(bag.changes[1].changedAt).toBe(new Date(reference.getTime() - 20 * DAY - 4 * HOUR).toISOString());
      expect(bag.changedLastMinute).toBe(false);
      expect(byName('Passport').changedLastMinute).toBe(false);
    });

    it('DV&O: the ride to the airport with its moved pickup, extra-secured classification and restraint decision', () => {
      const orders = person.transportOrders;
      expect(orders.map((o: any) => o.kind)).toEqual(['TRANSFER', 'TO_AIRPORT']);
      for (const order of orders) expect(order.provenance.partner).toBe('DVO');

      const transfer = orders[0];
      expect(transfer).toMatchObject({ fromLocation: 'Detentiecentrum Zeist', toLocation: 'Detentiecentrum Rotterdam' });
      expect(transfer.actualPickupAt).not.toBeNull();

      const ride = orders[1];
      expect(ride.fromLocation).toBe('Detentiecentrum Rotterdam');
      expect(ride.toLocation).toBe('Schiphol, Koninklijke Marechaussee vertrekcentrum');
      expect(ride.plannedPickupAt).toBe(new Date(departureAt.getTime() - 4 * HOUR).toISOString());
      expect(ride.actualPickupAt).toBeNull();

      // Moved twice; the chain of changes ends at the current planned pickup.
      const changes = ride.pickupChanges;
      expect(changes).toHaveLength(2);
      expect(changes.map((c: any) => c.reason)).toEqual([
        'Flight time changed by the carrier',
        'Vehicle with secured compartment only available later',
      ]);
      expect(changes[0].previousPickupAt).toBe(new Date(departureAt.getTime() - 5.5 * HOUR).toISOString());
      expect(changes[0].newPickupAt).toBe(changes[1].previousPickupAt);
      expect(changes[changes.length - 1].newPickupAt).toBe(ride.plannedPickupAt);
      expect(changes[1].changedAt).toBe(new Date(reference.getTime() - 5 * HOUR).toISOString());
      for (const change of changes) expect(change.provenance.partner).toBe('DVO');

      expect(ride.classification.level).toBe('EXTRA_SECURED');
      expect(ride.classification.justification).toBe(
        'Resisted boarding during an earlier departure attempt and assaulted an escort officer; detention reports show repeated aggression towards staff.',
      );
      expect(ride.classification.provenance).toEqual({ partner: 'DVO', recordedByRole: 'risk-analyst' });

      expect(ride.restraintDecisions).toHaveLength(1);
      expect(ride.restraintDecisions[0].means).toEqual(['HANDCUFFS']);
      expect(ride.restraintDecisions[0].justification).toMatch(/^Individual assessment: /);
      // The decision rests on the classification of this very order.
      expect(ride.restraintDecisions[0].classification.id).toBe(ride.classification.id);
    });

    it('COA: measured height and weight, and the stays before detention', () => {
      expect(person.characteristics.height).toEqual({
        value: 178.5,
        unit: 'cm',
        obtainedBy: 'MEASURED',
        provenance: { partner: 'COA', obtainedBy: 'MEASURED' },
      });
      expect(person.characteristics.weight).toEqual({ value: 82.4, unit: 'kg', obtainedBy: 'MEASURED' });

      // Detained now, so no current reception location; stays most recent first.
      expect(person.reception.currentLocation).toBeNull();
      const stays = person.reception.stays;
      expect(stays.map((s: any) => s.location.code)).toEqual(['VBL', 'BDL', 'TAP']);
      expect(stays[1].location.name).toBe('AZC Budel');
      for (const stay of stays) {
        expect(stay.until).not.toBeNull();
        expect(stay.provenance.partner).toBe('COA');
        expect(Date.parse(stay.from)).toBeLessThan(Date.parse(stay.until));
      }
      // Each earlier stay ends where the next one begins.
      expect(stays[1].until).toBe(stays[0].from);
      expect(stays[2].until).toBe(stays[1].from);
    });

    it('medical: health notice with the 12:00 medication, consent given, and the dossier for the escort nurse', () => {
      const notice = person.healthNotice;
      expect(notice.fitToTravel).toBe('WITH_CONDITIONS');
      expect(notice.escortAdvice).toBe('MEDEX escort required');
      expect(notice.provenance).toEqual({ partner: 'MEDICAL', recordedByRole: 'medical-doctor' });
      const noon = notice.instructions.filter((i: any) => i.at === '12:00');
      expect(noon).toEqual([{ at: '12:00', instruction: 'Needs medication at 12:00 during transport; the MEDEX nurse gives it.' }]);
      expect(notice.instructions.map((i: any) => i.at).filter(Boolean)).toEqual(['08:00', '12:00', '18:00', '22:00']);
      // The notice is non-medical: no diagnosis in the instructions.
      expect(JSON.stringify(notice)).not.toMatch(/diabetes|E10/i);

      expect(person.escortConsent).toEqual({ status: 'GIVEN' });
      expect(person.medicalDossier.conditions).toEqual([{ code: 'E10.9', description: 'Type 1 diabetes mellitus without complications' }]);
      expect(person.medicalDossier.medication.map((m: any) => m.name)).toEqual(['insulin aspart', 'insulin glargine']);
    });
  });

  it('gives the medical doctor the dossier of 2044001001 with diagnosis E10.9', async () => {
    const { status, body } = await stack.query(
      `query($v: String!) { person(vNumber: $v) { name { family } medicalDossier { conditions { code } fitToTravelAssessment { decision } } healthNotice { instructions { at } } } }`,
      { role: 'medical-doctor', variables: { v: DEMO_V_NUMBERS.consentGiven } },
    );
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data.person.name.family).toBe('Haddad');
    expect(body.data.person.medicalDossier.conditions).toEqual([{ code: 'E10.9' }]);
    expect(body.data.person.medicalDossier.fitToTravelAssessment.decision).toBe('WITH_CONDITIONS');
    expect(body.data.person.healthNotice.instructions.map((i: any) => i.at)).toContain('12:00');
  });

  it('answers null without errors for a well-formed V-number the chain does not know', async () => {
    const unknown = '2099999999';
    expect(stack.world.persons.some((p) => p.vNumber === unknown)).toBe(false);
    const { status, body } = await stack.query(PERSON, { role: 'escort-nurse', variables: { vNumber: unknown } });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({ person: null });
  });
});
