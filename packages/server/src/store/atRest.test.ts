import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { randomBytes } from '@medledger/core';
import type { Hex } from 'viem';
import { storeBackends, testAtRest } from '../../test/helpers/storeBackends.ts';
import { checkAtRestKey, createAtRestCipher, sealClearFreeText } from './atRest.ts';
import { type GatewayStores, openGatewayStores } from './gatewayStores.ts';

const hash = (n: number) => `0x${n.toString(16).padStart(64, '0')}` as Hex;
const canary = 'CANARY-at-rest-7f3a';

/** Rows as an earlier version wrote them: the text in clear (`sealed` defaults to 0). */
async function writeClearRows(stores: GatewayStores): Promise<void> {
  await stores.database.run(
    'INSERT INTO emergency_justifications (justification_hash, salt, text) VALUES ($hash, $salt, $text)',
    { hash: hash(1), salt: hash(2), text: `justification ${canary}` },
  );
  await stores.database.run('INSERT INTO request_reasons (reason_hash, reason) VALUES ($hash, $reason)', {
    hash: hash(3),
    reason: `reason ${canary}`,
  });
}

async function rawColumns(stores: GatewayStores): Promise<string[]> {
  const justifications = await stores.database.all('SELECT text, sealed FROM emergency_justifications');
  const reasons = await stores.database.all('SELECT reason AS text, sealed FROM request_reasons');
  return [...justifications, ...reasons].map((row) => `${row.sealed}:${row.text}`);
}

for (const backend of storeBackends) {
  describe(`free text at rest on ${backend.name}`, () => {
    let stores: GatewayStores;
    beforeEach(async () => {
      stores = await backend.open();
    });
    afterEach(() => stores.close());

    it('keeps justifications and reasons sealed, and answers them in clear', async () => {
      await stores.emergencies.saveJustification(hash(1), { salt: hash(2), text: `j ${canary}` });
      await stores.store.saveRequestReason(hash(3), `r ${canary}`);
      const raw = await rawColumns(stores);
      assert.equal(raw.length, 2);
      for (const column of raw) {
        assert.match(column, /^1:v1\./);
        assert.doesNotMatch(column, /CANARY/);
      }
      assert.deepEqual(await stores.emergencies.justification(hash(1)), {
        salt: hash(2),
        text: `j ${canary}`,
      });
      assert.equal(await stores.store.requestReason(hash(3)), `r ${canary}`);
    });

    it('reads rows an earlier version wrote in clear, and seals them once, in place', async () => {
      await writeClearRows(stores);
      assert.equal(await stores.store.requestReason(hash(3)), `reason ${canary}`);
      assert.equal(await sealClearFreeText(stores.database, testAtRest), 2);
      assert.equal(await sealClearFreeText(stores.database, testAtRest), 0);
      for (const column of await rawColumns(stores)) assert.doesNotMatch(column, /CANARY/);
      assert.equal((await stores.emergencies.justification(hash(1)))?.text, `justification ${canary}`);
      assert.equal(await stores.store.requestReason(hash(3)), `reason ${canary}`);
    });

    it('refuses a ciphertext moved to another row', async () => {
      await stores.store.saveRequestReason(hash(3), 'one');
      await stores.store.saveRequestReason(hash(4), 'two');
      await stores.database.run(
        `UPDATE request_reasons SET reason = (SELECT reason FROM request_reasons WHERE reason_hash = $from)
         WHERE reason_hash = $to`,
        { from: hash(3), to: hash(4) },
      );
      await assert.rejects(stores.store.requestReason(hash(4)), { code: 'integrity' });
    });

    it('refuses a process whose at-rest key is not the one the database is sealed under', async () => {
      await checkAtRestKey(stores.database, testAtRest);
      await assert.rejects(checkAtRestKey(stores.database, createAtRestCipher(randomBytes(32))), {
        reason: 'at_rest_key_mismatch',
      });
    });

    it('neither saves nor reads free text without the key', async () => {
      const { SqlEmergencyStore } = await import('./sqlEmergencyStore.ts');
      const keyless = new SqlEmergencyStore(stores.database);
      await assert.rejects(keyless.saveJustification(hash(1), { salt: hash(2), text: canary }), {
        reason: 'no_at_rest_key',
      });
      assert.deepEqual(await rawColumns(stores), []);
    });
  });
}

describe('free text at rest in a SQLite data directory', () => {
  it('leaves no clear text of rows an earlier version wrote in the files, once opened with the key', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'medledger-at-rest-'));
    try {
      const path = join(directory, 'gateway.sqlite');
      const old = await openGatewayStores(path);
      await writeClearRows(old);
      await old.close();
      assert.ok(await filesContain(directory, canary), 'the clear rows are in the file before');

      const opened = await openGatewayStores(path, { atRest: testAtRest });
      try {
        assert.equal(await filesContain(directory, canary), false);
        assert.equal((await opened.emergencies.justification(hash(1)))?.text, `justification ${canary}`);
        assert.equal(await opened.store.requestReason(hash(3)), `reason ${canary}`);
      } finally {
        await opened.close();
      }
      await assert.rejects(openGatewayStores(path, { atRest: createAtRestCipher(randomBytes(32)) }), {
        reason: 'at_rest_key_mismatch',
      });
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});

/** Whether any file of `directory` (the database, its WAL and shared memory) holds `text`. */
async function filesContain(directory: string, text: string): Promise<boolean> {
  for (const name of await readdir(directory)) {
    if ((await readFile(join(directory, name))).includes(text)) return true;
  }
  return false;
}
