-- Medical services: the detention centre medical service and MEDEX medical escorts.
-- Only care professionals record medical facts, so every recorded_by_role is one of the
-- BIG-registered roles below. Every table is schema-qualified; CREATE SCHEMA is done by
-- the runner.

-- Persons the medical service knows (intake at admission to detention, or a pre-departure
-- screening). Escort consent is NOT_ASKED for a known person without a consent record and
-- null for anyone not in this table.
CREATE TABLE medical.patient (
  v_number         text PRIMARY KEY CHECK (v_number ~ '^[0-9]{10}$'),
  registered_at    timestamptz NOT NULL,
  recorded_by_role text NOT NULL CHECK (recorded_by_role IN ('medical-doctor', 'medical-nurse', 'medex-nurse')),
  recorded_at      timestamptz NOT NULL,
  confirmed_at     timestamptz NOT NULL,
  CHECK (confirmed_at >= recorded_at)
);

-- The medical dossier (one per person with medical particulars).
CREATE TABLE medical.dossier (
  id               text PRIMARY KEY,
  v_number         text NOT NULL UNIQUE CHECK (v_number ~ '^[0-9]{10}$') REFERENCES medical.patient (v_number),
  opened_at        timestamptz NOT NULL,
  recorded_by_role text NOT NULL CHECK (recorded_by_role IN ('medical-doctor', 'medical-nurse', 'medex-nurse')),
  recorded_at      timestamptz NOT NULL,
  confirmed_at     timestamptz NOT NULL,
  CHECK (confirmed_at >= recorded_at)
);

-- Conditions with their ICD-10 code. obtained_by: MEASURED when established by a measurement
-- or test (glucose, blood pressure, lab), SELF_REPORTED when only the person's account
-- supports it, null for a clinical diagnosis.
CREATE TABLE medical.condition (
  id               text PRIMARY KEY,
  v_number         text NOT NULL CHECK (v_number ~ '^[0-9]{10}$') REFERENCES medical.dossier (v_number),
  position         integer NOT NULL CHECK (position >= 0),
  code             text NOT NULL CHECK (code ~ '^[A-Z][0-9]{2}(\.[0-9A-Z]{1,4})?$'),
  description      text NOT NULL CHECK (length(description) > 0),
  since            timestamptz,
  recorded_by_role text NOT NULL CHECK (recorded_by_role IN ('medical-doctor', 'medical-nurse', 'medex-nurse')),
  recorded_at      timestamptz NOT NULL,
  confirmed_at     timestamptz NOT NULL,
  obtained_by      text CHECK (obtained_by IN ('MEASURED', 'ESTIMATED', 'SELF_REPORTED')),
  CHECK (confirmed_at >= recorded_at),
  UNIQUE (v_number, position)
);
CREATE INDEX condition_v_number_idx ON medical.condition (v_number);

CREATE TABLE medical.medication (
  id               text PRIMARY KEY,
  v_number         text NOT NULL CHECK (v_number ~ '^[0-9]{10}$') REFERENCES medical.dossier (v_number),
  position         integer NOT NULL CHECK (position >= 0),
  name             text NOT NULL CHECK (length(name) > 0),
  dosage           text NOT NULL CHECK (length(dosage) > 0),
  schedule         text NOT NULL CHECK (length(schedule) > 0),
  recorded_by_role text NOT NULL CHECK (recorded_by_role IN ('medical-doctor', 'medical-nurse', 'medex-nurse')),
  recorded_at      timestamptz NOT NULL,
  confirmed_at     timestamptz NOT NULL,
  CHECK (confirmed_at >= recorded_at),
  UNIQUE (v_number, position)
);
CREATE INDEX medication_v_number_idx ON medical.medication (v_number);

-- Fit-to-travel assessments by the doctor; the most recent one counts. UNKNOWN is not a
-- decision a doctor records: it is what the health notice says when there is no assessment.
CREATE TABLE medical.fit_to_travel_assessment (
  id               text PRIMARY KEY,
  v_number         text NOT NULL CHECK (v_number ~ '^[0-9]{10}$') REFERENCES medical.dossier (v_number),
  decision         text NOT NULL CHECK (decision IN ('YES', 'NO', 'WITH_CONDITIONS')),
  assessed_at      timestamptz NOT NULL,
  considerations   text NOT NULL CHECK (length(considerations) > 0),
  recorded_by_role text NOT NULL CHECK (recorded_by_role = 'medical-doctor'),
  recorded_at      timestamptz NOT NULL,
  confirmed_at     timestamptz NOT NULL,
  CHECK (confirmed_at >= recorded_at)
);
CREATE INDEX fit_to_travel_assessment_v_number_idx ON medical.fit_to_travel_assessment (v_number, assessed_at DESC);

