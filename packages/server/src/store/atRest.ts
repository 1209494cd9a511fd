/**
 * Free text that the chain holds only as a salted hash (emergency justifications, access-request
 * reasons) is encrypted at rest in the gateway's database: AES-256-GCM (`@medledger/core`, noble)
 * under the gateway's own 32-byte key, `keys/at-rest.json` in its 0700 key directory.
 *
 * Where: in the stores, and only there (`SqlEmergencyStore`, `SqlChainIndexStore`). They are the
 * only code that writes or reads those rows, so no caller can put the text in the database in
 * clear, and the one-time sealing of rows that earlier versions wrote in clear lives beside the
 * schema (`sealClearFreeText`, run when the stores open). Callers see clear text in and out.
 *
 * Each ciphertext is bound to its row: the associated data names the table and the row's hash, so
 * a ciphertext moved to another row (or table) fails to open (`IntegrityError`).
 *
 * A database's rows are sealed under one key. The key's check value (a sealed constant) is kept in
 * the database's `meta` table: a process that opens the database with another key (a second
 * process of an organisation whose `keys/` was not copied) is refused at start, reason
 * `at_rest_key_mismatch`, rather than writing rows the others cannot read.
 */
import {
  base64urlToBytes,
  bytesToBase64url,
  bytesToUtf8,
  decryptAesGcm,
  encryptAesGcm,
  IntegrityError,
  MedledgerError,
  utf8ToBytes,
} from '@medledger/core';
import type { SqlDatabase } from './sqlDatabase.ts';

/** The tables whose free text is sealed, named in each ciphertext's associated data. */
export type SealedTable = 'emergency_justifications' | 'request_reasons' | 'meta';

export interface AtRestCipher {
  /** Encrypts `text` of the row `rowHash` of `table` (a fresh nonce each time). */
  seal(table: SealedTable, rowHash: string, text: string): string;
  /** Decrypts what `seal` gave for the same table and row; `IntegrityError` otherwise. */
  open(table: SealedTable, rowHash: string, sealed: string): string;
}

const version = 'v1';

/** @example const atRest = createAtRestCipher(hexToBytes(keys.atRestKey)); */
export function createAtRestCipher(key: Uint8Array): AtRestCipher {
  const associatedData = (table: SealedTable, rowHash: string) =>
    utf8ToBytes(`medledger at rest ${version} ${table} ${rowHash.toLowerCase()}`);
  const copy = Uint8Array.from(key);
  return {
    seal(table, rowHash, text) {
      const { iv, ciphertext } = encryptAesGcm(copy, utf8ToBytes(text), associatedData(table, rowHash));
      return `${version}.${bytesToBase64url(iv)}.${bytesToBase64url(ciphertext)}`;
    },
    open(table, rowHash, sealed) {
      const [tag, iv, ciphertext, ...rest] = sealed.split('.');
      if (tag !== version || !iv || !ciphertext || rest.length) {
        throw new IntegrityError('A value sealed at rest is malformed.', { reason: 'at_rest_malformed' });
      }
      const plaintext = decryptAesGcm(
        copy,
        { iv: base64urlToBytes(iv), ciphertext: base64urlToBytes(ciphertext) },
        associatedData(table, rowHash),
      );
      return bytesToUtf8(plaintext);
    },
  };
}

/** A store asked for sealed free text without an at-rest key: it refuses rather than store it in clear. */
export function noAtRestKey(): MedledgerError {
  return new MedledgerError(
    'This store was opened without the at-rest key; it keeps no free text in clear.',
    {
      reason: 'no_at_rest_key',
    },
  );
}

const keyCheckRow = 'at_rest_key_check';
const keyCheckText = 'medledger at-rest key check';

/**
 * Makes sure `db` is sealed under `atRest`'s key: the first process to open the database records
 * the key's check value in `meta`; any process with another key is refused (`IntegrityError`,
 * reason `at_rest_key_mismatch`).
 */
export async function checkAtRestKey(db: SqlDatabase, atRest: AtRestCipher): Promise<void> {
  await db.run(`INSERT INTO meta (key, value) VALUES ($key, $value) ON CONFLICT (key) DO NOTHING`, {
    key: keyCheckRow,
    value: atRest.seal('meta', keyCheckRow, keyCheckText),
  });
  const row = await db.get('SELECT value FROM meta WHERE key = $key', { key: keyCheckRow });
  let opened: string | undefined;
  try {
    opened = row && atRest.open('meta', keyCheckRow, String(row.value));
  } catch {
    opened = undefined;
  }
  if (opened !== keyCheckText) {
    throw new IntegrityError(
      'The database was sealed under another at-rest key than keys/at-rest.json: every process of ' +
        'a gateway needs the same keys/ directory (copy it from the first).',
      { reason: 'at_rest_key_mismatch' },
    );
  }
}

/**
 * Seals in place the free text that earlier versions wrote in clear (`sealed` = 0). Idempotent and
 * safe with several processes at once: each row is replaced only while it is still the clear text
 * read. Resolves with how many rows this call sealed.
 */
export async function sealClearFreeText(db: SqlDatabase, atRest: AtRestCipher): Promise<number> {
  let sealed = 0;
  const tables = [
    { table: 'emergency_justifications', key: 'justification_hash', text: 'text' },
    { table: 'request_reasons', key: 'reason_hash', text: 'reason' },
  ] as const;
  for (const { table, key, text } of tables) {
    const rows = await db.all(`SELECT ${key} AS hash, ${text} AS text FROM ${table} WHERE sealed = 0`);
    for (const row of rows) {
      const hash = String(row.hash);
      const clear = String(row.text);
      const { changes } = await db.run(
        `UPDATE ${table} SET ${text} = $sealed, sealed = 1 WHERE ${key} = $hash AND sealed = 0 AND ${text} = $clear`,
        { hash, clear, sealed: atRest.seal(table, hash, clear) },
      );
      sealed += changes;
    }
  }
  return sealed;
}
