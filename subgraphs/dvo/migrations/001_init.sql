-- DV&O (Dienst Vervoer en Ondersteuning): transport orders (ritten), every change of their
-- planned pickup time, the transport classification with the risk analyst's justification,
-- and restraint decisions (vrijheidsbeperkende middelen) with their individual assessment.
--
-- Every statement is schema-qualified; the schema itself is created by the migration runner.
-- Child tables repeat v_number and reference (id, v_number) of their parent, so the database
-- itself guarantees that a fact about one person never hangs under another person's order.

-- True when an array holds no element twice; used by a CHECK because CHECK cannot hold a subquery.
CREATE FUNCTION dvo.has_distinct_elements(items text[]) RETURNS boolean
  LANGUAGE sql IMMUTABLE STRICT
  AS $$ SELECT count(*) = count(DISTINCT item) FROM unnest(items) AS item $$;

CREATE TABLE dvo.transport_order (
  id                text PRIMARY KEY,
  v_number          text NOT NULL CHECK (v_number ~ '^[0-9]{10}$'),
  kind              text NOT NULL CHECK (kind IN ('TO_AIRPORT', 'TRANSFER')),
  from_location     text NOT NULL CHECK (length(btrim(from_location)) > 0),
  to_location       text NOT NULL CHECK (length(btrim(to_location)) > 0),
  planned_pickup_at timestamptz NOT NULL,
  actual_pickup_at  timestamptz,
  recorded_by_role  text NOT NULL CHECK (length(btrim(recorded_by_role)) > 0),
  recorded_at       timestamptz NOT NULL,
  confirmed_at      timestamptz NOT NULL,
  CHECK (from_location <> to_location),
  CHECK (confirmed_at >= recorded_at),
  -- Target of the composite foreign keys below.
  UNIQUE (id, v_number)
);
CREATE INDEX transport_order_v_number_idx ON dvo.transport_order (v_number, planned_pickup_at);

-- History of the planned pickup time: rows are only ever added, never updated.
CREATE TABLE dvo.pickup_change (
  id                 text PRIMARY KEY,
  transport_order_id text NOT NULL,
  v_number           text NOT NULL CHECK (v_number ~ '^[0-9]{10}$'),
  previous_pickup_at timestamptz NOT NULL,
  new_pickup_at      timestamptz NOT NULL,
  changed_at         timestamptz NOT NULL,
  reason             text NOT NULL CHECK (length(btrim(reason)) > 0),
  recorded_by_role   text NOT NULL CHECK (length(btrim(recorded_by_role)) > 0),
  recorded_at        timestamptz NOT NULL,
  confirmed_at       timestamptz NOT NULL,
  CHECK (new_pickup_at <> previous_pickup_at),
  CHECK (confirmed_at >= recorded_at),
  FOREIGN KEY (transport_order_id, v_number) REFERENCES dvo.transport_order (id, v_number)
);
CREATE INDEX pickup_change_order_idx ON dvo.pickup_change (transport_order_id, changed_at);

-- One classification per transport order, always with the risk analyst's written justification.
CREATE TABLE dvo.transport_classification (
  id                 text PRIMARY KEY,
  transport_order_id text NOT NULL UNIQUE,
  v_number           text NOT NULL CHECK (v_number ~ '^[0-9]{10}$'),
  level              text NOT NULL CHECK (level IN ('STANDARD', 'EXTRA_SECURED')),
  justification      text NOT NULL CHECK (length(btrim(justification)) >= 20),
  assessed_at        timestamptz NOT NULL,
  recorded_by_role   text NOT NULL CHECK (length(btrim(recorded_by_role)) > 0),
  recorded_at        timestamptz NOT NULL,
  confirmed_at       timestamptz NOT NULL,
  CHECK (confirmed_at >= recorded_at),
  FOREIGN KEY (transport_order_id, v_number) REFERENCES dvo.transport_order (id, v_number),
  -- Lets a restraint decision prove that its classification belongs to its own order.
  UNIQUE (id, transport_order_id)
);

-- A decision on freedom-restricting means: never without an individual justification and
-- never without the classification of the same transport order that it rests on.
CREATE TABLE dvo.restraint_decision (
  id                 text PRIMARY KEY,
  transport_order_id text NOT NULL,
  classification_id  text NOT NULL REFERENCES dvo.transport_classification (id),
  v_number           text NOT NULL CHECK (v_number ~ '^[0-9]{10}$'),
  means              text[] NOT NULL
                       CONSTRAINT restraint_decision_means_not_empty CHECK (cardinality(means) >= 1)
                       CONSTRAINT restraint_decision_means_known CHECK (
                         array_position(means, NULL) IS NULL
                         AND means <@ ARRAY['HANDCUFFS', 'BODY_CUFF', 'LEG_CUFFS']::text[])
                       CONSTRAINT restraint_decision_means_distinct CHECK (dvo.has_distinct_elements(means)),
  justification      text NOT NULL CHECK (length(btrim(justification)) >= 20),
  decided_at         timestamptz NOT NULL,
  recorded_by_role   text NOT NULL CHECK (length(btrim(recorded_by_role)) > 0),
  recorded_at        timestamptz NOT NULL,
  confirmed_at       timestamptz NOT NULL,
  CHECK (confirmed_at >= recorded_at),
  FOREIGN KEY (transport_order_id, v_number) REFERENCES dvo.transport_order (id, v_number),
  FOREIGN KEY (classification_id, transport_order_id)
    REFERENCES dvo.transport_classification (id, transport_order_id)
);
CREATE INDEX restraint_decision_order_idx ON dvo.restraint_decision (transport_order_id, decided_at);
