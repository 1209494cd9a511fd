/**
 * Emergency access ("break the glass"), as the Emergencies contract defines it: the reason codes a
 * member declares, the verdicts of the review, the emergency set a declaration opens, and the
 * commitment to the justification that goes on chain instead of its text.
 *
 * Like the other vocabularies, codes are indexes on chain and entries are only ever appended.
 */
import { type Hex, keccak256 } from 'viem';
import { bytesToHex, concatBytes, hexToBytes, randomBytes, utf8ToBytes } from './bytes.ts';
import { InvalidInputError } from './errors.ts';
import {
  type Action,
  type Category,
  categoryIndex,
  categoryMask,
  type EmergencyReason,
  emergencyReasons,
  type Sensitivity,
} from './vocabulary.ts';

/** The review of an emergency by an admin of the member's organisation. On chain: `uint8` index. */
export const emergencyVerdicts = ['pending', 'justified', 'unjustified'] as const;
export type EmergencyVerdict = (typeof emergencyVerdicts)[number];

/** What an emergency opens, to its member only: these categories, normal sensitivity, read. */
export const emergencyCategories: readonly Category[] = ['condition', 'medication', 'allergy', 'emergency'];
export const emergencyCategoryMask = categoryMask(emergencyCategories);
export const emergencySensitivity: Sensitivity = 'normal';
export const emergencyAction: Action = 'read';

/** The consortium's emergency window unless it voted another, and the bounds of any window (seconds). */
export const defaultEmergencyWindowSeconds = 4 * 3600;
export const minEmergencyWindowSeconds = 5 * 60;
export const maxEmergencyWindowSeconds = 24 * 3600;

/** The HL7 v3 ActReason code an audit event of an access under an emergency carries ("break the glass"). */
export const breakTheGlassPurpose = 'BTG';

export function emergencyReasonCode(reason: EmergencyReason): number {
  return emergencyReasons.indexOf(reason) + 1;
}

export function emergencyReasonOfCode(code: number): EmergencyReason | undefined {
  return emergencyReasons[code - 1];
}

export function isEmergencyReason(value: string): value is EmergencyReason {
  return (emergencyReasons as readonly string[]).includes(value);
}

export function emergencyVerdictCode(verdict: Exclude<EmergencyVerdict, 'pending'>): number {
  return emergencyVerdicts.indexOf(verdict);
}

/**
 * Whether an access of `action` to a record of `category` (vocabulary index) and `sensitivity`
 * (index) is one an emergency can open. The contract decides; this spares it the questions it
 * would answer no to.
 *
 * @example
 * isEmergencyScope(categoryIndex('allergy'), 0, 'read'); // true
 * isEmergencyScope(categoryIndex('lab'), 0, 'read'); // false
 */
export function isEmergencyScope(category: number, sensitivity: number, action: Action): boolean {
  return (
    action === emergencyAction &&
    sensitivity === 0 &&
    emergencyCategories.some((allowed) => categoryIndex(allowed) === category)
  );
}

/** Longest justification the gateway keeps, in characters. */
export const maxJustificationLength = 2000;

/**
 * The on-chain commitment to a justification: keccak256 of a random 32-byte salt followed by the
 * text's UTF-8 bytes. The salt keeps a short, guessable text ("patient unconscious") from being
 * found by hashing candidates; salt and text stay at the gateway, which shows them to the reviewer.
 *
 * @example
 * const salt = newJustificationSalt();
 * const justificationHash = justificationHashOf(salt, 'Unconscious after a fall, no relative reachable');
 */
export function justificationHashOf(salt: Hex, justification: string): Hex {
  if (!/^0x[0-9a-fA-F]{64}$/.test(salt)) throw new InvalidInputError('The salt must be 32 bytes of hex.');
  return keccak256(concatBytes(hexToBytes(salt), utf8ToBytes(justification)));
}

export function newJustificationSalt(): Hex {
  return bytesToHex(randomBytes(32));
}
