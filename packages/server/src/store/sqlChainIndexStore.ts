/**
 * The chain index on SQL (SQLite or PostgreSQL, see `SqlDatabase`). Addresses and record ids are
 * stored in lower case. Access-request reasons are encrypted at rest here (`atRest.ts`).
 */
import type { Address, Hex } from 'viem';
import { type AtRestCipher, noAtRestKey } from './atRest.ts';
import type {
  AccessRequestRow,
  ChainIndexStore,
  ChainIndexUpdate,
  ErasureRow,
  GrantRow,
  HiddenRow,
  MemberProfileRow,
  MemberRow,
  OrganisationRow,
  PatientRow,
  RecordLifecycleEvent,
  RecordRow,
} from './chainIndexStore.ts';
import { isStorableId, type SqlDatabase, type SqlExecutor, type SqlRow } from './sqlDatabase.ts';
import { applyDelegateEvents } from './sqlDelegateStore.ts';
import { applyDerivationRows } from './sqlDerivationStore.ts';
import { applyOrderEvents } from './sqlOrderStore.ts';

const lower = (value: string) => value.toLowerCase();

export class SqlChainIndexStore implements ChainIndexStore {
  readonly #db: SqlDatabase;
  readonly #atRest: AtRestCipher | undefined;

  /** Without `atRest`, reasons can be neither saved nor read (`no_at_rest_key`). */
  constructor(db: SqlDatabase, atRest?: AtRestCipher) {
    this.#db = db;
    this.#atRest = atRest;
  }

  async indexedBlock(): Promise<number | null> {
    const row = await this.#db.get(`SELECT value FROM meta WHERE key = 'indexed_block'`);
    return row ? Number(row.value) : null;
  }

