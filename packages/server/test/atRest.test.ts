/**
 * Free text the chain only hashes (an emergency's justification, an access request's reason) is
 * encrypted in the gateway's database: saved through the HTTP API, a canary in it is nowhere in the
 * SQLite files of the data directory (WAL included), nor in the PostgreSQL column, while those
 * allowed to read it still get it in clear.
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { GatewayClient } from '@medledger/client';
import { openSqlDatabase } from '../src/store/gatewayStores.ts';
import { type Consortium, foundConsortium, newMember, newPatient } from './helpers/actors.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';

const justificationCanary = 'CANARY-justification-5d1e9b';
const reasonCanary = 'CANARY-reason-a83c07';

describe('free text at rest, through the HTTP API', () => {
  let gateway: TestGateway;
  let consortium: Consortium;
  let doctor: GatewayClient;
  let patient: GatewayClient;
  let emergencyId: number;

  before(async () => {
    gateway = await startTestGateway();
    consortium = await foundConsortium(gateway.url);
    [doctor, patient] = await Promise.all([
      newMember(gateway.url, consortium),
      newPatient(gateway.url, consortium),
    ]);
    await consortium.admin.setEmergencyPrivilege(doctor.address, true);
    ({ emergencyId } = await doctor.declareEmergency({
      patient: patient.address,
      reason: 'unconscious',
      justification: `Unconscious on arrival ${justificationCanary}`,
    }));
    await doctor.requestAccess({
      patient: patient.address,
      categories: ['lab'],
      reason: `Pre-operative review ${reasonCanary}`,
    });
  });
  after(() => gateway.stop());

  it('answers the justification and the reason in clear to those allowed to read them', async () => {
    assert.equal(
      (await doctor.emergency(emergencyId)).justification,
      `Unconscious on arrival ${justificationCanary}`,
    );
    assert.equal(
      (await consortium.admin.emergency(emergencyId)).justification,
      `Unconscious on arrival ${justificationCanary}`,
    );
    const incoming = (await patient.listAccessRequests()).incoming;
    assert.deepEqual(
      incoming.map((request) => request.reason),
      [`Pre-operative review ${reasonCanary}`],
    );
  });

  it('keeps neither canary in the database', async () => {
    if (gateway.storeLocation.startsWith('postgres')) {
      const database = await openSqlDatabase(gateway.storeLocation);
      try {
        const rows = [
          ...(await database.all('SELECT text AS raw, sealed FROM emergency_justifications')),
          ...(await database.all('SELECT reason AS raw, sealed FROM request_reasons')),
        ];
        assert.equal(rows.length, 2);
        for (const row of rows) {
          assert.equal(Number(row.sealed), 1);
          assert.doesNotMatch(String(row.raw), /CANARY/);
        }
      } finally {
        await database.close();
      }
      return;
    }
    const files = await filesOf(gateway.dataDir);
    assert.ok(
      files.some((file) => file.endsWith('gateway.sqlite-wal')),
      'the WAL is read too',
    );
    for (const file of files) {
      const bytes = await readFile(file);
      for (const canary of [justificationCanary, reasonCanary]) {
        assert.equal(bytes.includes(canary), false, `${canary} in ${file}`);
        assert.equal(bytes.includes(Buffer.from(canary, 'utf16le')), false, `${canary} in ${file}`);
      }
    }
  });
});

/** Every file under `directory`, recursively (the chain's socket excepted). */
async function filesOf(directory: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(directory, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) files.push(join(entry.parentPath, entry.name));
  }
  return files;
}
