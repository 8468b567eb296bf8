import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { createProgram } from '../../src/cli/program.js';
import { VERSION } from '../../src/core/version.js';
import { dfaas } from '../helpers/cli.js';

/** Each line of a stream parsed as JSON (a line that is not JSON fails the test). */
function jsonLines(text: string): unknown[] {
  return text
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

/** The command line of every command and command group, e.g. ['forecast', 'train']. */
function commandPaths(command: Command, path: string[] = []): string[][] {
  return command.commands.flatMap((c) => [[...path, c.name()], ...commandPaths(c, [...path, c.name()])]);
}

const noIo = { stdout: { write: () => true }, stderr: { write: () => true } };

describe('--json: everything the CLI prints is JSON', () => {
  it('prints the version as JSON, wherever --json is', async () => {
    for (const args of [
      ['--version', '--json'],
      ['--json', '-V'],
      ['schema', 'stack', '--version', '--json'],
    ]) {
      expect(await dfaas(args), args.join(' ')).toEqual({
        code: 0,
        stdout: `${JSON.stringify({ version: VERSION })}\n`,
        stderr: '',
      });
    }
  });

  it("reports commander's usage errors as one JSON error naming the flag, exit 2", async () => {
    const cases: [string[], string, RegExp][] = [
      [['gateway', '--nope'], '--nope', /unknown option '--nope'/],
      [['gateway', '--port'], '--port', /argument missing/],
      [['gateway', '--port', 'eighty'], '--port', /--port must be a whole number/],
      [['--log-level', 'loud', 'schema'], '--log-level', /--log-level must be one of/],
      [['sample'], '--config', /give the sampler configuration \(--config FILE\)/],
      [['cluster', 'up', '--proxy', 'nginx'], '--proxy', /Allowed choices are auto, embedded, haproxy/],
      [['frobnicate'], '', /unknown command 'frobnicate'/],
      [['schema', 'stack', 'node'], '', /too many arguments for 'schema'/],
      [[], '', /no command given/],
      [['forecast'], '', /no command given/],
    ];
    for (const [args, field, message] of cases) {
      for (const line of [
        ['--json', ...args],
        [...args, '--json'],
      ]) {
        const res = await dfaas(line);
        expect(res.code, line.join(' ')).toBe(2);
        expect(res.stdout, line.join(' ')).toBe('');
        expect(jsonLines(res.stderr), line.join(' ')).toEqual([
          {
            code: 'DFAAS_ERR_BAD_INPUT',
            message: expect.stringMatching(message),
            source: 'command line',
            issues: [{ field, message: expect.stringMatching(message) }],
          },
        ]);
      }
    }
  });

  it('prints the help of every command as JSON, and every usage error of every command as JSON', async () => {
    const paths = [[], ...commandPaths(createProgram(noIo).command)];
    expect(paths).toContainEqual(['forecast', 'train']);
    for (const path of paths) {
      const help = await dfaas([...path, '--help', '--json']);
      expect(help.code, path.join(' ')).toBe(0);
      const [data] = jsonLines(help.stdout) as { usage: string; options: { flags: string }[] }[];
      expect(data?.usage, path.join(' ')).toMatch(
        new RegExp(`^dfaas${path.map((p) => ` ${p}`).join('')}\\b`),
      );
      expect(data?.options.map((o) => o.flags)).toContain('-h, --help');
      const bad = await dfaas([...path, '--no-such-flag', '--json']);
      expect(bad.code, path.join(' ')).toBe(2);
      expect(jsonLines(bad.stderr), path.join(' ')).toEqual([
        expect.objectContaining({ code: 'DFAAS_ERR_BAD_INPUT' }),
      ]);
    }
    const top = jsonLines((await dfaas(['--json', 'help'])).stdout)[0] as { commands: { name: string }[] };
    expect(top.commands.map((c) => c.name)).toEqual(
      expect.arrayContaining(['gateway', 'forecast', 'schema']),
    );
  });

  it('prints a schema as one JSON line, indented only for a person', async () => {
    const json = await dfaas(['--json', 'schema', 'stack']);
    expect(json.code).toBe(0);
    expect(jsonLines(json.stdout)).toHaveLength(1);
    expect((await dfaas(['schema', 'stack'])).stdout.split('\n').length).toBeGreaterThan(10);
  });

  it('leaves the text of a person as it was', async () => {
    expect(await dfaas(['--version'])).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
    const bad = await dfaas(['gateway', '--nope']);
    expect(bad.stderr).toBe("error: unknown option '--nope'\n(run with --help for usage)\n");
    expect((await dfaas(['--help'])).stdout).toMatch(/^Usage: dfaas \[options\] \[command\]/);
  });
});
