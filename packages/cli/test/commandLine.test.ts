/**
 * The command line itself: `--help` for every command and subcommand, and exit 2 for a command
 * line that is wrong. The command tree is read from the program, so a new command is covered too.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Command } from 'commander';
import { buildProgram } from '../src/main.ts';
import { runMedledger } from './helpers/processes.ts';

function commandPaths(command: Command, path: string[] = []): { path: string[]; command: Command }[] {
  return [{ path, command }, ...command.commands.flatMap((sub) => commandPaths(sub, [...path, sub.name()]))];
}

/** Runs `work` over `items`, at most `limit` at a time; the results in the order of `items`. */
async function mapConcurrently<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
  return results;
}

describe('the command line', () => {
  test('--help works for every command and subcommand and names its options', async () => {
    const commands = commandPaths(buildProgram());
    assert.ok(commands.length > 20, `only ${commands.length} commands found`);
    const results = await mapConcurrently(commands, 4, ({ path }) => runMedledger([...path, '--help']));
    for (const [index, { path, command }] of commands.entries()) {
      const result = results[index]!;
      const name = ['medledger', ...path].join(' ');
      assert.equal(result.code, 0, `${name} --help: exit ${result.code}\n${result.stderr}`);
      assert.equal(result.stderr, '', name);
      assert.match(result.stdout, new RegExp(`^Usage: ${name} `), name);
      if (command.description()) assert.ok(result.stdout.includes(command.description().slice(0, 40)), name);
      for (const option of command.options) {
        assert.ok(
          result.stdout.includes(option.long ?? option.flags),
          `${name} --help names ${option.flags}`,
        );
      }
      for (const sub of command.commands) {
        assert.match(
          result.stdout,
          new RegExp(`^  ${sub.name()}\\b`, 'm'),
          `${name} --help lists ${sub.name()}`,
        );
      }
    }
  });

  test('an unknown command, an unknown option or a missing required option exits 2', async () => {
    const cases: [string[], RegExp][] = [
      [['bogus'], /unknown command 'bogus'/],
      [['record', 'shred'], /unknown command 'shred'/],
      [
        ['record', 'add', '--as', 'k.json', '--category', 'lab', '--file', 'x.json'],
        /required option '--patient <address>' not specified/,
      ],
      [
        ['consent', 'grant', '--as', 'k.json', '--to', '0x0000000000000000000000000000000000000001'],
        /required option '--categories <list>' not specified/,
      ],
      [['key', 'new'], /required option '--out <file>' not specified/],
      [['audit'], /run `medledger login --key KEYFILE` once, or give --as KEYFILE/],
      [['verify', '--everything'], /unknown option '--everything'/],
      [['record', 'get', '--as', 'k.json'], /missing required argument 'recordId'/],
    ];
    const results = await mapConcurrently(cases, 4, ([args]) => runMedledger(args));
    for (const [index, [args, message]] of cases.entries()) {
      const result = results[index]!;
      assert.equal(result.code, 2, `medledger ${args.join(' ')}: exit ${result.code}\n${result.stderr}`);
      assert.match(result.stderr, message, args.join(' '));
      assert.equal(result.stdout, '', args.join(' '));
    }
    const asJson = await runMedledger(['--json', 'bogus']);
    assert.equal(asJson.code, 2);
    const lastLine = asJson.stderr.trim().split('\n').at(-1) ?? '';
    assert.equal((JSON.parse(lastLine) as { error: { code: string } }).error.code, 'invalid_input');
  });

  test('--version prints the version', async () => {
    const result = await runMedledger(['--version']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^\d+\.\d+\.\d+\n$/);
  });
});
