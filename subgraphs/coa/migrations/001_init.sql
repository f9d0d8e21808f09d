-- COA (Centraal Orgaan opvang asielzoekers): reception locations, stays, behaviour at
-- reception and characteristics (height, weight) as registered. Every statement is
-- schema-qualified; the runner creates the schema.

-- Reception locations (opvanglocaties): reference data, not person data.
CREATE TABLE coa.location (
  code         text PRIMARY KEY CHECK (code ~ '^[A-Z]{3}$'),
  name         text NOT NULL CHECK (length(btrim(name)) > 0),
  municipality text NOT NULL CHECK (length(btrim(municipality)) > 0)
);

-- A stay at one location; ended_at is null while the stay lasts.
CREATE TABLE coa.stay (
  id               text PRIMARY KEY,
  v_number         text NOT NULL CHECK (v_number ~ '^[0-9]{10}$'),
  location_code    text NOT NULL REFERENCES coa.location (code),
  started_at       timestamptz NOT NULL,
  ended_at         timestamptz,
  recorded_by_role text NOT NULL CHECK (length(btrim(recorded_by_role)) > 0),
  recorded_at      timestamptz NOT NULL,
  confirmed_at     timestamptz NOT NULL,
  CHECK (ended_at IS NULL OR ended_at > started_at),
  CHECK (confirmed_at >= recorded_at)
);
CREATE INDEX stay_v_number_idx ON coa.stay (v_number, started_at DESC);
-- A person is at no more than one location at a time.
CREATE UNIQUE INDEX stay_one_open_per_person ON coa.stay (v_number) WHERE ended_at IS NULL;

-- Short professional notes on behaviour at reception.
CREATE TABLE coa.behaviour_note (
  id               text PRIMARY KEY,
  v_number         text NOT NULL CHECK (v_number ~ '^[0-9]{10}$'),
  noted_at         timestamptz NOT NULL,
  note             text NOT NULL CHECK (length(btrim(note)) > 0 AND length(note) <= 500),
  recorded_by_role text NOT NULL CHECK (length(btrim(recorded_by_role)) > 0),
  recorded_at      timestamptz NOT NULL,
  confirmed_at     timestamptz NOT NULL,
  CHECK (confirmed_at >= recorded_at)
);
CREATE INDEX behaviour_note_v_number_idx ON coa.behaviour_note (v_number, noted_at DESC);

-- Height and weight as registered, one row per person and kind. How the value was
-- obtained matters to transport and escort staff: not every location has instruments.
CREATE TABLE coa.measurement (
  v_number         text NOT NULL CHECK (v_number ~ '^[0-9]{10}$'),
  kind             text NOT NULL CHECK (kind IN ('HEIGHT', 'WEIGHT')),
  value            double precision NOT NULL,
  unit             text NOT NULL,
  obtained_by      text NOT NULL CHECK (obtained_by IN ('MEASURED', 'ESTIMATED', 'SELF_REPORTED')),
  recorded_by_role text NOT NULL CHECK (length(btrim(recorded_by_role)) > 0),
  recorded_at      timestamptz NOT NULL,
  confirmed_at     timestamptz NOT NULL,
  PRIMARY KEY (v_number, kind),
  CHECK ((kind = 'HEIGHT' AND unit = 'cm' AND value BETWEEN 50 AND 250)
      OR (kind = 'WEIGHT' AND unit = 'kg' AND value BETWEEN 20 AND 300)),
  CHECK (confirmed_at >= recorded_at)
);