-- Handovers between BIG-registered care providers (warme overdracht).
CREATE TABLE medical.care_handover (
  id               text PRIMARY KEY,
  v_number         text NOT NULL CHECK (v_number ~ '^[0-9]{10}$') REFERENCES medical.dossier (v_number),
  from_role        text NOT NULL CHECK (from_role IN ('medical-doctor', 'medical-nurse', 'medex-doctor', 'medex-nurse')),
  to_role          text NOT NULL CHECK (to_role IN ('medical-doctor', 'medical-nurse', 'medex-doctor', 'medex-nurse')),
  handed_over_at   timestamptz NOT NULL,
  summary          text NOT NULL CHECK (length(summary) > 0),
  recorded_by_role text NOT NULL CHECK (recorded_by_role IN ('medical-doctor', 'medical-nurse', 'medex-nurse')),
  recorded_at      timestamptz NOT NULL,
  confirmed_at     timestamptz NOT NULL,
  CHECK (from_role <> to_role),
  CHECK (confirmed_at >= recorded_at)
);
CREATE INDEX care_handover_v_number_idx ON medical.care_handover (v_number, handed_over_at DESC);

-- The health notice: the non-medical translation for non-care professionals. It exists
-- without a dossier too (fit to travel: yes, after a pre-departure screening).
CREATE TABLE medical.health_notice (
  id               text PRIMARY KEY,
  v_number         text NOT NULL UNIQUE CHECK (v_number ~ '^[0-9]{10}$') REFERENCES medical.patient (v_number),
  fit_to_travel    text NOT NULL CHECK (fit_to_travel IN ('YES', 'NO', 'WITH_CONDITIONS', 'UNKNOWN')),
  escort_advice    text CHECK (length(escort_advice) > 0),
  valid_until      timestamptz,
  recorded_by_role text NOT NULL CHECK (recorded_by_role IN ('medical-doctor', 'medical-nurse', 'medex-nurse')),
  recorded_at      timestamptz NOT NULL,
  confirmed_at     timestamptz NOT NULL,
  CHECK (confirmed_at >= recorded_at),
  CHECK (valid_until IS NULL OR valid_until > recorded_at)
);

CREATE TABLE medical.care_instruction (
  id               text PRIMARY KEY,
  notice_id        text NOT NULL REFERENCES medical.health_notice (id),
  v_number         text NOT NULL CHECK (v_number ~ '^[0-9]{10}$'),
  position         integer NOT NULL CHECK (position >= 0),
  -- Local time of day (HH:MM) for timed instructions.
  at               text CHECK (at ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
  instruction      text NOT NULL CHECK (length(instruction) > 0),
  recorded_by_role text NOT NULL CHECK (recorded_by_role IN ('medical-doctor', 'medical-nurse', 'medex-nurse')),
  recorded_at      timestamptz NOT NULL,
  confirmed_at     timestamptz NOT NULL,
  CHECK (confirmed_at >= recorded_at),
  UNIQUE (notice_id, position)
);
CREATE INDEX care_instruction_notice_id_idx ON medical.care_instruction (notice_id);

-- Consent to share the dossier with the medical escort, as asked and recorded; the latest
-- record counts (consent may be withdrawn). No record means NOT_ASKED.
CREATE TABLE medical.escort_consent (
  id               text PRIMARY KEY,
  v_number         text NOT NULL CHECK (v_number ~ '^[0-9]{10}$') REFERENCES medical.patient (v_number),
  status           text NOT NULL CHECK (status IN ('GIVEN', 'REFUSED')),
  recorded_by_role text NOT NULL CHECK (recorded_by_role IN ('medical-doctor', 'medical-nurse', 'medex-nurse')),
  recorded_at      timestamptz NOT NULL,
  confirmed_at     timestamptz NOT NULL,
  CHECK (confirmed_at >= recorded_at)
);
CREATE INDEX escort_consent_v_number_idx ON medical.escort_consent (v_number, recorded_at DESC);
