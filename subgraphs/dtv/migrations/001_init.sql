-- DT&V (Dienst Terugkeer en Vertrek): the person as known in the chain, the return case
-- (terugkeerzaak) and its departure plan with flight and escort assignment.
-- Every statement is schema-qualified; CREATE SCHEMA dtv is done by the migration runner.

-- The person as DT&V established them. Identity is established, not measured, so there is
-- no obtained_by column (Person.identityProvenance.obtainedBy is always null).
CREATE TABLE dtv.person (
  v_number         text PRIMARY KEY CHECK (v_number ~ '^[0-9]{10}$'),
  given_name       text NOT NULL CHECK (length(btrim(given_name)) > 0),
  family_name      text NOT NULL CHECK (length(btrim(family_name)) > 0),
  -- ISO 3166-1 alpha-3.
  nationality      text CHECK (nationality ~ '^[A-Z]{3}$'),
  date_of_birth    date,
  recorded_by_role text NOT NULL,
  recorded_at      timestamptz NOT NULL,
  confirmed_at     timestamptz NOT NULL,
  CHECK (confirmed_at >= recorded_at)
);

-- One return case per person. The status follows the departure plan: DEPARTURE_PLANNED
-- while a current plan exists, PREPARATION (or SUSPENDED) before that.
CREATE TABLE dtv.return_case (
  case_number       text PRIMARY KEY CHECK (case_number ~ '^[A-Z]+-[0-9]{4}-[0-9]{5,}$'),
  v_number          text NOT NULL UNIQUE CHECK (v_number ~ '^[0-9]{10}$')
                      REFERENCES dtv.person (v_number),
  status            text NOT NULL CHECK (status IN ('PREPARATION', 'DEPARTURE_PLANNED', 'DEPARTED', 'SUSPENDED')),
  status_changed_at timestamptz NOT NULL,
  recorded_by_role  text NOT NULL,
  recorded_at       timestamptz NOT NULL,
  confirmed_at      timestamptz NOT NULL,
  CHECK (confirmed_at >= recorded_at)
);

-- Departure plans (vertrekplannen). A rebooked departure keeps the earlier plan with
-- superseded_at set, so "the current plan" is the one row per person where it is null.
-- The flight is null until a seat is booked; the escort assignment is part of the plan
-- and shares its provenance.
CREATE TABLE dtv.departure_plan (
  id               text PRIMARY KEY CHECK (id ~ '^[A-Z]+-[0-9]+$'),
  v_number         text NOT NULL CHECK (v_number ~ '^[0-9]{10}$')
                     REFERENCES dtv.return_case (v_number),
  planned_at       timestamptz NOT NULL,
  superseded_at    timestamptz,
  flight_number    text CHECK (flight_number ~ '^[A-Z0-9]{2}[0-9]{1,4}$'),
  carrier          text CHECK (length(btrim(carrier)) > 0),
  from_airport     text CHECK (from_airport ~ '^[A-Z]{3}$'),
  to_airport       text CHECK (to_airport ~ '^[A-Z]{3}$'),
  departs_at       timestamptz,
  escort_kind      text NOT NULL CHECK (escort_kind IN ('NONE', 'ESCORT', 'MEDEX')),
  escort_count     integer NOT NULL CHECK (escort_count BETWEEN 0 AND 6),
  recorded_by_role text NOT NULL,
  recorded_at      timestamptz NOT NULL,
  confirmed_at     timestamptz NOT NULL,
  -- A flight is booked completely or not at all.
  CHECK (num_nulls(flight_number, carrier, from_airport, to_airport, departs_at) IN (0, 5)),
  CHECK (from_airport IS NULL OR from_airport <> to_airport),
  -- Nobody travels along without an escort assignment, and an escort has at least one officer.
  CHECK ((escort_kind = 'NONE') = (escort_count = 0)),
  CHECK (confirmed_at >= recorded_at),
  CHECK (superseded_at IS NULL OR superseded_at >= recorded_at)
);

-- At most one current plan per person; also serves the per-person loader.
CREATE UNIQUE INDEX departure_plan_current_v_number_idx
  ON dtv.departure_plan (v_number) WHERE superseded_at IS NULL;
-- Keyset pagination of Query.departures walks (planned_at, id) over current plans.
CREATE INDEX departure_plan_current_planned_at_idx
  ON dtv.departure_plan (planned_at, id) WHERE superseded_at IS NULL;
-- Plan history per person (the foreign key alone does not index it).
CREATE INDEX departure_plan_v_number_idx ON dtv.departure_plan (v_number);
