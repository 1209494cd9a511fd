/** Second factors and their failed attempts on SQL (SQLite or PostgreSQL). Addresses in lower case. */
import type { Address } from 'viem';
import type { SecondFactorRow, SecondFactorStore, StaffSecondFactorPolicyRow } from './secondFactorStore.ts';
import type { SqlDatabase } from './sqlDatabase.ts';

const lower = (value: string) => value.toLowerCase();

export class SqlSecondFactorStore implements SecondFactorStore {
  readonly #db: SqlDatabase;

  constructor(db: SqlDatabase) {
    this.#db = db;
  }

  async secondFactor(address: Address): Promise<SecondFactorRow | undefined> {
    const row = await this.#db.get('SELECT * FROM second_factors WHERE address = $address', {
      address: lower(address),
    });
    return (
      row && {
        address: row.address as Address,
        secretIv: new Uint8Array(row.secret_iv as Uint8Array),
        secretCiphertext: new Uint8Array(row.secret_ciphertext as Uint8Array),
        enabled: Number(row.enabled) === 1,
        lastCounter: Number(row.last_counter),
      }
    );
  }

  async saveSecondFactor(row: SecondFactorRow): Promise<void> {
    await this.#db.run(
      `INSERT INTO second_factors VALUES ($address, $iv, $ciphertext, $enabled, $counter)
       ON CONFLICT (address) DO UPDATE SET secret_iv = $iv, secret_ciphertext = $ciphertext, enabled = $enabled,
         last_counter = $counter`,
      {
        address: lower(row.address),
        iv: row.secretIv,
        ciphertext: row.secretCiphertext,
        enabled: row.enabled ? 1 : 0,
        counter: row.lastCounter,
      },
    );
  }

  async deleteSecondFactor(address: Address): Promise<void> {
    await this.#db.run('DELETE FROM second_factors WHERE address = $address', { address: lower(address) });
  }

  async useSecondFactorCounter(address: Address, counter: number): Promise<boolean> {
    const { changes } = await this.#db.run(
      'UPDATE second_factors SET last_counter = $counter WHERE address = $address AND last_counter < $counter',
      { address: lower(address), counter },
    );
    return changes === 1;
  }

  async recordSecondFactorFailure(address: Address, at: number): Promise<void> {
    await this.#db.run('INSERT INTO second_factor_failures VALUES ($address, $at)', {
      address: lower(address),
      at,
    });
  }

  async secondFactorFailures(address: Address, since: number): Promise<number[]> {
    await this.#db.run('DELETE FROM second_factor_failures WHERE address = $address AND at < $since', {
      address: lower(address),
      since,
    });
    const rows = await this.#db.all(
      'SELECT at FROM second_factor_failures WHERE address = $address ORDER BY at',
      {
        address: lower(address),
      },
    );
    return rows.map((row) => Number(row.at));
  }

  async clearSecondFactorFailures(address: Address): Promise<void> {
    await this.#db.run('DELETE FROM second_factor_failures WHERE address = $address', {
      address: lower(address),
    });
  }

  async staffSecondFactorPolicy(organisationId: number): Promise<StaffSecondFactorPolicyRow | undefined> {
    const row = await this.#db.get(
      'SELECT * FROM staff_second_factor_policies WHERE organisation_id = $organisationId',
      { organisationId },
    );
    return (
      row && {
        organisationId: Number(row.organisation_id),
        policy: row.policy as StaffSecondFactorPolicyRow['policy'],
        setBy: row.set_by as Address,
        setAt: Number(row.set_at),
      }
    );
  }

  async saveStaffSecondFactorPolicy(row: StaffSecondFactorPolicyRow): Promise<void> {
    await this.#db.run(
      `INSERT INTO staff_second_factor_policies VALUES ($organisationId, $policy, $setBy, $setAt)
       ON CONFLICT (organisation_id) DO UPDATE SET policy = $policy, set_by = $setBy, set_at = $setAt`,
      { organisationId: row.organisationId, policy: row.policy, setBy: lower(row.setBy), setAt: row.setAt },
    );
  }
}
