/**
 * The gateway database's schema, as numbered migrations applied in order and recorded in
 * `schema_migrations`. Each migration is written for SQLite and for PostgreSQL under the same
 * number; a database is at the version of the last migration it recorded. A migration, once
 * released, never changes: a change of schema is a new migration at the end.
 *
 * Integers are BIGINT on PostgreSQL (times are in milliseconds), flags are 0/1 integers on both,
 * and the text columns the gateway orders by compare byte by byte (`COLLATE "C"`), as in SQLite.
 */
import type { SqlExecutor } from './sqlDatabase.ts';

export interface Migration {
  version: number;
  name: string;
  sqlite: string;
  postgres: string;
}

const initialSqlite = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS records (
  record_id TEXT PRIMARY KEY, patient TEXT NOT NULL, author TEXT NOT NULL, organisation_id INTEGER NOT NULL,
  category INTEGER NOT NULL, sensitivity INTEGER NOT NULL, content_digest TEXT NOT NULL, cid TEXT NOT NULL,
  supersedes TEXT NOT NULL, superseded_by TEXT, created_at INTEGER NOT NULL, block_number INTEGER NOT NULL,
  transaction_hash TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS records_by_patient ON records (patient, block_number);
CREATE TABLE IF NOT EXISTS grants (
  grant_id INTEGER PRIMARY KEY, patient TEXT NOT NULL, grantee TEXT, grantee_organisation INTEGER NOT NULL,
  categories INTEGER NOT NULL, max_sensitivity INTEGER NOT NULL, actions INTEGER NOT NULL, purpose TEXT NOT NULL,
  expires_at INTEGER NOT NULL, request_id INTEGER NOT NULL, granted_at_block INTEGER NOT NULL,
  revoked_at_block INTEGER);
CREATE INDEX IF NOT EXISTS grants_by_patient ON grants (patient);
CREATE INDEX IF NOT EXISTS grants_by_grantee ON grants (grantee);
CREATE INDEX IF NOT EXISTS grants_by_organisation ON grants (grantee_organisation);
CREATE TABLE IF NOT EXISTS access_requests (
  request_id INTEGER PRIMARY KEY, patient TEXT NOT NULL, requester TEXT NOT NULL, categories INTEGER NOT NULL,
  actions INTEGER NOT NULL, reason_hash TEXT NOT NULL, status TEXT NOT NULL, grant_id INTEGER,
  block_number INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS requests_by_patient ON access_requests (patient);
CREATE INDEX IF NOT EXISTS requests_by_requester ON access_requests (requester);
CREATE TABLE IF NOT EXISTS request_reasons (reason_hash TEXT PRIMARY KEY, reason TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS organisations (
  organisation_id INTEGER PRIMARY KEY, name TEXT NOT NULL, kind INTEGER NOT NULL, admin TEXT NOT NULL,
  encryption_key TEXT NOT NULL, gateway_url TEXT NOT NULL, active INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS members (
  address TEXT PRIMARY KEY, organisation_id INTEGER NOT NULL, role INTEGER NOT NULL, encryption_key TEXT NOT NULL,
  active INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS members_by_organisation ON members (organisation_id);
CREATE TABLE IF NOT EXISTS patients (address TEXT PRIMARY KEY, organisation_id INTEGER NOT NULL, encryption_key TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS audit_events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL UNIQUE, recorded_at INTEGER NOT NULL,
  actor TEXT NOT NULL, patient TEXT, action TEXT NOT NULL, record_id TEXT, category INTEGER, sensitivity INTEGER,
  purpose TEXT, outcome TEXT NOT NULL, reason TEXT);
CREATE INDEX IF NOT EXISTS audit_by_patient ON audit_events (patient, seq);
CREATE INDEX IF NOT EXISTS audit_by_actor ON audit_events (actor, seq);
CREATE TABLE IF NOT EXISTS audit_leaves (sequence INTEGER PRIMARY KEY, event_hash TEXT NOT NULL, tag TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS audit_batches (
  batch_index INTEGER PRIMARY KEY, first_sequence INTEGER NOT NULL UNIQUE, count INTEGER NOT NULL, root TEXT NOT NULL,
  transaction_hash TEXT NOT NULL, block_number INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS sign_in_nonces (nonce TEXT PRIMARY KEY, expires_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (token_hash TEXT PRIMARY KEY, address TEXT NOT NULL, expires_at INTEGER NOT NULL,
  signer TEXT);
CREATE INDEX IF NOT EXISTS sessions_by_signer ON sessions (signer);
CREATE TABLE IF NOT EXISTS second_factors (
  address TEXT PRIMARY KEY, secret_iv BLOB NOT NULL, secret_ciphertext BLOB NOT NULL, enabled INTEGER NOT NULL,
  last_counter INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS second_factor_failures (address TEXT NOT NULL, at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS second_factor_failures_by_address ON second_factor_failures (address, at);
CREATE TABLE IF NOT EXISTS key_backups (
  patient TEXT PRIMARY KEY, backup_id TEXT NOT NULL, backup TEXT NOT NULL, stored_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS key_backup_guardians (
  patient TEXT NOT NULL, guardian TEXT NOT NULL, PRIMARY KEY (patient, guardian));
CREATE INDEX IF NOT EXISTS key_backups_by_guardian ON key_backup_guardians (guardian);
CREATE TABLE IF NOT EXISTS key_recovery_requests (
  request_id TEXT PRIMARY KEY, patient TEXT NOT NULL, backup_id TEXT NOT NULL, recovery_key TEXT NOT NULL,
  created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, token_hash TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS key_recovery_requests_by_patient ON key_recovery_requests (patient, expires_at);
CREATE TABLE IF NOT EXISTS key_recovery_shares (
  request_id TEXT NOT NULL, guardian TEXT NOT NULL, share INTEGER NOT NULL, enc TEXT NOT NULL, ct TEXT NOT NULL,
  approved_at INTEGER NOT NULL, PRIMARY KEY (request_id, guardian));
CREATE TABLE IF NOT EXISTS emergency_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS emergencies (
  emergency_id INTEGER PRIMARY KEY, member TEXT NOT NULL, patient TEXT NOT NULL, organisation_id INTEGER NOT NULL,
  reason_code INTEGER NOT NULL, justification_hash TEXT NOT NULL, declared_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL, block_number INTEGER NOT NULL, transaction_hash TEXT NOT NULL,
  verdict INTEGER NOT NULL DEFAULT 0, reviewer TEXT, reviewed_at INTEGER,
  start_audited INTEGER NOT NULL DEFAULT 0, end_audited INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS emergencies_by_member ON emergencies (member);
CREATE INDEX IF NOT EXISTS emergencies_by_patient ON emergencies (patient);
CREATE INDEX IF NOT EXISTS emergencies_by_organisation ON emergencies (organisation_id);
CREATE INDEX IF NOT EXISTS emergencies_to_audit ON emergencies (end_audited, organisation_id);
CREATE TABLE IF NOT EXISTS emergency_privileges (
  member TEXT PRIMARY KEY, organisation_id INTEGER NOT NULL, privileged INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS emergency_justifications (
  justification_hash TEXT PRIMARY KEY, salt TEXT NOT NULL, text TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS notification_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS notifications (
  id INTEGER PRIMARY KEY AUTOINCREMENT, dedupe_key TEXT NOT NULL UNIQUE, recipient TEXT NOT NULL,
  kind TEXT NOT NULL, created_at INTEGER NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS notifications_by_recipient ON notifications (recipient, id);
CREATE TABLE IF NOT EXISTS relay_journal (
  id INTEGER PRIMARY KEY AUTOINCREMENT, to_address TEXT NOT NULL, data TEXT NOT NULL, gas TEXT NOT NULL,
  function_name TEXT NOT NULL, author TEXT, journaled_at INTEGER NOT NULL,
  status TEXT NOT NULL, transaction_hash TEXT, block_number INTEGER, block_hash TEXT,
  outcome TEXT, detail TEXT, settled_at INTEGER);
CREATE INDEX IF NOT EXISTS relay_journal_pending ON relay_journal (status, id);
CREATE INDEX IF NOT EXISTS relay_journal_mined ON relay_journal (status, block_number);
`;

const initialPostgres = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE records (
  record_id TEXT COLLATE "C" PRIMARY KEY, patient TEXT NOT NULL, author TEXT NOT NULL,
  organisation_id BIGINT NOT NULL, category BIGINT NOT NULL, sensitivity BIGINT NOT NULL,
  content_digest TEXT NOT NULL, cid TEXT NOT NULL, supersedes TEXT NOT NULL, superseded_by TEXT,
  created_at BIGINT NOT NULL, block_number BIGINT NOT NULL, transaction_hash TEXT NOT NULL);
CREATE INDEX records_by_patient ON records (patient, block_number);
CREATE TABLE grants (
  grant_id BIGINT PRIMARY KEY, patient TEXT NOT NULL, grantee TEXT, grantee_organisation BIGINT NOT NULL,
  categories BIGINT NOT NULL, max_sensitivity BIGINT NOT NULL, actions BIGINT NOT NULL, purpose TEXT NOT NULL,
  expires_at BIGINT NOT NULL, request_id BIGINT NOT NULL, granted_at_block BIGINT NOT NULL,
  revoked_at_block BIGINT);
CREATE INDEX grants_by_patient ON grants (patient);
CREATE INDEX grants_by_grantee ON grants (grantee);
CREATE INDEX grants_by_organisation ON grants (grantee_organisation);
CREATE TABLE access_requests (
  request_id BIGINT PRIMARY KEY, patient TEXT NOT NULL, requester TEXT NOT NULL, categories BIGINT NOT NULL,
  actions BIGINT NOT NULL, reason_hash TEXT NOT NULL, status TEXT NOT NULL, grant_id BIGINT,
  block_number BIGINT NOT NULL);
CREATE INDEX requests_by_patient ON access_requests (patient);
CREATE INDEX requests_by_requester ON access_requests (requester);
CREATE TABLE request_reasons (reason_hash TEXT PRIMARY KEY, reason TEXT NOT NULL);
CREATE TABLE organisations (
  organisation_id BIGINT PRIMARY KEY, name TEXT NOT NULL, kind BIGINT NOT NULL, admin TEXT NOT NULL,
  encryption_key TEXT NOT NULL, gateway_url TEXT NOT NULL, active BIGINT NOT NULL);
CREATE TABLE members (
  address TEXT COLLATE "C" PRIMARY KEY, organisation_id BIGINT NOT NULL, role BIGINT NOT NULL,
  encryption_key TEXT NOT NULL, active BIGINT NOT NULL);
CREATE INDEX members_by_organisation ON members (organisation_id);
CREATE TABLE patients (address TEXT PRIMARY KEY, organisation_id BIGINT NOT NULL, encryption_key TEXT NOT NULL);
CREATE TABLE audit_events (
  seq BIGINT PRIMARY KEY, event_id TEXT NOT NULL UNIQUE, recorded_at BIGINT NOT NULL,
  actor TEXT NOT NULL, patient TEXT, action TEXT NOT NULL, record_id TEXT, category BIGINT, sensitivity BIGINT,
  purpose TEXT, outcome TEXT NOT NULL, reason TEXT);
CREATE INDEX audit_by_patient ON audit_events (patient, seq);
CREATE INDEX audit_by_actor ON audit_events (actor, seq);
CREATE TABLE audit_leaves (sequence BIGINT PRIMARY KEY, event_hash TEXT NOT NULL, tag TEXT NOT NULL);
CREATE TABLE audit_batches (
  batch_index BIGINT PRIMARY KEY, first_sequence BIGINT NOT NULL UNIQUE, count BIGINT NOT NULL, root TEXT NOT NULL,
  transaction_hash TEXT NOT NULL, block_number BIGINT NOT NULL);
CREATE TABLE sign_in_nonces (nonce TEXT PRIMARY KEY, expires_at BIGINT NOT NULL);
CREATE TABLE sessions (token_hash TEXT PRIMARY KEY, address TEXT NOT NULL, expires_at BIGINT NOT NULL, signer TEXT);
CREATE INDEX sessions_by_signer ON sessions (signer);
CREATE TABLE second_factors (
  address TEXT PRIMARY KEY, secret_iv BYTEA NOT NULL, secret_ciphertext BYTEA NOT NULL, enabled BIGINT NOT NULL,
  last_counter BIGINT NOT NULL);
CREATE TABLE second_factor_failures (address TEXT NOT NULL, at BIGINT NOT NULL);
CREATE INDEX second_factor_failures_by_address ON second_factor_failures (address, at);
CREATE TABLE key_backups (
  patient TEXT PRIMARY KEY, backup_id TEXT NOT NULL, backup TEXT NOT NULL, stored_at BIGINT NOT NULL);
CREATE TABLE key_backup_guardians (patient TEXT NOT NULL, guardian TEXT NOT NULL, PRIMARY KEY (patient, guardian));
CREATE INDEX key_backups_by_guardian ON key_backup_guardians (guardian);
CREATE TABLE key_recovery_requests (
  request_id TEXT PRIMARY KEY, patient TEXT NOT NULL, backup_id TEXT NOT NULL, recovery_key TEXT NOT NULL,
  created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL, token_hash TEXT NOT NULL);
CREATE INDEX key_recovery_requests_by_patient ON key_recovery_requests (patient, expires_at);
CREATE TABLE key_recovery_shares (
  request_id TEXT NOT NULL, guardian TEXT NOT NULL, share BIGINT NOT NULL, enc TEXT NOT NULL, ct TEXT NOT NULL,
  approved_at BIGINT NOT NULL, PRIMARY KEY (request_id, guardian));
CREATE TABLE emergency_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE emergencies (
  emergency_id BIGINT PRIMARY KEY, member TEXT NOT NULL, patient TEXT NOT NULL, organisation_id BIGINT NOT NULL,
  reason_code BIGINT NOT NULL, justification_hash TEXT NOT NULL, declared_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL, block_number BIGINT NOT NULL, transaction_hash TEXT NOT NULL,
  verdict BIGINT NOT NULL DEFAULT 0, reviewer TEXT, reviewed_at BIGINT,
  start_audited BIGINT NOT NULL DEFAULT 0, end_audited BIGINT NOT NULL DEFAULT 0);
CREATE INDEX emergencies_by_member ON emergencies (member);
CREATE INDEX emergencies_by_patient ON emergencies (patient);
CREATE INDEX emergencies_by_organisation ON emergencies (organisation_id);
CREATE INDEX emergencies_to_audit ON emergencies (end_audited, organisation_id);
CREATE TABLE emergency_privileges (member TEXT PRIMARY KEY, organisation_id BIGINT NOT NULL, privileged BIGINT NOT NULL);
CREATE TABLE emergency_justifications (justification_hash TEXT PRIMARY KEY, salt TEXT NOT NULL, text TEXT NOT NULL);
CREATE TABLE notification_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE notifications (
  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, dedupe_key TEXT NOT NULL UNIQUE, recipient TEXT NOT NULL,
  kind TEXT NOT NULL, created_at BIGINT NOT NULL, data TEXT NOT NULL);
CREATE INDEX notifications_by_recipient ON notifications (recipient, id);
CREATE TABLE relay_journal (
  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, to_address TEXT NOT NULL, data TEXT NOT NULL,
  gas TEXT NOT NULL, function_name TEXT NOT NULL, author TEXT, journaled_at BIGINT NOT NULL,
  status TEXT NOT NULL, transaction_hash TEXT, block_number BIGINT, block_hash TEXT,
  outcome TEXT, detail TEXT, settled_at BIGINT);
CREATE INDEX relay_journal_pending ON relay_journal (status, id);
CREATE INDEX relay_journal_mined ON relay_journal (status, block_number);
`;

/**
 * Every migration, in order. 0001 creates the schema as it stood when migrations were numbered;
 * on SQLite it only adds what is missing (`IF NOT EXISTS`), so that a data directory written before
 * then is adopted as it is (see `adoptUnnumberedSqliteDatabase`).
 */
export const migrations: readonly Migration[] = [
  { version: 1, name: 'initial', sqlite: initialSqlite, postgres: initialPostgres },
  {
    version: 2,
    name: 'processes',
    // The processes that ran on the store, and which one answers for each journaled action.
    sqlite: `
CREATE TABLE gateway_processes (
  id INTEGER PRIMARY KEY AUTOINCREMENT, started_at INTEGER NOT NULL, host TEXT NOT NULL, pid INTEGER NOT NULL);
ALTER TABLE relay_journal ADD COLUMN owner INTEGER;`,
    postgres: `
CREATE TABLE gateway_processes (
  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, started_at BIGINT NOT NULL, host TEXT NOT NULL,
  pid BIGINT NOT NULL);
ALTER TABLE relay_journal ADD COLUMN owner BIGINT;`,
  },
  {
    version: 3,
    name: 'blobs',
    // Records' encrypted envelopes by CID, committed with the database's other writes (group commits)
    // rather than as one file each. Blobs written as files before this are still read from there.
    sqlite: `
CREATE TABLE blobs (cid TEXT PRIMARY KEY, bytes BLOB NOT NULL);`,
    postgres: `
CREATE TABLE blobs (cid TEXT PRIMARY KEY, bytes BYTEA NOT NULL);`,
  },
  {
    version: 4,
    name: 'session-idle',
    // Sessions end after a time without use as well as at their absolute end (`expires_at`). Sessions
    // opened before this count as unused since 1970: they end at once, and their holders sign in again.
    // Sign-out everywhere finds an account's sessions by address.
    sqlite: `
ALTER TABLE sessions ADD COLUMN last_used_at INTEGER NOT NULL DEFAULT 0;
CREATE INDEX sessions_by_address ON sessions (address);`,
    postgres: `
ALTER TABLE sessions ADD COLUMN last_used_at BIGINT NOT NULL DEFAULT 0;
CREATE INDEX sessions_by_address ON sessions (address);`,
  },
  {
    version: 5,
    name: 'sealed free text',
    // Justifications and access-request reasons are encrypted at rest (`atRest.ts`): `sealed` = 1
    // marks a row whose text column holds the ciphertext; rows written in clear before (0) are
    // sealed in place when the stores open with the key (`sealClearFreeText`).
    sqlite: `
ALTER TABLE emergency_justifications ADD COLUMN sealed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE request_reasons ADD COLUMN sealed INTEGER NOT NULL DEFAULT 0;`,
    postgres: `
ALTER TABLE emergency_justifications ADD COLUMN sealed BIGINT NOT NULL DEFAULT 0;
ALTER TABLE request_reasons ADD COLUMN sealed BIGINT NOT NULL DEFAULT 0;`,
  },
  {
    version: 6,
    name: 'rate limit windows',
    // The limits every process of an organisation counts together (`rateLimits.ts`): a fixed window
    // per key (rule and client address, account, or account and patient).
    sqlite: `
CREATE TABLE rate_limit_windows (key TEXT PRIMARY KEY, window_start INTEGER NOT NULL, hits INTEGER NOT NULL);`,
    postgres: `
CREATE TABLE rate_limit_windows (key TEXT PRIMARY KEY, window_start BIGINT NOT NULL, hits INTEGER NOT NULL);`,
  },
  {
    version: 7,
    name: 'orders',
    // Lab orders, prescriptions and claims as the indexer follows them from the Orders contract's
    // events (chain-derived like records: rebuilt from the chain on a rewind). Each step of an order,
    // with the records it wrote (comma-separated ids). Times are the blocks' (unix seconds).
    sqlite: `
CREATE TABLE orders (
  order_id TEXT PRIMARY KEY, kind INTEGER NOT NULL, status INTEGER NOT NULL, patient TEXT NOT NULL,
  requester TEXT NOT NULL, requester_organisation INTEGER NOT NULL, performer_organisation INTEGER NOT NULL,
  quantity INTEGER NOT NULL, dispensed INTEGER NOT NULL, fills INTEGER NOT NULL, fills_used INTEGER NOT NULL,
  placed_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, block_number INTEGER NOT NULL);
CREATE INDEX orders_by_patient ON orders (patient);
CREATE INDEX orders_by_requester ON orders (requester);
CREATE INDEX orders_by_performer ON orders (performer_organisation);
CREATE TABLE order_steps (
  block_number INTEGER NOT NULL, log_index INTEGER NOT NULL, order_id TEXT NOT NULL, status INTEGER NOT NULL,
  actor TEXT NOT NULL, at INTEGER NOT NULL, record_ids TEXT NOT NULL, quantity INTEGER,
  PRIMARY KEY (block_number, log_index));
CREATE INDEX order_steps_by_order ON order_steps (order_id, block_number, log_index);`,
    postgres: `
CREATE TABLE orders (
  order_id TEXT COLLATE "C" PRIMARY KEY, kind BIGINT NOT NULL, status BIGINT NOT NULL, patient TEXT NOT NULL,
  requester TEXT NOT NULL, requester_organisation BIGINT NOT NULL, performer_organisation BIGINT NOT NULL,
  quantity BIGINT NOT NULL, dispensed BIGINT NOT NULL, fills BIGINT NOT NULL, fills_used BIGINT NOT NULL,
  placed_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, block_number BIGINT NOT NULL);
CREATE INDEX orders_by_patient ON orders (patient);
CREATE INDEX orders_by_requester ON orders (requester);
CREATE INDEX orders_by_performer ON orders (performer_organisation);
CREATE TABLE order_steps (
  block_number BIGINT NOT NULL, log_index BIGINT NOT NULL, order_id TEXT NOT NULL, status BIGINT NOT NULL,
  actor TEXT NOT NULL, at BIGINT NOT NULL, record_ids TEXT NOT NULL, quantity BIGINT,
  PRIMARY KEY (block_number, log_index));
CREATE INDEX order_steps_by_order ON order_steps (order_id, block_number, log_index);`,
  },
  {
    version: 8,
    name: 'patient directory',
    // Finding a patient without an address, kept off chain: desk codes a patient shows (only their
    // keyed hash is kept, one live code per patient) and the identifiers (MRNs) an organisation keeps.
    sqlite: `
CREATE TABLE desk_codes (
  code_hash TEXT PRIMARY KEY, patient TEXT NOT NULL UNIQUE, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL);
CREATE TABLE patient_identifiers (
  organisation_id INTEGER NOT NULL, system TEXT NOT NULL, value TEXT NOT NULL, patient TEXT NOT NULL,
  assigned_by TEXT NOT NULL, assigned_at INTEGER NOT NULL, PRIMARY KEY (organisation_id, system, value));
CREATE INDEX patient_identifiers_by_patient ON patient_identifiers (patient);`,
    postgres: `
CREATE TABLE desk_codes (
  code_hash TEXT PRIMARY KEY, patient TEXT NOT NULL UNIQUE, created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL);
CREATE TABLE patient_identifiers (
  organisation_id BIGINT NOT NULL, system TEXT COLLATE "C" NOT NULL, value TEXT COLLATE "C" NOT NULL,
  patient TEXT NOT NULL, assigned_by TEXT NOT NULL, assigned_at BIGINT NOT NULL,
  PRIMARY KEY (organisation_id, system, value));
CREATE INDEX patient_identifiers_by_patient ON patient_identifiers (patient);`,
  },
  {
    version: 9,
    name: 'appointments',
    // Clinicians' slots (availability, not health data) and the appointments booked in them
    // (`appointmentStore.ts`). A slot is taken by one conditional UPDATE; times are unix seconds,
    // except holds (milliseconds). `consent_ended` = 1: the gateway no longer honours `grant_id`.
    sqlite: `
CREATE TABLE slots (
  slot_id INTEGER PRIMARY KEY AUTOINCREMENT, organisation_id INTEGER NOT NULL, practitioner TEXT NOT NULL,
  starts_at INTEGER NOT NULL, ends_at INTEGER NOT NULL, status TEXT NOT NULL, appointment_id INTEGER,
  held_until INTEGER, published_by TEXT NOT NULL, published_at INTEGER NOT NULL,
  UNIQUE (practitioner, starts_at));
CREATE INDEX slots_by_organisation ON slots (organisation_id, starts_at);
CREATE TABLE appointments (
  appointment_id INTEGER PRIMARY KEY AUTOINCREMENT, slot_id INTEGER NOT NULL, organisation_id INTEGER NOT NULL,
  practitioner TEXT NOT NULL, patient TEXT NOT NULL, starts_at INTEGER NOT NULL, ends_at INTEGER NOT NULL,
  status TEXT NOT NULL, categories INTEGER NOT NULL, consent_expires_at INTEGER NOT NULL, hold_until INTEGER NOT NULL,
  grant_id INTEGER, record_id TEXT, replaces INTEGER, replaced_by INTEGER, cancelled_by TEXT, cancel_reason TEXT,
  cancel_record_id TEXT, consent_ended INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
CREATE INDEX appointments_by_patient ON appointments (patient, starts_at);
CREATE INDEX appointments_by_practitioner ON appointments (practitioner, starts_at);
CREATE INDEX appointments_by_grant ON appointments (grant_id);`,
    postgres: `
CREATE TABLE slots (
  slot_id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, organisation_id BIGINT NOT NULL,
  practitioner TEXT NOT NULL, starts_at BIGINT NOT NULL, ends_at BIGINT NOT NULL, status TEXT NOT NULL,
  appointment_id BIGINT, held_until BIGINT, published_by TEXT NOT NULL, published_at BIGINT NOT NULL,
  UNIQUE (practitioner, starts_at));
CREATE INDEX slots_by_organisation ON slots (organisation_id, starts_at);
CREATE TABLE appointments (
  appointment_id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, slot_id BIGINT NOT NULL,
  organisation_id BIGINT NOT NULL, practitioner TEXT NOT NULL, patient TEXT NOT NULL, starts_at BIGINT NOT NULL,
  ends_at BIGINT NOT NULL, status TEXT NOT NULL, categories BIGINT NOT NULL, consent_expires_at BIGINT NOT NULL,
  hold_until BIGINT NOT NULL, grant_id BIGINT, record_id TEXT, replaces BIGINT, replaced_by BIGINT,
  cancelled_by TEXT, cancel_reason TEXT, cancel_record_id TEXT, consent_ended BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL);
CREATE INDEX appointments_by_patient ON appointments (patient, starts_at);
CREATE INDEX appointments_by_practitioner ON appointments (practitioner, starts_at);
CREATE INDEX appointments_by_grant ON appointments (grant_id);`,
  },
  {
    version: 10,
    name: 'record erasures and hidden records',
    // The RecordActions contract's erasures and soft deletions, indexed from its events (rebuilt after a
    // rewind like the rest of the index). `cid` is the erased record's blob, which every gateway deletes
    // (`blob_deleted` = 1 once done here) and never fetches or serves again. Times are unix seconds.
    sqlite: `
CREATE TABLE record_erasures (
  record_id TEXT PRIMARY KEY, patient TEXT NOT NULL, erased_by TEXT NOT NULL, reason INTEGER NOT NULL,
  erased_at INTEGER NOT NULL, block_number INTEGER NOT NULL, cid TEXT NOT NULL, blob_deleted INTEGER NOT NULL DEFAULT 0);
CREATE INDEX record_erasures_by_patient ON record_erasures (patient);
CREATE INDEX record_erasures_by_cid ON record_erasures (cid);
CREATE TABLE record_hidden (
  record_id TEXT PRIMARY KEY, patient TEXT NOT NULL, hidden_by TEXT NOT NULL, retain_until INTEGER NOT NULL,
  block_number INTEGER NOT NULL);
CREATE INDEX record_hidden_by_patient ON record_hidden (patient);`,
    postgres: `
CREATE TABLE record_erasures (
  record_id TEXT PRIMARY KEY, patient TEXT NOT NULL, erased_by TEXT NOT NULL, reason BIGINT NOT NULL,
  erased_at BIGINT NOT NULL, block_number BIGINT NOT NULL, cid TEXT NOT NULL, blob_deleted BIGINT NOT NULL DEFAULT 0);
CREATE INDEX record_erasures_by_patient ON record_erasures (patient);
CREATE INDEX record_erasures_by_cid ON record_erasures (cid);
CREATE TABLE record_hidden (
  record_id TEXT PRIMARY KEY, patient TEXT NOT NULL, hidden_by TEXT NOT NULL, retain_until BIGINT NOT NULL,
  block_number BIGINT NOT NULL);
CREATE INDEX record_hidden_by_patient ON record_hidden (patient);`,
  },
  {
    version: 11,
    name: 'record derivations',
    // Copies, duplicates and moves as the indexer follows them from the RecordActions contract's
    // RecordDerived events (chain-derived like records: rebuilt from the chain on a rewind), keyed by
    // the new record. `to_organisation`: a copy's organisation, else 0.
    sqlite: `
CREATE TABLE record_derivations (
  record_id TEXT PRIMARY KEY, kind INTEGER NOT NULL, source_id TEXT NOT NULL, by_address TEXT NOT NULL,
  to_organisation INTEGER NOT NULL, block_number INTEGER NOT NULL, log_index INTEGER NOT NULL,
  transaction_hash TEXT NOT NULL);
CREATE INDEX record_derivations_by_source ON record_derivations (source_id);`,
    postgres: `
CREATE TABLE record_derivations (
  record_id TEXT COLLATE "C" PRIMARY KEY, kind BIGINT NOT NULL, source_id TEXT COLLATE "C" NOT NULL,
  by_address TEXT NOT NULL, to_organisation BIGINT NOT NULL, block_number BIGINT NOT NULL,
  log_index BIGINT NOT NULL, transaction_hash TEXT NOT NULL);
CREATE INDEX record_derivations_by_source ON record_derivations (source_id);`,
  },
  {
    version: 12,
    name: 'delegates',
    // Patients' delegates (family, caregivers, researchers), indexed from the Delegates contract's
    // events: one row per patient and delegate, `active` 0 once removed. Feeds lists and sign-in's
    // role only; access decisions ask the chain.
    sqlite: `
CREATE TABLE delegates (
  patient TEXT NOT NULL, delegate TEXT NOT NULL, kind INTEGER NOT NULL, category_limit INTEGER NOT NULL,
  encryption_key TEXT NOT NULL, active INTEGER NOT NULL, added_at_block INTEGER NOT NULL,
  PRIMARY KEY (patient, delegate));
CREATE INDEX delegates_by_delegate ON delegates (delegate);`,
    postgres: `
CREATE TABLE delegates (
  patient TEXT COLLATE "C" NOT NULL, delegate TEXT COLLATE "C" NOT NULL, kind BIGINT NOT NULL,
  category_limit BIGINT NOT NULL, encryption_key TEXT NOT NULL, active BIGINT NOT NULL,
  added_at_block BIGINT NOT NULL, PRIMARY KEY (patient, delegate));
CREATE INDEX delegates_by_delegate ON delegates (delegate);`,
  },
  {
    version: 13,
    name: 'refusal_alerts',
    // The throttle of the patient's alerts on refused access (`refusalAlerts.ts`): one row per
    // patient and requester, updated by one conditional upsert so that gateway processes sharing the
    // database send at most one alert per window. `notified_at` (unix ms): the last alert;
    // `unreported`: refusals since then; `reported`: the refusals the last alert counted;
    // `notice_token`: set by the refusal that sent the last alert (it tells that refusal it did).
    sqlite: `
CREATE TABLE refusal_alerts (
  patient TEXT NOT NULL, requester TEXT NOT NULL, notified_at INTEGER NOT NULL, previous_notified_at INTEGER,
  reported INTEGER NOT NULL, unreported INTEGER NOT NULL, notice_token TEXT NOT NULL,
  PRIMARY KEY (patient, requester));`,
    postgres: `
CREATE TABLE refusal_alerts (
  patient TEXT NOT NULL, requester TEXT NOT NULL, notified_at BIGINT NOT NULL, previous_notified_at BIGINT,
  reported BIGINT NOT NULL, unreported BIGINT NOT NULL, notice_token TEXT NOT NULL,
  PRIMARY KEY (patient, requester));`,
  },
  {
    version: 14,
    name: 'staff second factor policies',
    // Each hosted organisation's policy for its members' one-time codes at sign-in
    // (`operations/staffSecondFactor.ts`): 'optional', 'privileged' or 'all'; no row: the default.
    // The members' factors themselves are rows of `second_factors`, as patients' are.
    sqlite: `
CREATE TABLE staff_second_factor_policies (
  organisation_id INTEGER PRIMARY KEY, policy TEXT NOT NULL, set_by TEXT NOT NULL, set_at INTEGER NOT NULL);`,
    postgres: `
CREATE TABLE staff_second_factor_policies (
  organisation_id BIGINT PRIMARY KEY, policy TEXT NOT NULL, set_by TEXT NOT NULL, set_at BIGINT NOT NULL);`,
  },
  {
    version: 15,
    name: 'refusal alert cursor',
    // The last audit event (`audit_events.seq`) whose refusals were alerted (`refusalAlerts.ts`),
    // moved in the transaction that stores the alerts, so that no refusal is alerted twice or lost
    // when a process stops. It starts after the events already in the log: those are not alerted.
    // (`seq` is the event's sequence number plus one: the first event is sequence 0.)
    sqlite: `
CREATE TABLE refusal_alert_cursor (id INTEGER PRIMARY KEY CHECK (id = 1), last_seq INTEGER NOT NULL);
INSERT INTO refusal_alert_cursor (id, last_seq) SELECT 1, COALESCE(MAX(seq), 0) - 1 FROM audit_events;`,
    postgres: `
CREATE TABLE refusal_alert_cursor (id INTEGER PRIMARY KEY CHECK (id = 1), last_seq BIGINT NOT NULL);
INSERT INTO refusal_alert_cursor (id, last_seq) SELECT 1, COALESCE(MAX(seq), 0) - 1 FROM audit_events;`,
  },
  {
    version: 16,
    name: 'member profiles',
    // Members' public profiles (display name, title, department) as their admins last set them on
    // chain (`MemberProfileSet`): chain-derived, rebuilt on a rewind like `members`. Staff only:
    // patients have no profile.
    sqlite: `
CREATE TABLE member_profiles (
  address TEXT PRIMARY KEY, organisation_id INTEGER NOT NULL, name TEXT NOT NULL, title TEXT NOT NULL,
  department TEXT NOT NULL);`,
    postgres: `
CREATE TABLE member_profiles (
  address TEXT PRIMARY KEY, organisation_id BIGINT NOT NULL, name TEXT NOT NULL, title TEXT NOT NULL,
  department TEXT NOT NULL);`,
  },
];

/** The version a database reaches once every migration is applied. */
export const latestSchemaVersion = migrations.at(-1)?.version ?? 0;

/** The table that records the migrations applied, the same on both databases. */
export const schemaMigrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`;

/** The versions of the migrations applied to `database`, in order. */
export async function appliedSchemaVersions(database: SqlExecutor): Promise<number[]> {
  const rows = await database.all('SELECT version FROM schema_migrations ORDER BY version');
  return rows.map((row) => Number(row.version));
}