  async indexedCheckpoint(): Promise<{ blockNumber: number; blockHash: Hex } | undefined> {
    // One statement: the block and its hash are read from the same committed update.
    const rows = await this.#db.all(
      `SELECT key, value FROM meta WHERE key IN ('indexed_block', 'indexed_block_hash')`,
    );
    const value = (key: string) => rows.find((row) => row.key === key)?.value;
    const block = value('indexed_block');
    const hash = value('indexed_block_hash');
    if (block === undefined || !hash) return undefined;
    return { blockNumber: Number(block), blockHash: hash as Hex };
  }

  /** Applies `update` and moves the cursor, atomically; ends the sessions of keys rotated out. */
  async applyChainIndex(update: ChainIndexUpdate): Promise<void> {
    await this.#db.transaction(async (tx) => {
      for (const row of update.organisations) {
        await tx.run(
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
        await tx.run('UPDATE organisations SET active = 1 WHERE organisation_id = $id', { id });
      }
      for (const row of update.members) {
        await tx.run(
          `INSERT INTO members VALUES ($address, $org, $role, $key, 1)
           ON CONFLICT (address) DO UPDATE SET organisation_id = $org, role = $role, encryption_key = $key, active = 1`,
          { address: lower(row.address), org: row.organisationId, role: row.role, key: row.encryptionKey },
        );
      }
      for (const address of update.memberSuspensions) {
        await tx.run('UPDATE members SET active = 0 WHERE address = $address', { address: lower(address) });
      }
      for (const row of update.memberProfiles ?? []) {
        await tx.run(
          `INSERT INTO member_profiles VALUES ($address, $org, $name, $title, $department)
           ON CONFLICT (address) DO UPDATE SET organisation_id = $org, name = $name, title = $title,
             department = $department`,
          {
            address: lower(row.address),
            org: row.organisationId,
            name: row.name,
            title: row.title,
            department: row.department,
          },
        );
      }
      for (const row of update.patients) {
        await tx.run(
          `INSERT INTO patients VALUES ($address, $org, $key)
           ON CONFLICT (address) DO UPDATE SET organisation_id = $org, encryption_key = $key`,
          { address: lower(row.address), org: row.organisationId, key: row.encryptionKey },
        );
      }
      // Requests before grants: a grant that approves a request indexed in the same batch must find it.
      for (const row of update.requests) {
        await tx.run(
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
        await tx.run(
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
          await tx.run(
            `UPDATE access_requests SET status = 'approved', grant_id = $grant WHERE request_id = $id`,
            { grant: row.grantId, id: row.requestId },
          );
        }
      }
      for (const { grantId, blockNumber } of update.revocations) {
        await tx.run('UPDATE grants SET revoked_at_block = $block WHERE grant_id = $id', {
          id: grantId,
          block: blockNumber,
        });
      }
      for (const id of update.requestDenials) {
        await tx.run(`UPDATE access_requests SET status = 'denied' WHERE request_id = $id`, { id });
      }
      await insertRecordRows(tx, update.records);
      for (const { patient, previousSigner, encryptionKey } of update.patientKeyRotations ?? []) {
        await tx.run('UPDATE patients SET encryption_key = $key WHERE address = $patient', {
          patient: lower(patient),
          key: encryptionKey,
        });
        await tx.run('DELETE FROM sessions WHERE signer = $signer', { signer: lower(previousSigner) });
      }
      for (const { recordId, supersededBy } of update.supersessions) {
        await tx.run('UPDATE records SET superseded_by = $by WHERE record_id = $id', {
          id: recordId,
          by: supersededBy,
        });
      }
      await applyOrderEvents(tx, update.orderEvents ?? []);
      await applyDelegateEvents(tx, update.delegateEvents ?? []);
      await applyDerivationRows(tx, update.derivations ?? []);
      await applyRecordLifecycle(tx, update.recordLifecycle ?? []);
      await tx.run(
        `INSERT INTO meta VALUES ('indexed_block', $block) ON CONFLICT (key) DO UPDATE SET value = $block`,
        { block: String(update.toBlock) },
      );
      await tx.run(
        `INSERT INTO meta VALUES ('indexed_block_hash', $hash) ON CONFLICT (key) DO UPDATE SET value = $hash`,
        { hash: update.toBlockHash ?? '' },
      );
    });
  }

  async resetChainIndex(): Promise<Hex[]> {
    return this.#db.transaction(async (tx) => {
      const recordIds = (await tx.all('SELECT record_id FROM records')).map((row) => row.record_id as Hex);
      for (const table of [
        'records',
        'grants',
        'access_requests',
        'organisations',
        'members',
        'member_profiles',
        'patients',
        'orders',
        'order_steps',
        'delegates',
        'record_derivations',
        'record_erasures',
        'record_hidden',
      ]) {
        await tx.run(`DELETE FROM ${table}`);
      }
      await tx.run(`DELETE FROM meta WHERE key IN ('indexed_block', 'indexed_block_hash')`);
      return recordIds;
    });
  }

  async insertRecords(rows: RecordRow[]): Promise<void> {
    if (rows.length) await this.#db.transaction((tx) => insertRecordRows(tx, rows));
  }

  async record(recordId: Hex): Promise<RecordRow | undefined> {
    const row = await this.#db.get('SELECT * FROM records WHERE record_id = $id', { id: lower(recordId) });
    return row && toRecord(row);
  }

  async recordsOfPatient(patient: Address): Promise<RecordRow[]> {
    const rows = await this.#db.all(
      'SELECT * FROM records WHERE patient = $patient ORDER BY block_number, record_id',
      { patient: lower(patient) },
    );
    return rows.map(toRecord);
  }

  async allRecords(): Promise<RecordRow[]> {
    return (await this.#db.all('SELECT * FROM records ORDER BY block_number, record_id')).map(toRecord);
  }

  async recordsPage(after: Hex | null, limit: number, patient?: Address): Promise<RecordRow[]> {
    const rows = await this.#db.all(
      `SELECT * FROM records WHERE record_id > $after${patient ? ' AND patient = $patient' : ''}
       ORDER BY record_id LIMIT $limit`,
      { after: after ? lower(after) : '', limit, ...(patient ? { patient: lower(patient) } : {}) },
    );
    return rows.map(toRecord);
  }

  async erasure(recordId: Hex): Promise<ErasureRow | undefined> {
    const row = await this.#db.get('SELECT * FROM record_erasures WHERE record_id = $id', {
      id: lower(recordId),
    });
    return row && toErasure(row);
  }

  async erasuresOfPatient(patient: Address): Promise<ErasureRow[]> {
    const rows = await this.#db.all(
      'SELECT * FROM record_erasures WHERE patient = $patient ORDER BY block_number, record_id',
      { patient: lower(patient) },
    );
    return rows.map(toErasure);
  }

  async isErasedCid(cid: string): Promise<boolean> {
    return (
      (await this.#db.get('SELECT 1 AS found FROM record_erasures WHERE cid = $cid', { cid })) !== undefined
    );
  }

  async erasuresWithBlob(): Promise<ErasureRow[]> {
    const rows = await this.#db.all(
      'SELECT * FROM record_erasures WHERE blob_deleted = 0 ORDER BY block_number, record_id',
    );
    return rows.map(toErasure);
  }

  async markBlobsDeleted(recordIds: readonly Hex[]): Promise<void> {
    if (!recordIds.length) return;
    await this.#db.transaction(async (tx) => {
      for (const id of recordIds) {
        await tx.run('UPDATE record_erasures SET blob_deleted = 1 WHERE record_id = $id', { id: lower(id) });
      }
    });
  }

  async hiddenRecord(recordId: Hex): Promise<HiddenRow | undefined> {
    const row = await this.#db.get('SELECT * FROM record_hidden WHERE record_id = $id', {
      id: lower(recordId),
    });
    return row && toHidden(row);
  }

  async hiddenOfPatient(patient: Address): Promise<HiddenRow[]> {
    const rows = await this.#db.all(
      'SELECT * FROM record_hidden WHERE patient = $patient ORDER BY block_number',
      {
        patient: lower(patient),
      },
    );
    return rows.map(toHidden);
  }

  async retentionsDue(now: number, limit: number): Promise<HiddenRow[]> {
    const rows = await this.#db.all(
      `SELECT * FROM record_hidden WHERE retain_until > 0 AND retain_until < $now
       ORDER BY retain_until, record_id LIMIT $limit`,
      { now, limit },
    );
    return rows.map(toHidden);
  }

  async grant(grantId: number): Promise<GrantRow | undefined> {
    if (!isStorableId(grantId)) return undefined;
    const row = await this.#db.get('SELECT * FROM grants WHERE grant_id = $id', { id: grantId });
    return row && toGrant(row);
  }

  async grantsOfPatient(patient: Address): Promise<GrantRow[]> {
    const rows = await this.#db.all('SELECT * FROM grants WHERE patient = $patient ORDER BY grant_id', {
      patient: lower(patient),
    });
    return rows.map(toGrant);
  }

  async grantsToActor(actor: Address, organisationId: number): Promise<GrantRow[]> {
    const rows = await this.#db.all(
      'SELECT * FROM grants WHERE grantee = $actor OR ($org > 0 AND grantee_organisation = $org) ORDER BY grant_id',
      { actor: lower(actor), org: organisationId },
    );
    return rows.map(toGrant);
  }

  async accessRequest(requestId: number): Promise<AccessRequestRow | undefined> {
    if (!isStorableId(requestId)) return undefined;
    const row = await this.#db.get('SELECT * FROM access_requests WHERE request_id = $id', { id: requestId });
    return row && toRequest(row);
  }

  async accessRequests(filter: { patient?: Address; requester?: Address }): Promise<AccessRequestRow[]> {
    const rows = await this.#db.all(
      `SELECT * FROM access_requests WHERE (CAST($patient AS TEXT) IS NULL OR patient = $patient)
         AND (CAST($requester AS TEXT) IS NULL OR requester = $requester) ORDER BY request_id`,
      {
        patient: filter.patient ? lower(filter.patient) : null,
        requester: filter.requester ? lower(filter.requester) : null,
      },
    );
    return rows.map(toRequest);
  }

  async organisation(organisationId: number): Promise<OrganisationRow | undefined> {
    if (!isStorableId(organisationId)) return undefined;
    const row = await this.#db.get('SELECT * FROM organisations WHERE organisation_id = $id', {
      id: organisationId,
    });
    return row && toOrganisation(row);
  }

  async organisations(): Promise<OrganisationRow[]> {
    return (await this.#db.all('SELECT * FROM organisations ORDER BY organisation_id')).map(toOrganisation);
  }

  async member(address: Address): Promise<MemberRow | undefined> {
    const row = await this.#db.get('SELECT * FROM members WHERE address = $address', {
      address: lower(address),
    });
    return row && toMember(row);
  }

  async membersOf(organisationId: number): Promise<MemberRow[]> {
    if (!isStorableId(organisationId)) return [];
    const rows = await this.#db.all('SELECT * FROM members WHERE organisation_id = $id ORDER BY address', {
      id: organisationId,
    });
    return rows.map(toMember);
  }

  async memberProfile(address: Address): Promise<MemberProfileRow | undefined> {
    const row = await this.#db.get('SELECT * FROM member_profiles WHERE address = $address', {
      address: lower(address),
    });
    return (
      row && {
        address: row.address as Address,
        organisationId: Number(row.organisation_id),
        name: row.name as string,
        title: row.title as string,
        department: row.department as string,
      }
    );
  }

  async patient(address: Address): Promise<PatientRow | undefined> {
    const row = await this.#db.get('SELECT * FROM patients WHERE address = $address', {
      address: lower(address),
    });
    return (
      row && {
        address: row.address as Address,
        organisationId: Number(row.organisation_id),
        encryptionKey: row.encryption_key as Hex,
      }
    );
  }

  async saveRequestReason(reasonHash: Hex, reason: string): Promise<void> {
    if (!this.#atRest) throw noAtRestKey();
    await this.#db.run(
      `INSERT INTO request_reasons (reason_hash, reason, sealed) VALUES ($hash, $reason, 1)
       ON CONFLICT (reason_hash) DO NOTHING`,
      { hash: reasonHash, reason: this.#atRest.seal('request_reasons', reasonHash, reason) },
    );
  }

  async requestReason(reasonHash: Hex): Promise<string | undefined> {
    if (!this.#atRest) throw noAtRestKey();
    const row = await this.#db.get('SELECT reason, sealed FROM request_reasons WHERE reason_hash = $hash', {
      hash: reasonHash,
    });
    if (!row) return undefined;
    // A row an earlier version wrote in clear, not sealed yet (`sealClearFreeText` seals them at open).
    if (Number(row.sealed) !== 1) return String(row.reason);
    return this.#atRest.open('request_reasons', reasonHash, String(row.reason));
  }
}

