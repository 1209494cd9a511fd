/**
 * The gateway store on SQLite (`node:sqlite`, built into Node 24).
 *
 * WAL journal with `synchronous = FULL`: a transaction that returned is on disk, so an
 * acknowledged audit event or session survives a crash or a power cut. Writers that come in bursts
 * (audit events, anchored records) are grouped into one transaction by their callers.
 * Addresses are stored in lower case.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import type { Address, Hex } from 'viem';
import type {
  AccessRequestRow,
  AuditBatchRow,
  AuditEventRow,
  AuditLeafRow,
  AuditQuery,
  ChainIndexUpdate,
  GatewayStore,
  GrantRow,
  KeyBackupRow,
  KeyRecoveryRequestRow,
  KeyRecoveryShareRow,
  MemberRow,
  OrganisationRow,
  PatientRow,
  RecordRow,
  SecondFactorRow,
  SessionRow,
} from './gatewayStore.ts';

const schema = `
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
`;

/** Columns added to tables of existing databases since they were created. */
const addedColumns = [{ table: 'sessions', column: 'signer', definition: 'TEXT' }];

type Row = Record<string, SQLInputValue>;
const lower = (value: string) => value.toLowerCase();

export class SqliteGatewayStore implements GatewayStore {
  readonly #db: DatabaseSync;
  readonly #statements = new Map<string, StatementSync>();

  constructor(path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.#db = new DatabaseSync(path);
    this.#db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;');
    this.#db.exec(schema);
    for (const { table, column, definition } of addedColumns) {
      const columns = this.#db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[];
      if (!columns.some((c) => c.name === column)) {
        this.#db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${definition}`);
      }
    }
    this.#db.exec('CREATE INDEX IF NOT EXISTS sessions_by_signer ON sessions (signer)');
  }

  async close(): Promise<void> {
    if (this.#db.isOpen) this.#db.close();
  }

  #statement(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  #run(sql: string, params: Row = {}): void {
    this.#statement(sql).run(params);
  }

