import { verifyLedger } from '@medledger/client';
import { IntegrityError } from '@medledger/core';
import type { Command } from 'commander';
import type { Hex } from 'viem';
import { globalOptions } from '../context.ts';
import type { ActionHandler } from '../options.ts';
import { print } from '../output.ts';

export const verify: ActionHandler = async (options, command: Command) => {
  const global = globalOptions(command);
  const report = await verifyLedger({
    gatewayUrl: global.server,
    ...(options.rpc ? { rpcUrl: options.rpc } : {}),
    ...(options.record ? { recordId: options.record.toLowerCase() as Hex } : {}),
  });
  print(global, report, () =>
    [
      `checked ${report.checkedRecords} records and ${report.checkedCoSignatures} co-signatures in ${report.checkedBlocks} blocks on chain ${report.chainId}`,
      `checked the ${report.checkedGatewayRecords} records the gateway has indexed against the chain`,
      ...report.erased.map(
        (e) =>
          `ERASED ${e.recordId} on ${new Date(e.erasedAt * 1000).toISOString()} by ${e.by} (${e.reason}): its content is gone, as it should be`,
      ),
      ...report.problems.map((p) => `MISMATCH ${p.recordId ?? '-'} ${p.kind}: ${p.problem}`),
      report.ok ? 'everything matches the ledger' : `${report.problems.length} problem(s) found`,
    ].join('\n'),
  );
  if (!report.ok) {
    throw new IntegrityError(`Verification failed: ${report.problems.length} problem(s).`);
  }
};
