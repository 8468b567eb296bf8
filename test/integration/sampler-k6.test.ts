import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeLoopbackPort } from '../../src/core/net.js';
import { ratesOf, readResults, resultsHeader } from '../../src/dataset/results.js';
import { runCliAsync } from '../helpers/cli.js';
import { serviceBinary } from '../helpers/services.js';
import { NEVER_OVERLOADED, QUICK_COOLDOWN } from '../helpers/sweep-config.js';
import { alive, waitFor } from '../helpers/wait.js';

// k6 cannot be installed here: these tests run the k6 driver against a stand-in `k6`
// (test/fixtures/fake-k6.mjs) that checks its command line, loads the script the driver wrote and
// writes a summary in k6's shape. What they test is everything around k6: the script handed
// over, the flags, SSH upload and fetch, reading the summary into results.csv, and failures.

const dir = mkdtempSync(join(tmpdir(), 'dfaas-k6-driver-'));
const fakeK6 = join(dir, 'k6');
writeFileSync(
  fakeK6,
  `#!/bin/sh\nexec '${process.execPath}' '${resolve('test/fixtures/fake-k6.mjs')}' "$@"\n`,
);
chmodSync(fakeK6, 0o755);

/** figlet and shasum at 0 and 10 rps alone and together, through k6, with an output and a tag. */
function config(name: string, k6: string[]): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    [
      'functions: [{ name: figlet, body: hi }, { name: shasum, body: data }]',
      'rates: { strategy: { type: custom, values: [0, 10] } }',
      'combinations: { min_functions: 1, max_functions: 3 }',
      'duration: 2s',
      'iterations: 1',
      QUICK_COOLDOWN,
      NEVER_OVERLOADED,
      'load_driver: k6',
      'k6_outputs: [json=raw.json]',
      `platform: { stack: ${resolve('examples/stack.yml')} }`,
      `output_dir: ${join(dir, name)}`,
      ...k6,
    ].join('\n'),
  );
  return file;
}

interface FakeK6Call {
  argv: string[];
  cwd: string;
  outs: string[];
  tags: Record<string, string>;
  requests: { method: string; url: string; body: string }[];
}

/** Rows by configuration, and the results of figlet alone at 10 rps. */
function checkResults(out: string): void {
  const rows = readResults(join(out, 'results.csv'));
  expect(rows.map(ratesOf)).toEqual([
    { figlet: 0 },
    { figlet: 10 },
    { shasum: 0 },
    { shasum: 10 },
    { figlet: 0, shasum: 0 },
    { figlet: 0, shasum: 10 },
    { figlet: 10, shasum: 0 },
    { figlet: 10, shasum: 10 },
  ]);
  // From the summary k6 wrote: every request answered, mean 5 ms (the stand-in's figures).
  const figlet = (i: number) => rows[i]?.functions.find((f) => f.name === 'figlet');
  expect(figlet(1)).toMatchObject({ successRate: 1, meanLatencyMs: 5 });
  // A function at rate 0 had no scenario: success 1 and latency 0, as the reference writes them.
  expect(figlet(5)).toMatchObject({ rate: 0, successRate: 1, meanLatencyMs: 0, overloaded: false });
  // The reference's columns and cells, Python csv's line ends.
  const text = readFileSync(join(out, 'results.csv'), 'utf8');
  const lines = text.split('\r\n');
  expect(lines[0]).toBe(resultsHeader(['figlet', 'shasum']).join(','));
  expect(lines[2]?.split(',').slice(0, 3)).toEqual(['figlet', '10', '1.000']);
  expect(lines[2]?.split(',')[8]).toBe('5');
  expect(lines[6]?.split(',').slice(0, 3)).toEqual(['figlet', '0', '1.000']);
  expect(lines[6]?.split(',')[8]).toBe('0');
  expect(text.endsWith('\r\n') && !/[^\r]\n/.test(text)).toBe(true);
  expect(readFileSync(join(out, 'index.csv'), 'utf8').split('\r\n').slice(0, 3)).toEqual([
    'functions;rates;results_file',
    "['figlet'];[0];results.csv",
    "['figlet'];[10];results.csv",
  ]);
  expect(readdirSync(join(out, 'summaries'))).toHaveLength(8);
  const summary = JSON.parse(
    readFileSync(join(out, 'summaries', readdirSync(join(out, 'summaries'))[0] as string), 'utf8'),
  );
  expect(summary).toHaveProperty('metrics');
}