  #all(sql: string, params: Row = {}): Row[] {
    return this.#statement(sql).all(params) as Row[];
  }

  #get(sql: string, params: Row = {}): Row | undefined {
    return this.#statement(sql).get(params) as Row | undefined;
  }

  #transaction(work: () => void): void {
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      work();
      this.#db.exec('COMMIT');
    } catch (error) {
      this.#db.exec('ROLLBACK');
      throw error;
    }
  }

  async indexedBlock(): Promise<number | null> {
    const row = this.#get(`SELECT value FROM meta WHERE key = 'indexed_block'`);
    return row ? Number(row.value) : null;
  }

  async applyChainIndex(update: ChainIndexUpdate): Promise<void> {
    this.#transaction(() => {
      for (const row of update.organisations) {
        this.#run(
          `INSERT INTO organisations VALUES ($id, $name, $kind, $admin, $key, $url, $active)
           ON CONFLICT (organisation_id) DO NOTHING`,
          {
            id: row.organisationId,
            name: row.name,
            kind: row.kind,
            admin: lower(row.admin),
            key: row.encryptionKey,
            url: row.gatewayUrl,
            active: row.active ? 1 : 0,
          },
        );
      }
      for (const id of update.organisationActivations) {
        this.#run('UPDATE organisations SET active = 1 WHERE organisation_id = $id', { id });
      }
      for (const row of update.members) {
        this.#run(
          `INSERT INTO members VALUES ($address, $org, $role, $key, 1)
           ON CONFLICT (address) DO UPDATE SET organisation_id = $org, role = $role, encryption_key = $key, active = 1`,
          { address: lower(row.address), org: row.organisationId, role: row.role, key: row.encryptionKey },
        );
      }
      for (const address of update.memberSuspensions) {
        this.#run('UPDATE members SET active = 0 WHERE address = $address', { address: lower(address) });
      }
      for (const row of update.patients) {
        this.#run(
          `INSERT INTO patients VALUES ($address, $org, $key)
           ON CONFLICT (address) DO UPDATE SET organisation_id = $org, encryption_key = $key`,
          { address: lower(row.address), org: row.organisationId, key: row.encryptionKey },
        );
      }
      // Requests before grants: a grant that approves a request indexed in the same batch must find it.
      for (const row of update.requests) {
        this.#run(
          `INSERT INTO access_requests VALUES ($id, $patient, $requester, $categories, $actions, $reason, 'pending',
             NULL, $block) ON CONFLICT (request_id) DO NOTHING`,
          {
            id: row.requestId,
            patient: lower(row.patient),
            requester: lower(row.requester),
            categories: row.categories,
            actions: row.actions,
            reason: row.reasonHash,
            block: row.blockNumber,
          },
        );
      }
      for (const row of update.grants) {
        this.#run(
          `INSERT INTO grants VALUES ($id, $patient, $grantee, $org, $categories, $sensitivity, $actions, $purpose,
             $expires, $request, $block, NULL) ON CONFLICT (grant_id) DO NOTHING`,
          {
            id: row.grantId,
            patient: lower(row.patient),
            grantee: row.grantee ? lower(row.grantee) : null,
            org: row.granteeOrganisation,
            categories: row.categories,
            sensitivity: row.maxSensitivity,
            actions: row.actions,
            purpose: row.purpose,
            expires: row.expiresAt,
            request: row.requestId,
            block: row.grantedAtBlock,
          },
        );
        if (row.requestId) {
          this.#run(
            `UPDATE access_requests SET status = 'approved', grant_id = $grant WHERE request_id = $id`,
            {
              grant: row.grantId,
              id: row.requestId,
            },
          );
        }
      }
      for (const { grantId, blockNumber } of update.revocations) {
        this.#run('UPDATE grants SET revoked_at_block = $block WHERE grant_id = $id', {
          id: grantId,
          block: blockNumber,
        });
      }
      for (const id of update.requestDenials) {
        this.#run(`UPDATE access_requests SET status = 'denied' WHERE request_id = $id`, { id });
      }
      this.#insertRecordRows(update.records);
      for (const { patient, previousSigner, encryptionKey } of update.patientKeyRotations ?? []) {
        this.#run('UPDATE patients SET encryption_key = $key WHERE address = $patient', {
          patient: lower(patient),
          key: encryptionKey,
        });
        this.#run('DELETE FROM sessions WHERE signer = $signer', { signer: lower(previousSigner) });
      }
      for (const { recordId, supersededBy } of update.supersessions) {
        this.#run('UPDATE records SET superseded_by = $by WHERE record_id = $id', {
          id: recordId,
          by: supersededBy,
        });
      }
      this.#run(
        `INSERT INTO meta VALUES ('indexed_block', $block) ON CONFLICT (key) DO UPDATE SET value = $block`,
        { block: String(update.toBlock) },
      );
      this.#run(
        `INSERT INTO meta VALUES ('indexed_block_hash', $hash) ON CONFLICT (key) DO UPDATE SET value = $hash`,
        { hash: update.toBlockHash ?? '' },
      );
    });
  }

  async indexedCheckpoint(): Promise<{ blockNumber: number; blockHash: Hex } | undefined> {
    const block = this.#get(`SELECT value FROM meta WHERE key = 'indexed_block'`);
    const hash = this.#get(`SELECT value FROM meta WHERE key = 'indexed_block_hash'`);
    if (!block || !hash?.value) return undefined;
    return { blockNumber: Number(block.value), blockHash: hash.value as Hex };
  }

  async resetChainIndex(): Promise<Hex[]> {
    const recordIds = this.#all('SELECT record_id FROM records').map((row) => row.record_id as Hex);
    this.#transaction(() => {
      for (const table of ['records', 'grants', 'access_requests', 'organisations', 'members', 'patients']) {
        this.#run(`DELETE FROM ${table}`);
      }
      this.#run(`DELETE FROM meta WHERE key IN ('indexed_block', 'indexed_block_hash')`);
    });
    return recordIds;
  }

  async insertRecords(rows: RecordRow[]): Promise<void> {
    if (rows.length) this.#transaction(() => this.#insertRecordRows(rows));
  }

  #insertRecordRows(rows: RecordRow[]): void {
    for (const row of rows) {
      this.#run(
        `INSERT INTO records VALUES ($id, $patient, $author, $org, $category, $sensitivity, $digest, $cid, $supersedes,
           $supersededBy, $createdAt, $block, $tx) ON CONFLICT (record_id) DO NOTHING`,
        {
          id: lower(row.recordId),
          patient: lower(row.patient),
          author: lower(row.author),
          org: row.organisationId,
          category: row.category,
          sensitivity: row.sensitivity,
          digest: row.contentDigest,
          cid: row.cid,
          supersedes: row.supersedes,
          supersededBy: row.supersededBy,
          createdAt: row.createdAt,
          block: row.blockNumber,
          tx: row.transactionHash,
        },
      );
    }
  }

  async record(recordId: Hex): Promise<RecordRow | undefined> {
    const row = this.#get('SELECT * FROM records WHERE record_id = $id', { id: lower(recordId) });
    return row && toRecord(row);
  }

  async recordsOfPatient(patient: Address): Promise<RecordRow[]> {
    return this.#all('SELECT * FROM records WHERE patient = $patient ORDER BY block_number, record_id', {
      patient: lower(patient),
    }).map(toRecord);
  }

  async allRecords(): Promise<RecordRow[]> {
    return this.#all('SELECT * FROM records ORDER BY block_number, record_id').map(toRecord);
  }

  async recordsPage(after: Hex | null, limit: number): Promise<RecordRow[]> {
    return this.#all('SELECT * FROM records WHERE record_id > $after ORDER BY record_id LIMIT $limit', {
      after: after ? lower(after) : '',
      limit,
    }).map(toRecord);
  }

  async grant(grantId: number): Promise<GrantRow | undefined> {
    const row = this.#get('SELECT * FROM grants WHERE grant_id = $id', { id: grantId });
    return row && toGrant(row);
  }

  async grantsOfPatient(patient: Address): Promise<GrantRow[]> {
    return this.#all('SELECT * FROM grants WHERE patient = $patient ORDER BY grant_id', {
      patient: lower(patient),
    }).map(toGrant);
  }

  async grantsToActor(actor: Address, organisationId: number): Promise<GrantRow[]> {
    return this.#all(
      'SELECT * FROM grants WHERE grantee = $actor OR ($org > 0 AND grantee_organisation = $org) ORDER BY grant_id',
      { actor: lower(actor), org: organisationId },
    ).map(toGrant);
  }

  async accessRequest(requestId: number): Promise<AccessRequestRow | undefined> {
    const row = this.#get('SELECT * FROM access_requests WHERE request_id = $id', { id: requestId });
    return row && toRequest(row);
  }

  async accessRequests(filter: { patient?: Address; requester?: Address }): Promise<AccessRequestRow[]> {
    return this.#all(
      `SELECT * FROM access_requests WHERE ($patient IS NULL OR patient = $patient)
         AND ($requester IS NULL OR requester = $requester) ORDER BY request_id`,
      {
        patient: filter.patient ? lower(filter.patient) : null,
        requester: filter.requester ? lower(filter.requester) : null,
      },
    ).map(toRequest);
  }

  async organisation(organisationId: number): Promise<OrganisationRow | undefined> {
    const row = this.#get('SELECT * FROM organisations WHERE organisation_id = $id', { id: organisationId });
    return row && toOrganisation(row);
  }

  async organisations(): Promise<OrganisationRow[]> {
    return this.#all('SELECT * FROM organisations ORDER BY organisation_id').map(toOrganisation);
  }

  async member(address: Address): Promise<MemberRow | undefined> {
    const row = this.#get('SELECT * FROM members WHERE address = $address', { address: lower(address) });
    return row && toMember(row);
  }

  async membersOf(organisationId: number): Promise<MemberRow[]> {
    return this.#all('SELECT * FROM members WHERE organisation_id = $id ORDER BY address', {
      id: organisationId,
    }).map(toMember);
  }

  async patient(address: Address): Promise<PatientRow | undefined> {
    const row = this.#get('SELECT * FROM patients WHERE address = $address', { address: lower(address) });
    return (
      row && {
        address: row.address as Address,
        organisationId: Number(row.organisation_id),
        encryptionKey: row.encryption_key as Hex,
      }
    );
  }

  async saveRequestReason(reasonHash: Hex, reason: string): Promise<void> {
    this.#run('INSERT INTO request_reasons VALUES ($hash, $reason) ON CONFLICT (reason_hash) DO NOTHING', {
      hash: reasonHash,
      reason,
    });
  }

  async requestReason(reasonHash: Hex): Promise<string | undefined> {
    const row = this.#get('SELECT reason FROM request_reasons WHERE reason_hash = $hash', {
      hash: reasonHash,
    });
    return row ? String(row.reason) : undefined;
  }

  async appendAuditEvents(events: AuditEventRow[]): Promise<void> {
    if (!events.length) return;
    this.#transaction(() => {
      for (const event of events) {
        this.#run(
          `INSERT INTO audit_events (event_id, recorded_at, actor, patient, action, record_id, category, sensitivity,
             purpose, outcome, reason) VALUES ($id, $at, $actor, $patient, $action, $record, $category, $sensitivity,
             $purpose, $outcome, $reason)`,
          {
            id: event.eventId,
            at: event.recordedAt,
            actor: lower(event.actor),
            patient: event.patient ? lower(event.patient) : null,
            action: event.action,
            record: event.recordId,
            category: event.category,
            sensitivity: event.sensitivity,
            purpose: event.purpose,
            outcome: event.outcome,
            reason: event.reason,
          },
        );
      }
    });
  }

  async auditEvents(query: AuditQuery): Promise<AuditEventRow[]> {
    const conditions: string[] = [];
    const params: Row = { limit: query.limit ?? 1000 };
    if (query.patient) {
      conditions.push('patient = $patient');
      params.patient = lower(query.patient);
    }
    if (query.actor) {
      conditions.push('actor = $actor');
      params.actor = lower(query.actor);
    }
    if (query.actors) {
      if (!query.actors.length) return [];
      conditions.push(`actor IN (SELECT value FROM json_each($actors))`);
      params.actors = JSON.stringify(query.actors.map(lower));
    }
    const where = conditions.length ? `WHERE ${conditions.join(' AND ')}` : '';
    return this.#db
      .prepare(`SELECT * FROM audit_events ${where} ORDER BY seq DESC LIMIT $limit`)
      .all(params)
      .map((row) => toAuditEvent(row as Row));
  }

  async auditEventsFrom(firstSequence: number, limit: number): Promise<AuditEventRow[]> {
    return this.#all('SELECT * FROM audit_events WHERE seq > $from ORDER BY seq LIMIT $limit', {
      from: firstSequence,
      limit,
    }).map(toAuditEvent);
  }

  async saveAuditLeaves(leaves: AuditLeafRow[]): Promise<void> {
    if (!leaves.length) return;
    this.#transaction(() => {
      for (const leaf of leaves) {
        this.#run(
          'INSERT INTO audit_leaves VALUES ($sequence, $hash, $tag) ON CONFLICT (sequence) DO NOTHING',
          { sequence: leaf.sequence, hash: leaf.eventHash.toLowerCase(), tag: leaf.tag.toLowerCase() },
        );
      }
    });
  }

  async auditLeaves(firstSequence: number, limit: number): Promise<AuditLeafRow[]> {
    return this.#all('SELECT * FROM audit_leaves WHERE sequence >= $from ORDER BY sequence LIMIT $limit', {
      from: firstSequence,
      limit,
    }).map((row) => ({
      sequence: Number(row.sequence),
      eventHash: row.event_hash as Hex,
      tag: row.tag as Hex,
    }));
  }

  async saveAuditBatch(batch: AuditBatchRow): Promise<void> {
    this.#run(
      `INSERT INTO audit_batches VALUES ($index, $first, $count, $root, $tx, $block)
       ON CONFLICT (batch_index) DO NOTHING`,
      {
        index: batch.batchIndex,
        first: batch.firstSequence,
        count: batch.count,
        root: batch.root,
        tx: batch.transactionHash,
        block: batch.blockNumber,
      },
    );
  }

  async auditBatches(): Promise<AuditBatchRow[]> {
    return this.#all('SELECT * FROM audit_batches ORDER BY batch_index').map((row) => ({
      batchIndex: Number(row.batch_index),
      firstSequence: Number(row.first_sequence),
      count: Number(row.count),
      root: row.root as Hex,
      transactionHash: row.transaction_hash as Hex,
      blockNumber: Number(row.block_number),
    }));
  }

  async saveSignInNonce(nonce: string, expiresAt: number): Promise<void> {
    this.#run('INSERT INTO sign_in_nonces VALUES ($nonce, $expires)', { nonce, expires: expiresAt });
  }

  async consumeSignInNonce(nonce: string, now: number): Promise<boolean> {
    const row = this.#get('DELETE FROM sign_in_nonces WHERE nonce = $nonce RETURNING expires_at', { nonce });
    this.#run('DELETE FROM sign_in_nonces WHERE expires_at < $now', { now });
    return row !== undefined && Number(row.expires_at) >= now;
  }

  async saveSession(session: SessionRow): Promise<void> {
    this.#run(
      'INSERT INTO sessions (token_hash, address, expires_at, signer) VALUES ($hash, $address, $expires, $signer)',
      {
        hash: session.tokenHash,
        address: lower(session.address),
        expires: session.expiresAt,
        signer: lower(session.signer),
      },
    );
  }

  async session(tokenHash: string, now: number): Promise<SessionRow | undefined> {
    const row = this.#get('SELECT * FROM sessions WHERE token_hash = $hash AND expires_at >= $now', {
      hash: tokenHash,
      now,
    });
    return (
      row && {
        tokenHash: String(row.token_hash),
        address: row.address as Address,
        // Sessions opened before signers were recorded were signed by the account's own key.
        signer: ((row.signer as string | null) ?? row.address) as Address,
        expiresAt: Number(row.expires_at),
      }
    );
  }

  async deleteSession(tokenHash: string): Promise<void> {
    this.#run('DELETE FROM sessions WHERE token_hash = $hash', { hash: tokenHash });
  }

  async secondFactor(address: Address): Promise<SecondFactorRow | undefined> {
    const row = this.#get('SELECT * FROM second_factors WHERE address = $address', {
      address: lower(address),
    });
    return (
      row && {
        address: row.address as Address,
        secretIv: new Uint8Array(row.secret_iv as Uint8Array),
        secretCiphertext: new Uint8Array(row.secret_ciphertext as Uint8Array),
        enabled: Number(row.enabled) === 1,
        lastCounter: Number(row.last_counter),
      }
    );
  }

  async saveSecondFactor(row: SecondFactorRow): Promise<void> {
    this.#run(
      `INSERT INTO second_factors VALUES ($address, $iv, $ciphertext, $enabled, $counter)
       ON CONFLICT (address) DO UPDATE SET secret_iv = $iv, secret_ciphertext = $ciphertext, enabled = $enabled,
         last_counter = $counter`,
      {
        address: lower(row.address),
        iv: row.secretIv,
        ciphertext: row.secretCiphertext,
        enabled: row.enabled ? 1 : 0,
        counter: row.lastCounter,
      },
    );
  }

  async deleteSecondFactor(address: Address): Promise<void> {
    this.#run('DELETE FROM second_factors WHERE address = $address', { address: lower(address) });
  }

  async useSecondFactorCounter(address: Address, counter: number): Promise<boolean> {
    const changed = this.#statement(
      `UPDATE second_factors SET last_counter = $counter WHERE address = $address AND last_counter < $counter`,
    ).run({ address: lower(address), counter });
    return Number(changed.changes) === 1;
  }

  async recordSecondFactorFailure(address: Address, at: number): Promise<void> {
    this.#run('INSERT INTO second_factor_failures VALUES ($address, $at)', { address: lower(address), at });
  }

  async secondFactorFailures(address: Address, since: number): Promise<number[]> {
    this.#run('DELETE FROM second_factor_failures WHERE address = $address AND at < $since', {
      address: lower(address),
      since,
    });
    return this.#all('SELECT at FROM second_factor_failures WHERE address = $address ORDER BY at', {
      address: lower(address),
    }).map((row) => Number(row.at));
  }

  async clearSecondFactorFailures(address: Address): Promise<void> {
    this.#run('DELETE FROM second_factor_failures WHERE address = $address', { address: lower(address) });
  }

  async deleteSessionsOfSigner(signer: Address): Promise<void> {
    this.#run('DELETE FROM sessions WHERE signer = $signer OR (signer IS NULL AND address = $signer)', {
      signer: lower(signer),
    });
  }

  async saveKeyBackup(backup: KeyBackupRow): Promise<void> {
    const patient = lower(backup.patient);
    this.#transaction(() => {
      this.#run(
        `INSERT INTO key_backups VALUES ($patient, $id, $backup, $at)
         ON CONFLICT (patient) DO UPDATE SET backup_id = $id, backup = $backup, stored_at = $at`,
        { patient, id: lower(backup.backupId), backup: backup.backup, at: backup.storedAt },
      );
      this.#run('DELETE FROM key_backup_guardians WHERE patient = $patient', { patient });
      for (const guardian of backup.guardians) {
        this.#run('INSERT INTO key_backup_guardians VALUES ($patient, $guardian)', {
          patient,
          guardian: lower(guardian),
        });
      }
    });
  }

  async keyBackup(patient: Address): Promise<KeyBackupRow | undefined> {
    const row = this.#get('SELECT * FROM key_backups WHERE patient = $patient', { patient: lower(patient) });
    if (!row) return undefined;
    const guardians = this.#all('SELECT guardian FROM key_backup_guardians WHERE patient = $patient', {
      patient: lower(patient),
    }).map((g) => g.guardian as Address);
    return {
      patient: row.patient as Address,
      backupId: row.backup_id as Hex,
      backup: String(row.backup),
      guardians,
      storedAt: Number(row.stored_at),
    };
  }

  async saveKeyRecoveryRequest(request: KeyRecoveryRequestRow): Promise<void> {
    this.#run(
      `INSERT INTO key_recovery_requests VALUES ($id, $patient, $backup, $key, $created, $expires, $token)`,
      {
        id: lower(request.requestId),
        patient: lower(request.patient),
        backup: lower(request.backupId),
        key: lower(request.recoveryKey),
        created: request.createdAt,
        expires: request.expiresAt,
        token: lower(request.tokenHash),
      },
    );
  }

  async keyRecoveryRequest(requestId: Hex): Promise<KeyRecoveryRequestRow | undefined> {
    const row = this.#get('SELECT * FROM key_recovery_requests WHERE request_id = $id', {
      id: lower(requestId),
    });
    return row && toKeyRecoveryRequest(row);
  }

  async deleteKeyRecoveryRequest(requestId: Hex): Promise<void> {
    const id = lower(requestId);
    this.#transaction(() => {
      this.#run('DELETE FROM key_recovery_shares WHERE request_id = $id', { id });
      this.#run('DELETE FROM key_recovery_requests WHERE request_id = $id', { id });
    });
  }

  async openKeyRecoveryRequests(
    filter: { patient?: Address; guardian?: Address },
    now: number,
  ): Promise<KeyRecoveryRequestRow[]> {
    if (filter.guardian) {
      return this.#all(
        `SELECT r.* FROM key_recovery_requests r
           JOIN key_backups b ON b.patient = r.patient AND b.backup_id = r.backup_id
           JOIN key_backup_guardians g ON g.patient = r.patient
         WHERE g.guardian = $guardian AND r.expires_at > $now ORDER BY r.created_at`,
        { guardian: lower(filter.guardian), now },
      ).map(toKeyRecoveryRequest);
    }
    return this.#all(
      'SELECT * FROM key_recovery_requests WHERE patient = $patient AND expires_at > $now ORDER BY created_at',
      { patient: lower(filter.patient ?? ''), now },
    ).map(toKeyRecoveryRequest);
  }

  async saveKeyRecoveryShare(share: KeyRecoveryShareRow): Promise<boolean> {
    const inserted = this.#get(
      `INSERT INTO key_recovery_shares VALUES ($id, $guardian, $share, $enc, $ct, $at)
       ON CONFLICT (request_id, guardian) DO NOTHING RETURNING share`,
      {
        id: lower(share.requestId),
        guardian: lower(share.guardian),
        share: share.share,
        enc: share.enc,
        ct: share.ct,
        at: share.approvedAt,
      },
    );
    return inserted !== undefined;
  }

  async keyRecoveryShares(requestId: Hex): Promise<KeyRecoveryShareRow[]> {
    return this.#all('SELECT * FROM key_recovery_shares WHERE request_id = $id ORDER BY approved_at', {
      id: lower(requestId),
    }).map((row) => ({
      requestId: row.request_id as Hex,
      guardian: row.guardian as Address,
      share: Number(row.share),
      enc: String(row.enc),
      ct: String(row.ct),
      approvedAt: Number(row.approved_at),
    }));
  }
}

