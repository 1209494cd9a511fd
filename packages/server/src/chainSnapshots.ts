/**
 * Snapshots of the embedded chain: the gateway, not anvil, decides when the chain's state is written
 * to disk, so that each saved state is consistent (see `saveState` in `@medledger/ledger-node`). A
 * snapshot is taken when new blocks were mined since the last one, while this gateway submits
 * nothing; snapshots are spaced so that they take at most a tenth of the time, since a dump writes
 * the whole chain and grows with it. Whatever the chain mines after the last snapshot and then
 * loses (anvil killed) is re-applied from the relay journal.
 */
import type { LedgerClient } from '@medledger/ledger';
import type { EmbeddedChain, SavedState } from '@medledger/ledger-node';
import { createPeriodicTask } from './periodicTask.ts';

export interface ChainSnapshotsOptions {
  ledger: LedgerClient;
  /** The embedded chain running now (it is replaced when it is restarted). */
  chain: () => EmbeddedChain | undefined;
  intervalMs?: number;
  onError?: (error: unknown) => void;
  /**
   * Told of a snapshot that took longer than `slowSnapshotMs`: the chain stops answering while it
   * is dumped, and the dump grows with the chain (about 1 s per 5,000 records on a 2-core machine).
   */
  onSlow?: (saved: SavedState) => void;
}

/** A snapshot this slow means the embedded chain has outgrown the embedded default. */
export const slowSnapshotMs = 5_000;

export type ChainSnapshots = ReturnType<typeof createChainSnapshots>;

/** A dump may take at most this share of the time between two of them. */
const maxShareOfTime = 0.1;

export function createChainSnapshots({
  ledger,
  chain,
  intervalMs = 1_000,
  onError,
  onSlow,
}: ChainSnapshotsOptions) {
  let savedBlock = -1;
  let notBefore = 0;

  /** One attempt; resolves true when a consistent state was written. */
  async function saveNow(): Promise<boolean> {
    const running = chain();
    if (!running) return false;
    const result = await ledger.withWritesPaused(() => running.saveState());
    if (result.durationMs > slowSnapshotMs) onSlow?.(result);
    if (!result.saved) return false;
    savedBlock = result.blockNumber;
    notBefore = Date.now() + result.durationMs / maxShareOfTime;
    return true;
  }

  const task = createPeriodicTask(
    async () => {
      if (Date.now() < notBefore) return;
      if (Number(await ledger.blockNumber()) === savedBlock) return;
      await saveNow();
    },
    intervalMs,
    onError,
  );

  /**
   * Tries until a consistent state is written (e.g. on shutdown, once writes have drained), for at
   * most `withinMs`: a chain that other gateways keep mining, or a dump too slow, does not hold a
   * shutdown up; the relay journal re-applies whatever the last saved state lacks.
   */
  async function saveUntilSaved(withinMs = 30_000): Promise<boolean> {
    const deadline = Date.now() + withinMs;
    while (Date.now() < deadline) {
      if (await saveNow().catch(() => false)) return true;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return false;
  }

  return { start: task.start, stop: task.stop, saveUntilSaved };
}
