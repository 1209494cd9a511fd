import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidInputError } from '../errors.ts';
import { parseKeyFile, serializeKeyFile } from './keyFile.ts';
import { generateIdentity, identityFromKeys } from './keys.ts';

function refusedWith(reason: string) {
  return (error: unknown) => error instanceof InvalidInputError && error.reason === reason;
}

describe('key file', () => {
  it('reads back what it writes, fields in the documented order', () => {
    const identity = generateIdentity();
    const text = serializeKeyFile(identity);
    assert.deepEqual(Object.keys(JSON.parse(text)), [
      'version',
      'address',
      'signingKey',
      'encryptionSecretKey',
      'encryptionKey',
    ]);
    assert.ok(text.endsWith('}\n'));
    assert.deepEqual(parseKeyFile(text), identity);
  });

  it('keeps the account a rotated key signs for', () => {
    const registered = generateIdentity();
    const rotated = generateIdentity();
    const identity = identityFromKeys({
      signingKey: rotated.signingKey,
      encryptionSecretKey: rotated.encryption.secretKey,
      account: registered.address,
    });
    const fields = JSON.parse(serializeKeyFile(identity));
    assert.equal(fields.address, rotated.address);
    assert.equal(fields.account, registered.address);
    const read = parseKeyFile(serializeKeyFile(identity));
    assert.equal(read.address, registered.address);
    assert.deepEqual(read, identity);
  });

  it('refuses what is not a key file, by reason', () => {
    assert.throws(() => parseKeyFile('not json'), refusedWith('not_a_key_file'));
    assert.throws(() => parseKeyFile('null'), refusedWith('not_a_key_file'));
    assert.throws(() => parseKeyFile('{"version":2}'), refusedWith('not_a_key_file'));
    const fields = JSON.parse(serializeKeyFile(generateIdentity()));
    assert.throws(
      () => parseKeyFile(JSON.stringify({ ...fields, signingKey: undefined })),
      refusedWith('not_a_key_file'),
    );
    assert.throws(
      () => parseKeyFile(JSON.stringify({ ...fields, account: 7 })),
      refusedWith('not_a_key_file'),
    );
  });

  it('refuses a file whose address is not its key’s', () => {
    const other = generateIdentity();
    const forged = { ...JSON.parse(serializeKeyFile(generateIdentity())), address: other.address };
    assert.throws(
      () => parseKeyFile(JSON.stringify(forged)),
      (error: unknown) =>
        refusedWith('key_file_mismatch')(error) &&
        (error as InvalidInputError).fields?.address === other.address,
    );
  });
});