function toKeyRecoveryRequest(row: Row): KeyRecoveryRequestRow {
  return {
    requestId: row.request_id as Hex,
    patient: row.patient as Address,
    backupId: row.backup_id as Hex,
    recoveryKey: row.recovery_key as Hex,
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
    tokenHash: row.token_hash as Hex,
  };
}

function toRecord(row: Row): RecordRow {
  return {
    recordId: row.record_id as Hex,
    patient: row.patient as Address,
    author: row.author as Address,
    organisationId: Number(row.organisation_id),
    category: Number(row.category),
    sensitivity: Number(row.sensitivity),
    contentDigest: row.content_digest as Hex,
    cid: String(row.cid),
    supersedes: row.supersedes as Hex,
    supersededBy: (row.superseded_by as Hex | null) ?? null,
    createdAt: Number(row.created_at),
    blockNumber: Number(row.block_number),
    transactionHash: row.transaction_hash as Hex,
  };
}

function toGrant(row: Row): GrantRow {
  return {
    grantId: Number(row.grant_id),
    patient: row.patient as Address,
    grantee: (row.grantee as Address | null) ?? null,
    granteeOrganisation: Number(row.grantee_organisation),
    categories: Number(row.categories),
    maxSensitivity: Number(row.max_sensitivity),
    actions: Number(row.actions),
    purpose: row.purpose as Hex,
    expiresAt: Number(row.expires_at),
    requestId: Number(row.request_id),
    grantedAtBlock: Number(row.granted_at_block),
    revokedAtBlock: row.revoked_at_block === null ? null : Number(row.revoked_at_block),
  };
}

