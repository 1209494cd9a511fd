/**
 * Access control: the one place where the gateway decides whether an actor may act on a
 * patient's records. Every decision asks the chain (the consents contract), is written to the
 * audit log, allowed or denied, before anyone learns it, and fails closed: when the chain cannot
 * be read the answer is no.
 */
import {
  AccessDeniedError,
  type Action,
  actionBits,
  categories,
  LedgerUnavailableError,
  MedledgerError,
  sensitivities,
} from '@medledger/core';
import type { LedgerClient } from '@medledger/ledger';
import type { Address, Hex } from 'viem';
import type { AuditLog } from './auditLog.ts';
import type { GatewayStore } from './store/gatewayStore.ts';

export interface AccessQuestion {
  actor: Address;
  patient: Address;
  category: number;
  sensitivity: number;
  action: Action;
  recordId?: Hex;
  purpose?: string;
}

export interface AccessDecision {
  /** The grant that authorises a non-patient actor; 0 when the actor is the patient. */
  grantId: bigint;
}

export type AccessControl = ReturnType<typeof createAccessControl>;

export interface AccessControlOptions {
  ledger: LedgerClient;
  auditLog: AuditLog;
  store: GatewayStore;
}

export function createAccessControl({ ledger, auditLog, store }: AccessControlOptions) {
  /**
   * The chain's answers at one block. Each question is asked at the chain's latest block; the same
   * question at the same block has the same answer, so concurrent requests share one call. Any new
   * block (a revocation, say) starts a new cache. Patients asking about themselves are cached as -1.
   */
  let answers = { block: -1n, byQuestion: new Map<string, Promise<bigint>>() };

  function chainAnswer(block: bigint, question: AccessQuestion): Promise<bigint> {
    if (answers.block !== block) answers = { block, byQuestion: new Map() };
    const { actor, patient, category, sensitivity, action } = question;
    const key = `${actor}:${patient}:${category}:${sensitivity}:${action}`.toLowerCase();
    const cache = answers.byQuestion;
    let answer = cache.get(key);
    if (!answer) {
      const args = [actor, patient, category, sensitivity, actionBits[action]] as const;
      answer =
        actor.toLowerCase() === patient.toLowerCase()
          ? ledger.read('consents', 'isAuthorised', args, block).then((allowed) => (allowed ? -1n : 0n))
          : ledger.read('consents', 'authorisingGrant', args, block);
      cache.set(key, answer);
      answer.catch(() => cache.delete(key));
    }
    return answer;
  }

  async function ask(question: AccessQuestion): Promise<{ allowed: boolean; grantId: bigint }> {
    const answer = await chainAnswer(await ledger.blockNumber(), question);
    if (answer === -1n) return { allowed: true, grantId: 0n };
    const grantId = answer;
    if (grantId === 0n) return { allowed: false, grantId };
    // The chain judges expiry by its latest block's time, which stands still while no block is
    // mined (an idle embedded chain). The gateway's clock can only make the answer stricter.
    const expiresAt =
      (await store.grant(Number(grantId)))?.expiresAt ??
      Number((await ledger.read('consents', 'grantOf', [grantId])).expiresAt);
    return { allowed: expiresAt > Date.now() / 1000, grantId };
  }

  /**
   * Resolves with the authorising grant when the chain allows the access; otherwise throws
   * `AccessDeniedError` (or `LedgerUnavailableError` when the chain cannot be read). Audited either way.
   */
  async function authorise(question: AccessQuestion): Promise<AccessDecision> {
    const audit = (outcome: 'allowed' | 'denied', reason: string | null) =>
      auditLog.record({
        actor: question.actor,
        patient: question.patient,
        action: question.action,
        recordId: question.recordId ?? null,
        category: question.category,
        sensitivity: question.sensitivity,
        purpose: question.purpose ?? null,
        outcome,
        reason,
      });
    let answer: { allowed: boolean; grantId: bigint };
    try {
      answer = await ask(question);
    } catch (error) {
      await audit('denied', 'ledger_unavailable');
      throw error instanceof MedledgerError
        ? error
        : new LedgerUnavailableError('The ledger could not be read; access is refused.', { cause: error });
    }
    if (!answer.allowed) {
      await audit('denied', 'no_consent');
      throw new AccessDeniedError(
        `${question.actor} may not ${question.action} ${categories[question.category] ?? 'records'} ` +
          `(${sensitivities[question.sensitivity] ?? '?'}) of patient ${question.patient}: ` +
          'no active consent covers it.',
      );
    }
    await audit('allowed', answer.grantId ? `grant ${answer.grantId}` : 'patient');
    return { grantId: answer.grantId };
  }

  /** Whether the actor may act, without auditing: for filtering lists, never for releasing content. */
  async function allows(question: AccessQuestion): Promise<boolean> {
    return (await ask(question)).allowed;
  }

  return { authorise, allows };
}