describe('the sampler with k6 as the load driver', () => {
  it('runs each configuration script with the local k6, passing outputs and tags through', async () => {
    const out = join(dir, 'local');
    const res = await runCliAsync([
      '--log-level',
      'warn',
      'sample',
      '--config',
      config('local', [`k6_binary: ${fakeK6}`, 'k6_tags: { run: t1 }']),
    ]);
    expect(res.code, res.stderr).toBe(0);
    checkResults(out);
    const scripts = join(out, 'k6_scripts');
    const calls = readdirSync(scripts).filter((f) => f.endsWith('.call.json'));
    expect(calls).toHaveLength(8);
    const call = calls
      .map((f) => JSON.parse(readFileSync(join(scripts, f), 'utf8')) as FakeK6Call)
      .find((c) => c.requests.some((r) => r.url.endsWith('/function/figlet')) && c.requests.length === 2);
    expect(call?.outs).toEqual(['json=raw.json']);
    expect(call?.tags).toEqual({ run: 't1' });
    expect(call?.cwd).toBe(scripts); // relative --out files land beside the scripts
    expect(call?.requests.find((r) => r.url.endsWith('/figlet'))).toMatchObject({
      method: 'POST',
      body: 'hi',
    });
    // The local summaries are read and removed; what is kept is summaries/.
    expect(readdirSync(scripts).filter((f) => f.endsWith('.summary.json'))).toEqual([]);
  });

  it('stops with k6 own error when k6 fails', async () => {
    const res = await runCliAsync([
      'sample',
      '--config',
      config('failing', [`k6_binary: ${fakeK6}`, 'k6_tags: { fake_k6: fail }']),
    ]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/local k6 \(.*\) exited with 107/);
    expect(res.stderr).toContain('the fake k6 was told to fail');
  });

  it('exits 2 naming k6_binary when there is no k6, and writes nothing', async () => {
    const res = await runCliAsync(['sample', '--config', config('missing', ['k6_binary: no-such-k6'])]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/k6_binary.*no executable "no-such-k6" on PATH/);
    expect(existsSync(join(dir, 'missing'))).toBe(false);
  });
});

const sshd = serviceBinary('/usr/sbin/sshd');

describe.skipIf(!sshd)('the sampler with k6 on a remote host over SSH (OpenSSH sshd on loopback)', () => {
  const keys = join(dir, 'ssh');
  const workspace = join(dir, 'remote-workspace');
  let port = 0;
  let server: ChildProcess | undefined;
  let log = '';
  let fingerprint = '';

  beforeAll(async () => {
    mkdirSync(keys);
    for (const key of ['host_key', 'client_key'])
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(keys, key)]);
    writeFileSync(join(keys, 'authorized_keys'), readFileSync(join(keys, 'client_key.pub')));
    fingerprint =
      execFileSync('ssh-keygen', ['-lf', join(keys, 'host_key.pub')], { encoding: 'utf8' }).split(' ')[1] ??
      '';
    if (userInfo().uid === 0) mkdirSync('/run/sshd', { recursive: true }); // sshd's privilege separation dir
    port = await freeLoopbackPort();
    server = spawn(
      sshd as string,
      [
        '-D',
        '-e',
        '-f',
        '/dev/null',
        ...[
          `Port=${port}`,
          'ListenAddress=127.0.0.1',
          `HostKey=${join(keys, 'host_key')}`,
          `AuthorizedKeysFile=${join(keys, 'authorized_keys')}`,
          'StrictModes=no',
          'UsePAM=no',
          'PasswordAuthentication=no',
          'KbdInteractiveAuthentication=no',
          'PermitRootLogin=prohibit-password',
          'Subsystem=sftp internal-sftp',
          'PidFile=none',
        ].flatMap((o) => ['-o', o]),
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    server.stderr?.on('data', (d: Buffer) => (log += d));
    await waitFor(
      'sshd listening',
      () =>
        new Promise<boolean>((ok) => {
          const socket = connect(port, '127.0.0.1', () => {
            socket.destroy();
            ok(true);
          });
          socket.on('error', () => ok(false));
        }),
      10_000,
    );
  });

  afterAll(async () => {
    server?.kill('SIGTERM');
    if (server?.pid) await waitFor('sshd gone', () => !alive(server?.pid as number), 5000);
  });

  const remote = (name: string, pinned: string) =>
    config(name, [
      `k6_binary: ${fakeK6}`,
      'k6_host: 127.0.0.1',
      `k6_port: ${port}`,
      `k6_user: ${userInfo().username}`,
      `k6_ssh_key: ${join(keys, 'client_key')}`,
      `k6_host_fingerprint: "${pinned}"`,
      `k6_workspace_root: ${workspace}`,
      'k6_tags: { site: lab }',
      'run_id: remote-run',
    ]);

  it('uploads each script, runs k6 there and fetches the summary', async () => {
    const out = join(dir, 'remote');
    const res = await runCliAsync([
      '--log-level',
      'warn',
      'sample',
      '--config',
      remote('remote', fingerprint),
    ]);
    expect(res.code, `${res.stderr}\nsshd: ${log}`).toBe(0);
    checkResults(out);
    // On the "remote" side: the scripts as written locally, k6's summaries, and the flags it got.
    const remoteDir = join(workspace, 'remote-run');
    const files = readdirSync(remoteDir);
    const scripts = readdirSync(join(out, 'k6_scripts'));
    expect(files.filter((f) => f.endsWith('.js')).sort()).toEqual(scripts.sort());
    for (const s of scripts)
      expect(readFileSync(join(remoteDir, s), 'utf8')).toBe(readFileSync(join(out, 'k6_scripts', s), 'utf8'));
    expect(files.filter((f) => f.endsWith('.summary.json'))).toHaveLength(8);
    const call = JSON.parse(
      readFileSync(join(remoteDir, files.find((f) => f.endsWith('.call.json')) as string), 'utf8'),
    ) as FakeK6Call;
    expect(call.outs).toEqual(['json=raw.json']);
    expect(call.tags).toEqual({ site: 'lab' });
    expect(log).toMatch(/Accepted publickey/);
  });

  it('refuses a k6 host whose key is not the pinned one', async () => {
    const wrong = `SHA256:${'A'.repeat(43)}`;
    const res = await runCliAsync(['sample', '--config', remote('wrong-key', wrong)]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(`host key ${fingerprint} is not the pinned ${wrong}`);
  });
});
