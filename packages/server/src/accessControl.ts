/**
 * Access control: the one place where the gateway decides whether an actor may act on a
 * patient's records. Every decision asks the chain (the consents contract, and for the emergency
 * set the emergencies contract), is written to the audit log, allowed or denied, before anyone
 * learns it, and fails closed: when the chain cannot be read the answer is no.
 *
 * An open emergency ("break the glass") authorises its member to read the patient's emergency set
 * exactly as a grant would; such a decision is audited with the purpose of use BTG.
 *
 * It also decides who sees an emergency, and who reads a patient's key backup, its recovery
 * requests, approves them, and fetches their shares; those decisions are audited under the patient.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import {
  AccessDeniedError,
  type Action,
  actionBits,
  breakTheGlassPurpose,
  categories,
  categoryIndex,
  describeRefusal,
  type ErrorFields,
  isEmergencyScope,
  LedgerUnavailableError,
  MedledgerError,
  NotFoundError,
  orderKindCategory,
  orderKindOfCode,
  roleCode,
} from '@medledger/core';
import type { LedgerClient } from '@medledger/ledger';
import { type Address, type Hex, isAddressEqual } from 'viem';
import type { AuditLog } from './auditLog.ts';
import type { EmergencyStore } from './store/emergencyStore.ts';
import type { AccessRequestRow, GatewayStore, GrantRow, OrderRow } from './store/gatewayStore.ts';

export interface AccessQuestion {
  actor: Address;
  patient: Address;
  category: number;
  sensitivity: number;
  action: Action;
  recordId?: Hex;
  purpose?: string;
}

/** A record as listings hand it to `authoriseListing`: its scope, and its id to find copies by. */
export interface ListedRecord {
  category: number;
  sensitivity: number;
  recordId?: Hex;
}

export interface AccessDecision {
  /** The grant that authorises a non-patient actor; 0 when the actor is the patient or an emergency authorises. */
  grantId: bigint;
  /** The open emergency that authorises the read (break the glass); 0 otherwise. */
  emergencyId: bigint;
  /** The block the chain answered at: reads that belong to this decision (a record's anchor) use it too. */
  blockNumber: bigint;
}

export type AccessControl = ReturnType<typeof createAccessControl>;

export interface AccessControlOptions {
  ledger: LedgerClient;
  auditLog: AuditLog;
  store: GatewayStore;
  emergencies: EmergencyStore;
  /** Told of each access `authorise` allowed, once audited (e.g. to notify the patient of a grant's use). */
  onAllowed?: (question: AccessQuestion, decision: AccessDecision) => void;
  /**
   * Checked after the chain allowed an access and before it is granted: throws when the chain no
   * longer holds what the gateway acknowledged (a rewound chain may show a revoked grant again).
   */
  assertIntact?: (headHash?: Hex) => Promise<void>;
  /**
   * Brings the index up to the chain's head. The chain keeps no index of grants, so the candidates
   * come from the gateway's index: when none authorises, the index is brought up to date once and
   * asked again (a grant relayed through another gateway may not be indexed here yet).
   */
  syncIndex?: () => Promise<void>;
  /**
   * Whether the gateway stopped honouring a grant the chain still has in force: the grant of an
   * appointment that was cancelled (the clinician cannot make the patient sign its revocation).
   */
  isGrantEnded?: (grantId: number) => Promise<boolean>;
}

interface Answer extends AccessDecision {
  allowed: boolean;
  /** The hash of the block the chain answered at. */
  headHash: Hex;
  /** Why it was denied: no grant or emergency in force, or an emergency the gateway's clock says is over. */
  denial?: 'no_consent' | 'emergency_expired';
  /** The organisation the record was copied to, when its copy authorises the read (see `copyOrganisation`). */
  copiedTo?: number;
}

/** A refusal in the catalogue's words (`describeRefusal`), with its reason and fields. */
function refusal(
  kind: typeof AccessDeniedError | typeof NotFoundError,
  reason: string,
  fields: ErrorFields = {},
): AccessDeniedError | NotFoundError {
  return new kind(describeRefusal(reason, fields) ?? reason, { reason, fields });
}

