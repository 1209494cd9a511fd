/**
 * The key file format, one definition for the CLI (files of mode 0600), the web app (a download
 * the user keeps) and the benchmarks:
 * `{ "version": 1, "address", "signingKey", "encryptionSecretKey", "encryptionKey" }`, plus
 * `"account"` when the key acts for another address: a patient's key after a rotation signs for
 * the address the patient registered with (`address` is always the signing key's own).
 */
import { type Address, type Hex, isAddressEqual } from 'viem';
import { InvalidInputError } from '../errors.ts';
import { type Identity, identityFromKeys, signerAddressOf } from './keys.ts';

/**
 * The identity in a key file's text. Throws `InvalidInputError` with reason `not_a_key_file`
 * (not JSON, or not version 1) or `key_file_mismatch` (its address is not its key's).
 *
 * @example
 * const identity = parseKeyFile(await readFile('alice.json', 'utf8'));
 */
export function parseKeyFile(text: string): Identity {
  const notAKeyFile = (why: string) =>
    new InvalidInputError(`This is not a medledger key file: ${why}.`, { reason: 'not_a_key_file' });
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw notAKeyFile('it is not JSON');
  }
  if (raw === null || typeof raw !== 'object') throw notAKeyFile('it is not a JSON object');
  const fields = raw as Record<string, unknown>;
  if (fields.version !== 1) throw notAKeyFile('its version is not 1');
  if (typeof fields.signingKey !== 'string' || typeof fields.encryptionSecretKey !== 'string') {
    throw notAKeyFile('it lacks signingKey or encryptionSecretKey');
  }
  if (fields.account !== undefined && typeof fields.account !== 'string') {
    throw notAKeyFile('its account is not an address');
  }
  const identity = identityFromKeys({
    signingKey: fields.signingKey as Hex,
    encryptionSecretKey: fields.encryptionSecretKey as Hex,
    ...(fields.account === undefined ? {} : { account: fields.account as Address }),
  });
  const signer = signerAddressOf(identity);
  if (typeof fields.address === 'string' && fields.address.toLowerCase() !== signer.toLowerCase()) {
    throw new InvalidInputError(
      `The key file names address ${fields.address} but its key belongs to ${signer}.`,
      {
        reason: 'key_file_mismatch',
        fields: { address: fields.address, signer },
      },
    );
  }
  return identity;
}

/**
 * An identity as key file text (pretty JSON, newline-terminated).
 *
 * @example
 * await writeFile('alice.json', serializeKeyFile(identity), { mode: 0o600 });
 */
export function serializeKeyFile(identity: Identity): string {
  const signer = signerAddressOf(identity);
  const account = isAddressEqual(signer, identity.address) ? {} : { account: identity.address };
  const file = {
    version: 1,
    address: signer,
    ...account,
    signingKey: identity.signingKey,
    encryptionSecretKey: identity.encryption.secretKey,
    encryptionKey: identity.encryption.publicKey,
  };
  return `${JSON.stringify(file, null, 2)}\n`;
}
