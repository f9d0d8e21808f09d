-- DJI (Dienst Justitiële Inrichtingen): detention centres, current stays, behaviour
-- observations and personal belongings with every change made to them.
-- Every statement is schema-qualified: the same SQL runs with a database per subgraph,
-- a schema per subgraph on one server, and on the embedded PGlite.

-- Reference data, not facts about a person: the centres a person can stay in.
CREATE TABLE dji.detention_centre (
  code text PRIMARY KEY CHECK (code ~ '^[A-Z]{2,8}$'),
  name text NOT NULL CHECK (length(name) > 0),
  city text NOT NULL CHECK (length(city) > 0)
);

INSERT INTO dji.detention_centre (code, name, city) VALUES
  ('DCR', 'Detentiecentrum Rotterdam', 'Rotterdam'),
  ('DCZ', 'Detentiecentrum Zeist', 'Soesterberg'),
  ('JCS', 'Justitieel Complex Schiphol', 'Badhoevedorp');

-- The current stay (verblijf): at most one per person. A person DJI does not hold has no row.
CREATE TABLE dji.detention (
  id text PRIMARY KEY,
  v_number text NOT NULL UNIQUE CHECK (v_number ~ '^[0-9]{10}$'),
  centre_code text NOT NULL REFERENCES dji.detention_centre (code),
  unit text NOT NULL CHECK (length(unit) > 0),
  admitted_at timestamptz NOT NULL,
  ready_for_transport boolean NOT NULL,
  readiness_note text CHECK (readiness_note IS NULL OR length(readiness_note) > 0),
  recorded_by_role text NOT NULL CHECK (length(recorded_by_role) > 0),
  recorded_at timestamptz NOT NULL,
  confirmed_at timestamptz NOT NULL,
  CHECK (recorded_at >= admitted_at),
  CHECK (confirmed_at >= recorded_at)
);

CREATE TABLE dji.behaviour_observation (
  id text PRIMARY KEY,
  v_number text NOT NULL CHECK (v_number ~ '^[0-9]{10}$'),
  observed_at timestamptz NOT NULL,
  category text NOT NULL CHECK (category IN ('COOPERATIVE', 'CALM', 'AGITATED', 'AGGRESSIVE', 'ESCAPE_RISK', 'SELF_HARM_RISK')),
  description text NOT NULL CHECK (length(description) > 0),
  recorded_by_role text NOT NULL CHECK (length(recorded_by_role) > 0),
  recorded_at timestamptz NOT NULL,
  confirmed_at timestamptz NOT NULL,
  CHECK (recorded_at >= observed_at),
  CHECK (confirmed_at >= recorded_at)
);
CREATE INDEX behaviour_observation_v_number_idx ON dji.behaviour_observation (v_number, observed_at);

-- Belongings (bezittingen) as they are now; how they got there is in belongings_change.
CREATE TABLE dji.belongings_item (
  id text PRIMARY KEY,
  v_number text NOT NULL CHECK (v_number ~ '^[0-9]{10}$'),
  description text NOT NULL CHECK (length(description) > 0),
  category text NOT NULL CHECK (category IN ('DOCUMENTS', 'CLOTHING', 'ELECTRONICS', 'MONEY', 'MEDICATION', 'OTHER')),
  quantity integer NOT NULL CHECK (quantity >= 1),
  location text NOT NULL CHECK (location IN ('STORED', 'WITH_PERSON', 'HANDED_OVER')),
  recorded_by_role text NOT NULL CHECK (length(recorded_by_role) > 0),
  recorded_at timestamptz NOT NULL,
  confirmed_at timestamptz NOT NULL,
  CHECK (confirmed_at >= recorded_at),
  UNIQUE (id, v_number)
);
CREATE INDEX belongings_item_v_number_idx ON dji.belongings_item (v_number);

-- Every change to an item, never updated or deleted: the audit trail the inspectorate reads
-- to see which belongings changed at the last minute. v_number repeats the item's person so
-- that the data subject of a change is explicit without a join (and checked by the key).
CREATE TABLE dji.belongings_change (
  id text PRIMARY KEY,
  item_id text NOT NULL,
  v_number text NOT NULL CHECK (v_number ~ '^[0-9]{10}$'),
  changed_at timestamptz NOT NULL,
  kind text NOT NULL CHECK (kind IN ('ADDED', 'REMOVED', 'MODIFIED', 'HANDED_OVER')),
  description text NOT NULL CHECK (length(description) > 0),
  recorded_by_role text NOT NULL CHECK (length(recorded_by_role) > 0),
  recorded_at timestamptz NOT NULL,
  confirmed_at timestamptz NOT NULL,
  CHECK (recorded_at >= changed_at),
  CHECK (confirmed_at >= recorded_at),
  -- The change belongs to the same person as its item.
  FOREIGN KEY (item_id, v_number) REFERENCES dji.belongings_item (id, v_number)
);
CREATE INDEX belongings_change_item_id_idx ON dji.belongings_change (item_id, changed_at);
CREATE INDEX belongings_change_v_number_idx ON dji.belongings_change (v_number);
