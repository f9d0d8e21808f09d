-- The access log: one record per request and data subject of every release or denial of
-- audited classified data (Logboek Dataverwerkingen style). Written only by the audit
-- service's append path (subgraphs/audit/chain.ts); never updated, never deleted.
--
-- Tamper evidence: records form a hash chain. `id` is the position in the chain (1, 2, 3,
-- ... without gaps, assigned under an advisory lock, so a deleted record leaves a visible
-- gap); `hash` = sha256(prev_hash || canonical JSON of the other columns); the first
-- record's prev_hash is 64 zeros. `npm run audit -- verify` recomputes the chain.
--
-- No V-number in clear: `data_subject_hash` is HMAC-SHA256 of the V-number (lookup per
-- person), `data_subject_enc` is AES-256-GCM of it (decrypted for privacy officers only),
-- both with keys derived from ACCESS_LOG_KEY. Both are NULL when the subject is unknown.
CREATE TABLE audit.access_record (
  id                  bigint PRIMARY KEY CHECK (id > 0),
  trace_id            text NOT NULL CHECK (trace_id ~ '^[0-9a-f]{32}$'),
  recorded_at         timestamptz NOT NULL,
  actor_subject       text NOT NULL CHECK (length(actor_subject) BETWEEN 1 AND 256),
  actor_organisation  text NOT NULL,
  actor_roles         text[] NOT NULL CHECK (cardinality(actor_roles) > 0),
  audience            text,
  purpose             text,
  processing_activity text,
  data_subject_hash   text CHECK (data_subject_hash ~ '^[0-9a-f]{64}$'),
  data_subject_enc    text CHECK (data_subject_enc ~ '^v1\.[A-Za-z0-9_-]+$'),
  fields_allowed      text[] NOT NULL,
  fields_denied       jsonb NOT NULL CHECK (jsonb_typeof(fields_denied) = 'array'),
  policy_hash         text NOT NULL,
  prev_hash           text NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
  hash                text NOT NULL UNIQUE CHECK (hash ~ '^[0-9a-f]{64}$'),
  CHECK ((data_subject_hash IS NULL) = (data_subject_enc IS NULL)),
  CHECK (cardinality(fields_allowed) > 0 OR jsonb_array_length(fields_denied) > 0)
);

-- The privacy officers' questions: everything about one person, everything one user read,
-- denials in a period.
CREATE INDEX access_record_subject_idx ON audit.access_record (data_subject_hash, id);
CREATE INDEX access_record_actor_idx ON audit.access_record (actor_subject, id);
CREATE INDEX access_record_recorded_at_idx ON audit.access_record (recorded_at);
CREATE INDEX access_record_denied_idx ON audit.access_record (recorded_at) WHERE jsonb_array_length(fields_denied) > 0;

-- Append-only: the database itself refuses changes, whoever sends them. (A superuser can
-- still disable the trigger; the hash chain is what makes that visible.)
CREATE FUNCTION audit.refuse_access_record_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit.access_record is append-only: % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER access_record_append_only
  BEFORE UPDATE OR DELETE ON audit.access_record
  FOR EACH ROW EXECUTE FUNCTION audit.refuse_access_record_change();

CREATE TRIGGER access_record_no_truncate
  BEFORE TRUNCATE ON audit.access_record
  FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_access_record_change();