async function insertRecordRows(db: SqlExecutor, rows: RecordRow[]): Promise<void> {
  for (const row of rows) {
    await db.run(
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

function toRecord(row: SqlRow): RecordRow {
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

/** Applies erasures, hidings and unhidings in chain order; an erasure ends a hiding. */
async function applyRecordLifecycle(tx: SqlExecutor, events: readonly RecordLifecycleEvent[]): Promise<void> {
  for (const event of events) {
    const id = lower(event.recordId);
    if (event.type === 'erased') {
      await tx.run(
        `INSERT INTO record_erasures (record_id, patient, erased_by, reason, erased_at, block_number, cid)
         VALUES ($id, $patient, $by, $reason, $at, $block,
           COALESCE((SELECT cid FROM records WHERE record_id = $id), ''))
         ON CONFLICT (record_id) DO NOTHING`,
        {
          id,
          patient: lower(event.patient),
          by: lower(event.by),
          reason: event.reason,
          at: event.erasedAt,
          block: event.blockNumber,
        },
      );
      await tx.run('DELETE FROM record_hidden WHERE record_id = $id', { id });
    } else if (event.type === 'hidden') {
      await tx.run(
        `INSERT INTO record_hidden VALUES ($id, $patient, $by, $until, $block)
         ON CONFLICT (record_id) DO UPDATE SET hidden_by = $by, retain_until = $until, block_number = $block`,
        {
          id,
          patient: lower(event.patient),
          by: lower(event.by),
          until: event.retainUntil,
          block: event.blockNumber,
        },
      );
    } else {
      await tx.run('DELETE FROM record_hidden WHERE record_id = $id', { id });
    }
  }
}

function toErasure(row: SqlRow): ErasureRow {
  return {
    recordId: row.record_id as Hex,
    patient: row.patient as Address,
    by: row.erased_by as Address,
    reason: Number(row.reason),
    erasedAt: Number(row.erased_at),
    blockNumber: Number(row.block_number),
    cid: String(row.cid),
  };
}

function toHidden(row: SqlRow): HiddenRow {
  return {
    recordId: row.record_id as Hex,
    patient: row.patient as Address,
    by: row.hidden_by as Address,
    retainUntil: Number(row.retain_until),
    blockNumber: Number(row.block_number),
  };
}

function toGrant(row: SqlRow): GrantRow {
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

function toRequest(row: SqlRow): AccessRequestRow {
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

function toOrganisation(row: SqlRow): OrganisationRow {
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

function toMember(row: SqlRow): MemberRow {
  return {
    address: row.address as Address,
    organisationId: Number(row.organisation_id),
    role: Number(row.role),
    encryptionKey: row.encryption_key as Hex,
    active: Number(row.active) === 1,
  };
}