function toRequest(row: Row): AccessRequestRow {
  return {
    requestId: Number(row.request_id),
    patient: row.patient as Address,
    requester: row.requester as Address,
    categories: Number(row.categories),
    actions: Number(row.actions),
    reasonHash: row.reason_hash as Hex,
    status: row.status as AccessRequestRow['status'],
    grantId: row.grant_id === null ? null : Number(row.grant_id),
    blockNumber: Number(row.block_number),
  };
}

function toOrganisation(row: Row): OrganisationRow {
  return {
    organisationId: Number(row.organisation_id),
    name: String(row.name),
    kind: Number(row.kind),
    admin: row.admin as Address,
    encryptionKey: row.encryption_key as Hex,
    gatewayUrl: String(row.gateway_url),
    active: Number(row.active) === 1,
  };
}

function toMember(row: Row): MemberRow {
  return {
    address: row.address as Address,
    organisationId: Number(row.organisation_id),
    role: Number(row.role),
    encryptionKey: row.encryption_key as Hex,
    active: Number(row.active) === 1,
  };
}

/** `seq` counts from 1 (SQLite AUTOINCREMENT; rolled-back inserts leave no gap); sequences from 0. */
function toAuditEvent(row: Row): AuditEventRow {
  return {
    sequence: Number(row.seq) - 1,
    eventId: String(row.event_id),
    recordedAt: Number(row.recorded_at),
    actor: row.actor as Address,
    patient: (row.patient as Address | null) ?? null,
    action: String(row.action),
    recordId: (row.record_id as Hex | null) ?? null,
    category: row.category === null ? null : Number(row.category),
    sensitivity: row.sensitivity === null ? null : Number(row.sensitivity),
    purpose: (row.purpose as string | null) ?? null,
    outcome: row.outcome as AuditEventRow['outcome'],
    reason: (row.reason as string | null) ?? null,
  };
}