export function createAccessControl({
  ledger,
  auditLog,
  store,
  emergencies,
  onAllowed,
  assertIntact,
  syncIndex,
  isGrantEnded,
}: AccessControlOptions) {
  /**
   * The chain's answers at one block. Each question is asked at the chain's latest block; the same
   * question at the same block has the same answer, so concurrent requests share one call. Any new
   * block (a revocation, say) starts a new cache. Patients asking about themselves are cached as -1.
   */
  let answers = { block: -1n, byQuestion: new Map<string, Promise<bigint>>() };

  function cachedAnswer(block: bigint, key: string, read: () => Promise<bigint>): Promise<bigint> {
    if (answers.block !== block) answers = { block, byQuestion: new Map() };
    const cache = answers.byQuestion;
    let answer = cache.get(key);
    if (!answer) {
      answer = read();
      cache.set(key, answer);
      answer.catch(() => cache.delete(key));
    }
    return answer;
  }

  /**
   * `honouredOnly`: leaves out the grants the gateway ended (`isGrantEnded`), asked afresh: for when
   * the cached answer named such a grant (a grant ends without a new block).
   */
  function chainAnswer(block: bigint, question: AccessQuestion, honouredOnly = false): Promise<bigint> {
    const { actor, patient, category, sensitivity, action } = question;
    const key = `grant:${actor}:${patient}:${category}:${sensitivity}:${action}`.toLowerCase();
    const read = async () => {
      const args = [actor, patient, category, sensitivity, actionBits[action]] as const;
      if (isAddressEqual(actor, patient)) {
        const allowed = await ledger.read('consents', 'isAuthorised', [[], ...args], block);
        return allowed ? -1n : 0n;
      }
      const authorising = async () => {
        const candidates = await candidateGrants(actor, patient, honouredOnly);
        return candidates.length === 0
          ? 0n
          : ledger.read('consents', 'authorisingGrant', [candidates, ...args], block);
      };
      const answer = await authorising();
      if (answer !== 0n || !syncIndex) return answer;
      try {
        await syncIndex();
      } catch {
        return answer; // the index stays as it was: no grant it misses can be found
      }
      return authorising();
    };
    return honouredOnly ? read() : cachedAnswer(block, key, read);
  }

  /**
   * The patient's grants that could authorise the actor, as the index has them and in the chain's
   * order of preference: grants to the actor before grants to an organisation, the newest first.
   * The chain decides which (if any) authorises; the index only proposes.
   */
  async function candidateGrants(actor: Address, patient: Address, honouredOnly = false): Promise<bigint[]> {
    let grants = (await store.grantsOfPatient(patient)).filter((grant) => grant.revokedAtBlock === null);
    if (honouredOnly && isGrantEnded) {
      const ended = await Promise.all(grants.map((grant) => isGrantEnded(grant.grantId)));
      grants = grants.filter((_, index) => !ended[index]);
    }
    const newestFirst = (rows: GrantRow[]) => rows.map((grant) => BigInt(grant.grantId)).reverse();
    return [
      ...newestFirst(
        grants.filter((grant) => grant.grantee !== null && isAddressEqual(grant.grantee, actor)),
      ),
      ...newestFirst(grants.filter((grant) => grant.grantee === null && grant.granteeOrganisation !== 0)),
    ];
  }

  /** The open emergency the chain finds for the question at `block` (0 if none). */
  function emergencyAnswer(block: bigint, question: AccessQuestion): Promise<bigint> {
    const { actor, patient, category, sensitivity, action } = question;
    const key = `emergency:${actor}:${patient}:${category}:${sensitivity}:${action}`.toLowerCase();
    return cachedAnswer(block, key, () =>
      ledger.read(
        'emergencies',
        'authorisingEmergency',
        [actor, patient, category, sensitivity, actionBits[action]],
        block,
      ),
    );
  }

  /**
   * The chain judges expiry by its latest block's time, which stands still while no block is mined
   * (an idle embedded chain). The gateway's clock can only make an answer stricter.
   */
  function inForce(expiresAt: number): boolean {
    return expiresAt > Date.now() / 1000;
  }

  async function ask(question: AccessQuestion): Promise<Answer> {
    const head = await ledger.head();
    return { ...(await answerAt(head.number, question)), blockNumber: head.number, headHash: head.hash };
  }

  async function answerAt(
    block: bigint,
    question: AccessQuestion,
  ): Promise<Omit<Answer, 'blockNumber' | 'headHash'>> {
    let answer = await chainAnswer(block, question);
    if (answer > 0n && (await isGrantEnded?.(Number(answer))))
      answer = await chainAnswer(block, question, true);
    if (answer === -1n) return { allowed: true, grantId: 0n, emergencyId: 0n };
    if (answer !== 0n) {
      const expiresAt =
        (await store.grant(Number(answer)))?.expiresAt ??
        Number((await ledger.read('consents', 'grantOf', [answer])).expiresAt);
      if (inForce(expiresAt)) return { allowed: true, grantId: answer, emergencyId: 0n };
    }
    if (isEmergencyScope(question.category, question.sensitivity, question.action)) {
      const emergencyId = await emergencyAnswer(block, question);
      if (emergencyId !== 0n) {
        const expiresAt =
          (await emergencies.emergency(Number(emergencyId)))?.expiresAt ??
          Number((await ledger.read('emergencies', 'emergencyOf', [emergencyId])).expiresAt);
        if (inForce(expiresAt)) return { allowed: true, grantId: 0n, emergencyId };
        return { allowed: false, grantId: 0n, emergencyId: 0n, denial: 'emergency_expired' };
      }
    }
    if (question.action === 'read' && question.recordId) {
      const copiedTo = await copyOrganisation(block, question.actor, question.recordId);
      if (copiedTo) return { allowed: true, grantId: 0n, emergencyId: 0n, copiedTo };
    }
    return { allowed: false, grantId: 0n, emergencyId: 0n, denial: 'no_consent' };
  }

  /**
   * The organisation a record was copied to (RecordActions `copy`), when `actor` is an active member of
   * it at `block`: the copier's share authority is the patient's consent for that organisation's
   * members to read the copy. 0 otherwise.
   */
  async function copyOrganisation(block: bigint, actor: Address, recordId: Hex): Promise<number> {
    const copiedTo = await ledger.read('recordActions', 'copiedTo', [recordId], block);
    if (copiedTo === 0) return 0;
    const organisationId = await ledger.read('consortium', 'activeOrganisationOf', [actor], block);
    return organisationId === copiedTo ? copiedTo : 0;
  }

  /**
   * Why no consent covers the actor, told apart for the actor's own grants from the patient (for
   * `scope`, or any scope for a read or a listing): the latest revoked (`consent_revoked`, with `revokedAt`,
   * the time of the revocation's block) or expired (`consent_expired`, with `expiredAt`), whichever
   * ended last; `no_consent` when the patient never granted the actor such a consent, or when one is
   * still in force and the chain refuses for another cause (a suspended member, a removed delegate).
   * Grants to the actor's organisation count as never granted to the actor.
   */
  async function consentRefusal(
    actor: Address,
    patient: Address,
    scope?: { category: number; sensitivity: number; action: Action },
  ): Promise<{ reason: string; fields: ErrorFields }> {
    const own = (await store.grantsOfPatient(patient)).filter(
      (grant) =>
        grant.grantee !== null &&
        isAddressEqual(grant.grantee, actor) &&
        (!scope ||
          ((grant.categories & (1 << scope.category)) !== 0 &&
            grant.maxSensitivity >= scope.sensitivity &&
            (grant.actions & actionBits[scope.action]) !== 0)),
    );
    const latest = (rows: GrantRow[], by: (row: GrantRow) => number) =>
      rows.reduce<GrantRow | undefined>(
        (found, row) => (found && by(found) >= by(row) ? found : row),
        undefined,
      );
    const revoked = latest(
      own.filter((grant) => grant.revokedAtBlock !== null),
      (grant) => grant.revokedAtBlock ?? 0,
    );
    // Expired by the gateway's clock or by the chain's (which a test chain may run ahead).
    const unrevoked = own.filter((grant) => grant.revokedAtBlock === null);
    const chainNow = unrevoked.length ? await blockTime(await ledger.blockNumber()) : undefined;
    const ended = (grant: GrantRow) => !inForce(grant.expiresAt) || (chainNow ?? 0) >= grant.expiresAt;
    // A grant still in force that the chain does not honour (its grantee suspended or no longer a
    // delegate, an appointment's grant ended): not the patient's revocation, nor an expiry.
    if (unrevoked.some((grant) => !ended(grant))) return { reason: 'no_consent', fields: {} };
    const expired = latest(unrevoked.filter(ended), (grant) => grant.expiresAt);
    const revokedAt =
      revoked?.revokedAtBlock != null ? await blockTime(BigInt(revoked.revokedAtBlock)) : undefined;
    if (revoked && (!expired || (revokedAt ?? 0) >= expired.expiresAt)) {
      return {
        reason: 'consent_revoked',
        fields: { grantId: revoked.grantId, ...(revokedAt ? { revokedAt } : {}) },
      };
    }
    if (expired)
      return {
        reason: 'consent_expired',
        fields: { grantId: expired.grantId, expiredAt: expired.expiresAt },
      };
    return { reason: 'no_consent', fields: {} };
  }

  /** A block's time (unix seconds), or undefined when the chain cannot tell it now: only for words. */
  async function blockTime(block: bigint): Promise<number | undefined> {
    try {
      return Number((await ledger.block(block)).timestamp);
    } catch {
      return undefined;
    }
  }

  /**
   * Resolves with the authorising grant when the chain allows the access; otherwise throws
   * `AccessDeniedError` (or `LedgerUnavailableError` when the chain cannot be read). Audited either way.
   */
  /**
   * `precondition`, when given, runs once the chain allowed the access and before it is audited as
   * allowed (e.g. the record's anchor must be on chain at the decision's block): if it throws, the
   * access is audited as denied with the error's reason.
   */
  async function authorise(
    question: AccessQuestion,
    precondition?: (blockNumber: bigint) => Promise<void>,
  ): Promise<AccessDecision> {
    const audit = (outcome: 'allowed' | 'denied', reason: string | null, purpose = question.purpose) =>
      auditLog.record({
        actor: question.actor,
        patient: question.patient,
        action: question.action,
        recordId: question.recordId ?? null,
        category: question.category,
        sensitivity: question.sensitivity,
        purpose: purpose ?? null,
        outcome,
        reason,
      });
    let answer: Answer;
    try {
      answer = await ask(question);
      if (answer.allowed) await assertIntact?.(answer.headHash);
    } catch (error) {
      await audit('denied', 'ledger_unavailable');
      throw error instanceof MedledgerError
        ? error
        : new LedgerUnavailableError('The ledger could not be read; access is refused.', { cause: error });
    }
    if (answer.allowed && precondition) {
      try {
        await precondition(answer.blockNumber);
      } catch (error) {
        const reason = error instanceof MedledgerError ? (error.reason ?? error.code) : 'ledger_unavailable';
        await audit('denied', reason);
        throw error;
      }
    }
    if (!answer.allowed) {
      // A reader is told nothing of what it may not read (whose record, what kind, how sensitive);
      // a writer is told back only the category and sensitivity it chose itself.
      const scope: ErrorFields =
        question.action === 'read'
          ? {}
          : { action: question.action, category: question.category, sensitivity: question.sensitivity };
      const denial =
        answer.denial === 'emergency_expired'
          ? { reason: 'emergency_expired', fields: {} }
          : // A reader's refusal is decided on all its grants from the patient, not the record's
            // scope: which one it may not read must not show in the reason.
            await consentRefusal(
              question.actor,
              question.patient,
              question.action === 'read' ? undefined : question,
            );
      await audit('denied', denial.reason);
      const fields = { ...denial.fields, ...scope };
      throw refusal(AccessDeniedError, denial.reason, fields);
    }
    const decision = {
      grantId: answer.grantId,
      emergencyId: answer.emergencyId,
      blockNumber: answer.blockNumber,
    };
    if (decision.emergencyId) {
      await audit('allowed', `emergency ${decision.emergencyId}`, breakTheGlassPurpose);
    } else if (answer.copiedTo) {
      await audit('allowed', `copy for organisation ${answer.copiedTo}`);
    } else {
      await audit('allowed', decision.grantId ? `grant ${decision.grantId}` : 'patient');
    }
    onAllowed?.(question, decision);
    return decision;
  }

  /** Whether the actor may act, without auditing: for filtering lists, never for releasing content. */
  async function allows(question: AccessQuestion): Promise<boolean> {
    return (await ask(question)).allowed;
  }

  /** Writes a decision about something other than records (emergencies, key backups) to the audit log. */
  function auditDecision(
    actor: Address,
    patient: Address,
    action: string,
    outcome: 'allowed' | 'denied',
    reason: string,
  ) {
    return auditLog.record({
      actor,
      patient,
      action,
      recordId: null,
      category: null,
      sensitivity: null,
      purpose: null,
      outcome,
      reason,
    });
  }

  /** The organisation `actor` is an active admin of, as the chain says now; null when none. */
  async function administeredOrganisation(actor: Address): Promise<number | null> {
    const [member, organisationId] = await Promise.all([
      ledger.read('consortium', 'member', [actor]),
      ledger.read('consortium', 'activeOrganisationOf', [actor]),
    ]);
    return member.role === roleCode('admin') && organisationId !== 0 ? organisationId : null;
  }

  /**
   * How `actor` stands to an emergency: its member, its patient and the active admins of the member's
   * organisation (`administered`, from `administeredOrganisation`) see it; only the member and those
   * admins read its justification. Not audited: for lists, see `authoriseEmergencyView` for one.
   */
  function emergencyStanding(actor: Address, emergency: EmergencyParties, administered: number | null) {
    const isMember = isAddressEqual(emergency.member, actor);
    const isAdmin = administered !== null && administered === emergency.organisationId;
    return {
      mayView: isMember || isAdmin || isAddressEqual(emergency.patient, actor),
      mayReadJustification: isMember || isAdmin,
    };
  }

  /**
   * Lets `actor` see one emergency (see `emergencyStanding`); anyone else gets `NotFoundError`
   * (reason `no_such_emergency`, as for one that does not exist), audited under the patient.
   */
  async function authoriseEmergencyView(
    actor: Address,
    emergency: EmergencyParties & { emergencyId: number },
  ) {
    const administered = await administeredOrganisation(actor);
    const standing = emergencyStanding(actor, emergency, administered);
    if (!standing.mayView) {
      await auditDecision(actor, emergency.patient, 'emergency-read', 'denied', 'not_party_to_emergency');
      throw refusal(NotFoundError, 'no_such_emergency', { emergencyId: emergency.emergencyId });
    }
    return { ...standing, administered };
  }

  /**
   * Lets the patient and the guardians of its key backup read it; anyone else gets `NotFoundError`
   * (reason `no_such_key_backup`, as when there is none), audited under the patient.
   */
  async function authoriseKeyBackupRead(actor: Address, patient: Address, guardians: readonly Address[]) {
    if (isAddressEqual(actor, patient) || guardians.some((guardian) => isAddressEqual(guardian, actor)))
      return;
    await auditDecision(actor, patient, 'key-backup-read', 'denied', 'not_patient_or_guardian');
    throw refusal(NotFoundError, 'no_such_key_backup');
  }

  /**
   * Lets the guardians of the backup a recovery request is for read the request; anyone else gets
   * `NotFoundError` (reason `no_such_recovery_request`), audited under the patient.
   */
  async function authoriseRecoveryRequestRead(actor: Address, request: RecoveryRequestParties) {
    if (request.guardians.some((guardian) => isAddressEqual(guardian.guardian, actor))) return;
    await auditDecision(actor, request.patient, 'key-recovery-read', 'denied', 'not_a_guardian');
    throw refusal(NotFoundError, 'no_such_recovery_request', { requestId: request.requestId });
  }

  /**
   * Lets a guardian of the backup approve a recovery request with its own share (index `share`);
   * refuses anyone else (`not_a_guardian`) and another share index (`wrong_share_index`, field
   * `share`: the guardian's). Audited under the patient, allowed and denied alike.
   */
  async function authoriseRecoveryApproval(actor: Address, request: RecoveryRequestParties, share: number) {
    const entry = request.guardians.find((guardian) => isAddressEqual(guardian.guardian, actor));
    const denial = !entry ? 'not_a_guardian' : entry.share !== share ? 'wrong_share_index' : undefined;
    await auditDecision(
      actor,
      request.patient,
      'key-recovery-approve',
      denial ? 'denied' : 'allowed',
      denial ?? `request ${request.requestId}`,
    );
    if (!entry) {
      throw refusal(AccessDeniedError, 'not_a_guardian');
    }
    if (denial) {
      throw refusal(AccessDeniedError, 'wrong_share_index', { share: entry.share });
    }
    return entry;
  }

  /**
   * Lets the device holding a recovery request's token (its SHA-256 is `tokenHash`, compared in
   * constant time) fetch the shares; refuses any other token (`wrong_recovery_token`). Audited under
   * the patient, with the patient as the actor (the device acts for it, with no key to sign in).
   */
  async function authoriseRecoveryShares(
    request: RecoveryRequestParties & { tokenHash: Hex },
    token: string,
  ) {
    const presented = createHash('sha256').update(token).digest();
    const allowed = timingSafeEqual(presented, Buffer.from(request.tokenHash.slice(2), 'hex'));
    await auditDecision(
      request.patient,
      request.patient,
      'key-recovery-shares',
      allowed ? 'allowed' : 'denied',
      allowed ? `request ${request.requestId}` : 'wrong_recovery_token',
    );
    if (!allowed) {
      throw refusal(AccessDeniedError, 'wrong_recovery_token');
    }
  }

  /**
   * The records of `patient` that `actor` may list: all of them for the patient, otherwise those of
   * the categories and sensitivities the actor may read now. Audited as one `list` decision
   * (`n of m records visible`), allowed or denied. Throws `AccessDeniedError` (reason `no_consent`)
   * when the patient has records and none is visible, and `LedgerUnavailableError` when the chain
   * cannot be read.
   */
  async function authoriseListing<R extends ListedRecord>(
    actor: Address,
    patient: Address,
    records: readonly R[],
  ): Promise<R[]> {
    const audit = (outcome: 'allowed' | 'denied', reason: string) =>
      auditLog.record({
        actor,
        patient,
        action: 'list',
        recordId: null,
        category: null,
        sensitivity: null,
        purpose: null,
        outcome,
        reason,
      });
    let visible: R[];
    try {
      visible =
        actor.toLowerCase() === patient.toLowerCase()
          ? [...records]
          : await readable(actor, patient, records);
    } catch (error) {
      await audit('denied', 'ledger_unavailable');
      throw error instanceof MedledgerError
        ? error
        : new LedgerUnavailableError('The ledger could not be read; access is refused.', { cause: error });
    }
    const allowed = visible.length > 0 || records.length === 0;
    if (!allowed) {
      const denial = await consentRefusal(actor, patient);
      await audit('denied', `0 of ${records.length} records visible`);
      throw refusal(AccessDeniedError, denial.reason, denial.fields);
    }
    await audit('allowed', `${visible.length} of ${records.length} records visible`);
    return visible;
  }

  /**
   * The records of the categories and sensitivities the actor may read (one question per scope), and
   * the copies made for the actor's organisation (the index proposes them, the chain confirms).
   */
  async function readable<R extends ListedRecord>(
    actor: Address,
    patient: Address,
    records: readonly R[],
  ): Promise<R[]> {
    const scopeOf = (record: R) => `${record.category}:${record.sensitivity}`;
    const readableScopes = new Set<string>();
    await Promise.all(
      [...new Set(records.map(scopeOf))].map(async (scope) => {
        const [category, sensitivity] = scope.split(':').map(Number) as [number, number];
        if (await allows({ actor, patient, category, sensitivity, action: 'read' }))
          readableScopes.add(scope);
      }),
    );
    const copies = new Set<string>();
    const others = records.filter((record) => !readableScopes.has(scopeOf(record)) && record.recordId);
    if (others.length) {
      const head = await ledger.head();
      await Promise.all(
        others.map(async ({ recordId }) => {
          const id = recordId as Hex;
          if (
            (await store.derivation(id))?.toOrganisation &&
            (await copyOrganisation(head.number, actor, id))
          )
            copies.add(id.toLowerCase());
        }),
      );
    }
    return records.filter(
      (record) =>
        readableScopes.has(scopeOf(record)) || (record.recordId && copies.has(record.recordId.toLowerCase())),
    );
  }

  /**
   * Whether the actor may see a record's metadata (its stamp, say): its patient always, anyone else
   * while it may read the record (a copy: as a member of the organisation it was made for). Not
   * audited: for metadata, never for releasing content.
   */
  async function maySee(
    actor: Address,
    record: { patient: Address; category: number; sensitivity: number; recordId?: Hex },
  ): Promise<boolean> {
    if (actor.toLowerCase() === record.patient.toLowerCase()) return true;
    const { patient, category, sensitivity, recordId } = record;
    return allows({
      actor,
      patient,
      category,
      sensitivity,
      action: 'read',
      ...(recordId ? { recordId } : {}),
    });
  }

  /**
   * Resolves when the chain says `actor` is an active admin of the organisation now; otherwise
   * throws `AccessDeniedError` with reason `not_organisation_admin`. For what the organisation's
   * admins alone may see (`what`, e.g. its members' access activity). Not audited: it concerns no patient.
   */
  async function requireOrganisationAdmin(
    actor: Address,
    organisationId: number,
    what: string,
  ): Promise<void> {
    const member = await ledger.read('consortium', 'member', [actor]);
    if (member.organisationId !== organisationId || member.role !== roleCode('admin') || !member.active) {
      throw new AccessDeniedError(`Only an active admin of organisation ${organisationId} sees ${what}.`, {
        reason: 'not_organisation_admin',
        fields: { organisationId },
      });
    }
  }

  /**
   * The grants an actor may list: those it gave as a patient, and those given to it or to its
   * organisation (as the index has them). A list names scopes, never a record: it is not audited.
   */
  async function grantsVisibleTo(actor: Address): Promise<{ given: GrantRow[]; received: GrantRow[] }> {
    const [given, member] = await Promise.all([store.grantsOfPatient(actor), store.member(actor)]);
    const received = await store.grantsToActor(actor, member?.organisationId ?? 0);
    return { given, received };
  }

  /** Who the actor is to an access request: its patient, its requester, or neither (who may not see it). */
  function partyToAccessRequest(
    actor: Address,
    request: Pick<AccessRequestRow, 'patient' | 'requester'>,
  ): 'patient' | 'requester' | undefined {
    if (isAddressEqual(actor, request.patient)) return 'patient';
    if (isAddressEqual(actor, request.requester)) return 'requester';
    return undefined;
  }

  /**
   * Admits only a member of the organisation, as the chain has it now (a suspended member included);
   * anyone else is told the organisation is not theirs (`NotFoundError`, reason `not_organisation_member`),
   * which does not say whether it exists. Not audited: it concerns no patient. Fails closed.
   */
  async function requireOrganisationMember(actor: Address, organisationId: number): Promise<void> {
    const member = await ledger.read('consortium', 'member', [actor]);
    if (member.organisationId !== organisationId) {
      throw new NotFoundError(`No organisation ${organisationId} among yours.`, {
        reason: 'not_organisation_member',
        fields: { organisationId },
      });
    }
  }

  /**
   * The organisation, among `hosted` (those this gateway serves), of which the chain says `actor` is
   * an active member now; anyone else is refused (`AccessDeniedError`, reason
   * `not_organisation_member`), audited as `action` under `patient` (null when none is known yet).
   */
  async function requireHostedMember(
    actor: Address,
    hosted: readonly number[],
    action: string,
    patient: Address | null,
  ): Promise<number> {
    const organisationId = await failingClosed(actor, patient, action, () =>
      ledger.read('consortium', 'activeOrganisationOf', [actor]),
    );
    if (organisationId !== 0 && hosted.includes(organisationId)) return organisationId;
    await auditLog.record({
      ...directoryEvent(actor, patient, action),
      outcome: 'denied',
      reason: 'not_organisation_member',
    });
    throw new AccessDeniedError('Only an active member of an organisation this gateway serves may do this.', {
      reason: 'not_organisation_member',
    });
  }

  function directoryEvent(actor: Address, patient: Address | null, action: string) {
    return { actor, patient, action, recordId: null, category: null, sensitivity: null, purpose: null };
  }

  /** `read`'s answer; when the chain cannot answer, a refusal audited as `ledger_unavailable`. */
  async function failingClosed<T>(
    actor: Address,
    patient: Address | null,
    action: string,
    read: () => Promise<T>,
  ): Promise<T> {
    try {
      return await read();
    } catch (error) {
      await auditLog.record({
        ...directoryEvent(actor, patient, action),
        outcome: 'denied',
        reason: 'ledger_unavailable',
      });
      throw error instanceof MedledgerError
        ? error
        : new LedgerUnavailableError('The ledger could not be read; access is refused.', { cause: error });
    }
  }

  /**
   * Lets a registered patient (as the chain says now) ask for a desk code; anyone else is refused
   * (`AccessDeniedError`, reason `not_a_patient`). Audited under the patient, allowed and denied.
   */
  async function authoriseDeskCodeIssue(actor: Address): Promise<void> {
    const patient = await failingClosed(actor, actor, 'desk-code-issue', () =>
      ledger.read('consortium', 'patient', [actor]),
    );
    const allowed = patient.registered;
    await auditLog.record({
      ...directoryEvent(actor, actor, 'desk-code-issue'),
      outcome: allowed ? 'allowed' : 'denied',
      reason: allowed ? 'patient' : 'not_a_patient',
    });
    if (!allowed) {
      throw new AccessDeniedError('Only a registered patient gets a desk code.', { reason: 'not_a_patient' });
    }
  }

  /**
   * Lets an active member of an organisation this gateway serves redeem a desk code for its
   * patient. Refuses anyone else (`not_organisation_member`), an account over its budget of failed
   * attempts (`RateLimitedError` from `lockedOut`, reason `rate_limited`), and a code that is not live
   * (`NotFoundError`, reason `no_such_desk_code`, counted by `countFailure`). Every attempt is audited:
   * a redemption under its patient, a refusal with no patient (none is known).
   */
  async function authoriseDeskCodeRedemption(
    actor: Address,
    steps: {
      hosted: readonly number[];
      /** Throws when the account has failed too often lately. */
      lockedOut: () => Promise<void>;
      /** Takes the code (single use): its patient, or undefined. */
      take: () => Promise<Address | undefined>;
      countFailure: () => Promise<void>;
    },
  ): Promise<{ patient: Address; organisationId: number }> {
    const organisationId = await requireHostedMember(actor, steps.hosted, 'desk-code-redeem', null);
    const refuse = (reason: string) =>
      auditLog.record({ ...directoryEvent(actor, null, 'desk-code-redeem'), outcome: 'denied', reason });
    try {
      await steps.lockedOut();
    } catch (error) {
      await refuse('rate_limited');
      throw error;
    }
    const patient = await steps.take();
    if (!patient) {
      await steps.countFailure();
      await refuse('wrong_desk_code');
      throw refusal(NotFoundError, 'no_such_desk_code');
    }
    await auditLog.record({
      ...directoryEvent(actor, patient, 'desk-code-redeem'),
      outcome: 'allowed',
      reason: `organisation ${organisationId}`,
    });
    return { patient, organisationId };
  }

  /**
   * Whether `organisationId` may keep identifiers of `patient`: the patient registered with it, or
   * `actor` may read the patient's demographics now (a grant to it or its organisation).
   */
  async function isPatientOf(actor: Address, organisationId: number, patient: Address): Promise<boolean> {
    const registration = await ledger.read('consortium', 'patient', [patient]);
    if (!registration.registered) return false;
    if (registration.organisationId === organisationId) return true;
    const demographics = { category: categoryIndex('demographics'), sensitivity: 0, action: 'read' as const };
    return allows({ actor, patient, ...demographics });
  }

  /**
   * Lets an active member of an organisation this gateway serves keep an identifier of `patient`
   * for its organisation (or list them, `action` `identifier-list`), when the patient registered
   * with the organisation or the member may read the patient's demographics. Refuses anyone else
   * (`not_organisation_member`; `no_patient_relationship`). Audited under the patient, allowed and
   * denied. Resolves with the member's organisation; a patient listing its own identifiers is let
   * through with null (all organisations').
   */
  async function authoriseIdentifierUse(
    actor: Address,
    hosted: readonly number[],
    patient: Address,
    action: 'identifier-assign',
  ): Promise<number>;
  async function authoriseIdentifierUse(
    actor: Address,
    hosted: readonly number[],
    patient: Address,
    action: 'identifier-list',
  ): Promise<number | null>;
  async function authoriseIdentifierUse(
    actor: Address,
    hosted: readonly number[],
    patient: Address,
    action: 'identifier-assign' | 'identifier-list',
  ): Promise<number | null> {
    if (action === 'identifier-list' && isAddressEqual(actor, patient)) return null;
    const organisationId = await requireHostedMember(actor, hosted, action, patient);
    const allowed = await failingClosed(actor, patient, action, () =>
      isPatientOf(actor, organisationId, patient),
    );
    await auditLog.record({
      ...directoryEvent(actor, patient, action),
      outcome: allowed ? 'allowed' : 'denied',
      reason: allowed ? `organisation ${organisationId}` : 'no_patient_relationship',
    });
    if (!allowed) {
      throw refusal(AccessDeniedError, 'no_patient_relationship');
    }
    return organisationId;
  }

  /**
   * Lets an active member of an organisation this gateway serves find the patient its organisation
   * keeps under an identifier (`find`); refuses anyone else (`not_organisation_member`) and answers
   * `NotFoundError` (reason `no_such_identifier`) for an identifier it does not keep. Audited: a
   * finding under its patient, a miss with no patient.
   */
  async function authoriseIdentifierLookup<R extends { patient: Address }>(
    actor: Address,
    hosted: readonly number[],
    find: (organisationId: number) => Promise<R | undefined>,
  ): Promise<R> {
    const organisationId = await requireHostedMember(actor, hosted, 'identifier-lookup', null);
    const found = await find(organisationId);
    await auditLog.record({
      ...directoryEvent(actor, found?.patient ?? null, 'identifier-lookup'),
      outcome: found ? 'allowed' : 'denied',
      reason: found ? `organisation ${organisationId}` : 'no_such_identifier',
    });
    if (!found) {
      throw refusal(NotFoundError, 'no_such_identifier');
    }
    return found;
  }

  /**
   * Lets `actor` publish slots for `practitioner`: an active doctor or nurse publishes its own, an
   * active admin those of its organisation's active doctors and nurses. Resolves with the
   * practitioner's organisation; refuses anyone else (`AccessDeniedError`, `not_practitioner` or
   * `not_organisation_admin`). Audited (no patient), allowed and denied alike. Fails closed.
   */
  async function authoriseSlotPublishing(actor: Address, practitioner: Address): Promise<number> {
    const [member, publisher] = await Promise.all([
      ledger.read('consortium', 'member', [practitioner]),
      isAddressEqual(actor, practitioner) ? undefined : ledger.read('consortium', 'member', [actor]),
    ]);
    const clinical = member.active && [roleCode('doctor'), roleCode('nurse')].includes(member.role);
    const denial = !clinical
      ? 'not_practitioner'
      : publisher &&
          !(
            publisher.active &&
            publisher.role === roleCode('admin') &&
            publisher.organisationId === member.organisationId
          )
        ? 'not_organisation_admin'
        : undefined;
    await auditLog.record({
      actor,
      patient: null,
      action: 'slots-publish',
      recordId: null,
      category: null,
      sensitivity: null,
      purpose: null,
      outcome: denial ? 'denied' : 'allowed',
      reason: denial ?? `practitioner ${practitioner.toLowerCase()}`,
    });
    if (denial === 'not_practitioner') {
      throw new AccessDeniedError(`${practitioner} is not an active doctor or nurse.`, { reason: denial });
    }
    if (denial) {
      throw new AccessDeniedError(
        `Only ${practitioner} or an active admin of its organisation publishes its slots.`,
        { reason: denial, fields: { organisationId: member.organisationId } },
      );
    }
    return member.organisationId;
  }

  /**
   * Lets the appointment's patient and practitioner act on it (see it, cancel it); anyone else gets
   * `NotFoundError` (`no_such_appointment`, as for one that does not exist). Every state change and
   * every refusal is audited under the patient, as an access is (`action`: `appointment-book`,
   * `appointment-cancel`, ...). Resolves with who the actor is to it.
   */
  async function authoriseAppointment(
    actor: Address,
    appointment: { appointmentId: number; patient: Address; practitioner: Address },
    action: string,
    allowedParties: readonly ('patient' | 'practitioner')[] = ['patient', 'practitioner'],
  ): Promise<'patient' | 'practitioner'> {
    const party = isAddressEqual(actor, appointment.patient)
      ? 'patient'
      : isAddressEqual(actor, appointment.practitioner)
        ? 'practitioner'
        : undefined;
    const allowed = party !== undefined && allowedParties.includes(party);
    if (action !== 'appointment-read' || !allowed) {
      await auditDecision(
        actor,
        appointment.patient,
        action,
        allowed ? 'allowed' : 'denied',
        allowed ? `appointment ${appointment.appointmentId}` : 'not_party_to_appointment',
      );
    }
    if (!allowed) {
      throw refusal(NotFoundError, 'no_such_appointment', { appointmentId: appointment.appointmentId });
    }
    return party;
  }

  /**
   * Whether `actor` may see an order (its status and steps; its records stay under their own
   * decisions): its patient, its requester, an active member of its performer organisation, and
   * anyone the patient lets read the kind's category (for a prescription with no pharmacy named,
   * that is how a pharmacy the patient allows finds it). `organisationId`: the actor's active
   * organisation (0: none). Not audited: for lists; see `authoriseOrderView` for one order.
   */
  async function maySeeOrder(actor: Address, organisationId: number, order: OrderRow): Promise<boolean> {
    if (isAddressEqual(actor, order.patient) || isAddressEqual(actor, order.requester)) return true;
    if (organisationId !== 0 && order.performerOrganisation === organisationId) return true;
    const kind = orderKindOfCode(order.kind);
    if (!kind) return false;
    const category = categories.indexOf(orderKindCategory[kind]);
    return allows({ actor, patient: order.patient, category, sensitivity: 0, action: 'read' });
  }

  /** The orders `actor` may see of `orders` (see `maySeeOrder`). Not audited: a list names no content. */
  async function ordersVisibleTo(actor: Address, orders: readonly OrderRow[]): Promise<OrderRow[]> {
    const organisationId = Number(await ledger.read('consortium', 'activeOrganisationOf', [actor]));
    const visible = await Promise.all(orders.map((order) => maySeeOrder(actor, organisationId, order)));
    return orders.filter((_, index) => visible[index]);
  }

  /**
   * Resolves when `actor` may see the order (see `maySeeOrder`); anyone else is told there is no such
   * order of theirs (`NotFoundError`, reason `no_such_order`). Audited under the patient either way.
   */
  async function authoriseOrderView(actor: Address, order: OrderRow): Promise<void> {
    let allowed: boolean;
    try {
      const organisationId = Number(await ledger.read('consortium', 'activeOrganisationOf', [actor]));
      allowed = await maySeeOrder(actor, organisationId, order);
    } catch (error) {
      await auditDecision(actor, order.patient, 'order-view', 'denied', 'ledger_unavailable');
      throw error;
    }
    await auditDecision(
      actor,
      order.patient,
      'order-view',
      allowed ? 'allowed' : 'denied',
      `order ${order.orderId}`,
    );
    if (!allowed) {
      throw refusal(NotFoundError, 'no_such_order', { orderId: order.orderId });
    }
  }

  /**
   * Audits a step of an order (`order-place`, `order-status`, `order-complete`, `order-dispense`) as
   * the chain decided it: allowed with its transaction, or denied with the chain's reason. The
   * records a step writes are audited besides, as every record write (`authorise`, action append).
   */
  function auditOrderStep(
    actor: Address,
    patient: Address,
    step: string,
    outcome: 'allowed' | 'denied',
    reason: string,
  ) {
    return auditDecision(actor, patient, step, outcome, reason);
  }

  return {
    authoriseDeskCodeIssue,
    authoriseDeskCodeRedemption,
    authoriseIdentifierUse,
    authoriseIdentifierLookup,
    maySeeOrder,
    ordersVisibleTo,
    authoriseOrderView,
    auditOrderStep,
    authorise,
    allows,
    grantsVisibleTo,
    partyToAccessRequest,
    requireOrganisationMember,
    authoriseListing,
    maySee,
    requireOrganisationAdmin,
    administeredOrganisation,
    emergencyStanding,
    authoriseEmergencyView,
    authoriseKeyBackupRead,
    authoriseRecoveryRequestRead,
    authoriseRecoveryApproval,
    authoriseRecoveryShares,
    authoriseSlotPublishing,
    authoriseAppointment,
    auditDecision,
  };
}

/** Who an emergency concerns: its member, its patient, and the member's organisation. */
export interface EmergencyParties {
  member: Address;
  patient: Address;
  organisationId: number;
}

/** Who a key recovery request concerns: its patient and the guardians of its backup, with their share index. */
export interface RecoveryRequestParties {
  requestId: Hex;
  patient: Address;
  guardians: readonly { guardian: Address; share: number }[];
}
