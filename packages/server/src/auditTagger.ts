/**
 * The leaves of this gateway's audit events: each event's hash and its per-patient tag
 * (`@medledger/core` `auditTag.ts`), by which the patient, and nobody else, recognises its own
 * leaves among all the leaves of an anchored batch.
 *
 * The tag key of a patient comes from an X25519 Diffie-Hellman between this gateway's custodian
 * key (the organisation's encryption key on chain) and the patient's encryption key as registered
 * on chain. An event that concerns no registered patient (no patient, an unregistered address, or a
 * key that gives no shared secret) gets a tag under the gateway's own fallback key. When the chain
 * cannot be read, no tag is made (the caller retries later): an outage never turns a patient's tag
 * into a fallback one.
 */
import {
  type AuditLeaf,
  auditFallbackTagKey,
  auditLeaf,
  auditLeafTag,
  auditTagKey,
  categories,
  InvalidInputError,
  sensitivities,
} from '@medledger/core';
import type { LedgerClient } from '@medledger/ledger';
import type { Address, Hex } from 'viem';
import type { AuditEventRow } from './store/gatewayStore.ts';

export interface AuditTaggerOptions {
  ledger: LedgerClient;
  /** The custodian's X25519 key pair: the public key is the organisation's encryption key. */
  custodianKeys: { secretKey: Hex; publicKey: Hex };
}

export type AuditTagger = ReturnType<typeof createAuditTagger>;

const zeroKey = `0x${'00'.repeat(32)}`;

export function createAuditTagger({ ledger, custodianKeys }: AuditTaggerOptions) {
  /** Tag keys by organisation and patient; registered keys never change, so they are kept. */
  const keys = new Map<string, Uint8Array>();

  async function tagKeyOf(organisationId: number, patient: Address | null): Promise<Uint8Array> {
    const fallback = `${organisationId}:fallback`;
    const cacheKey = patient ? `${organisationId}:${patient.toLowerCase()}` : fallback;
    const known = keys.get(cacheKey);
    if (known) return known;
    let key: Uint8Array | undefined;
    if (patient) {
      const registered = await ledger.read('consortium', 'patient', [patient]);
      if (registered.registered && registered.encryptionKey !== zeroKey) {
        try {
          key = auditTagKey({
            organisationId,
            organisationKey: custodianKeys.publicKey,
            patientKey: registered.encryptionKey,
            secretKey: custodianKeys.secretKey,
          });
        } catch (error) {
          if (!(error instanceof InvalidInputError)) throw error;
        }
        if (key) keys.set(cacheKey, key);
      }
    }
    if (!key) {
      key = keys.get(fallback) ?? auditFallbackTagKey({ organisationId, secretKey: custodianKeys.secretKey });
      keys.set(fallback, key);
    }
    return key;
  }

  /** The leaves of `events` (which have their sequence numbers) for the organisation hosted here. */
  async function leavesOf(organisationId: number, events: AuditEventRow[]): Promise<AuditLeaf[]> {
    const patients = [...new Set(events.map((event) => event.patient?.toLowerCase() ?? null))];
    const tagKeys = new Map(
      await Promise.all(
        patients.map(
          async (patient) => [patient, await tagKeyOf(organisationId, patient as Address | null)] as const,
        ),
      ),
    );
    return events.map((event) => {
      const input = toAuditEventInput(event);
      return auditLeaf(
        input,
        auditLeafTag(tagKeys.get(event.patient?.toLowerCase() ?? null)!, input.sequence),
      );
    });
  }

  return { leavesOf };
}

/** The stored event as the audit leaf encodes it (vocabulary names, not indexes). */
export function toAuditEventInput(event: AuditEventRow) {
  if (event.sequence === undefined) throw new Error('audit event without a sequence');
  return {
    sequence: event.sequence,
    eventId: event.eventId,
    recordedAt: event.recordedAt,
    actor: event.actor,
    patient: event.patient,
    action: event.action,
    recordId: event.recordId,
    category: event.category === null ? null : (categories[event.category] ?? event.category),
    sensitivity: event.sensitivity === null ? null : (sensitivities[event.sensitivity] ?? event.sensitivity),
    purpose: event.purpose,
    outcome: event.outcome,
    reason: event.reason,
  };
}
