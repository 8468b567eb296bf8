import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../src/config/read-file.js';
import { StackSchema, stackToDeployments } from '../../src/config/stack.js';
import { loadStackForEmbedded } from '../../src/platform/embedded/stack.js';
import { configError } from '../helpers/config-error.js';

const dir = mkdtempSync(join(tmpdir(), 'dfaas-stack-'));
function stackFile(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe('stack files', () => {
  it('loads the example stack into deployments', () => {
    const deployments = loadStackForEmbedded('examples/stack.yml');
    const names = deployments.map((d) => d.service);
    expect(names).toEqual(
      expect.arrayContaining(['figlet', 'env', 'echo', 'shasum', 'sleep', 'eat-memory', 'matmul']),
    );
    const figlet = deployments.find((d) => d.service === 'figlet');
    expect(figlet?.annotations?.['dfaas.handler']).toBe('builtin:figlet');
    expect(figlet?.labels?.['com.openfaas.scale.max']).toBe('10');
  });

  it('names an unknown key with its path', () => {
    const file = stackFile(
      'unknown.yml',
      'functions:\n  figlet:\n    lang: builtin\n    handler: figlet\n    lables: {}\n',
    );
    const err = configError(() => loadStackForEmbedded(file));
    expect(err.source).toBe(file);
    expect(err.issues).toEqual([{ field: 'functions.figlet.lables', message: 'unknown key' }]);
  });

  it('names a field of the wrong type', () => {
    const file = stackFile(
      'type.yml',
      'functions:\n  figlet:\n    lang: builtin\n    handler: figlet\n    environment: [a, b]\n',
    );
    const err = configError(() => loadStackForEmbedded(file));
    expect(err.issues.map((i) => i.field)).toEqual(['functions.figlet.environment']);
  });

  it('names a duplicate function', () => {
    const file = stackFile(
      'dup.yml',
      'functions:\n  figlet:\n    lang: builtin\n    handler: figlet\n  figlet:\n    lang: builtin\n    handler: echo\n',
    );
    const err = configError(() => loadStackForEmbedded(file));
    expect(err.issues[0]?.field).toBe('functions.figlet');
    expect(err.issues[0]?.message).toMatch(/duplicate key \(line 5/);
  });

  it('finds duplicates in JSON stacks too', () => {
    const file = stackFile(
      'dup.json',
      '{"functions": {"a": {"image": "dfaas/echo"}, "a": {"image": "dfaas/echo"}}}',
    );
    expect(configError(() => loadStackForEmbedded(file)).issues[0]?.field).toBe('functions.a');
  });

  it('names platform-level problems with the stack key the user wrote', () => {
    const file = stackFile(
      'settings.yml',
      [
        'functions:',
        '  a:',
        '    lang: builtin',
        '    handler: nope',
        '  b:',
        '    lang: builtin',
        '    handler: echo',
        '    environment: { exec_timeout: soon }',
        '    labels: { com.openfaas.scale.min: -1 }',
      ].join('\n'),
    );
    const fields = configError(() => loadStackForEmbedded(file)).issues.map((i) => i.field);
    expect(fields).toEqual([
      'functions.a.handler',
      'functions.b.labels.com.openfaas.scale.min',
      'functions.b.environment.exec_timeout',
    ]);
  });

  it('names the language when it cannot run one, and an empty image', () => {
    // A function named like a built-in (echo) must not silently become that built-in.
    const file = stackFile('lang.yml', 'functions:\n  echo:\n    lang: python3\n    handler: ./echo\n');
    const issues = configError(() => loadStackForEmbedded(file)).issues;
    expect(issues.map((i) => i.field)).toEqual(['functions.echo.lang']);
    expect(issues[0]?.message).toMatch(/give "python3" an fprocess/);
    const empty = stackFile('empty.yml', 'functions:\n  e:\n    image: ""\n    fprocess: cat\n');
    expect(configError(() => loadStackForEmbedded(empty)).issues.map((i) => i.field)).toEqual([
      'functions.e.image',
    ]);
  });

  it('reads environment_file relative to the stack, with environment winning', () => {
    stackFile('env.yml', 'environment:\n  exec_timeout: 2s\n  A: from-file\n');
    const file = stackFile(
      'with-env.yml',
      'functions:\n  a:\n    image: dfaas/echo\n    environment_file: [env.yml]\n    environment:\n      A: inline\n',
    );
    expect(loadStackForEmbedded(file)[0]?.envVars).toEqual({ exec_timeout: '2s', A: 'inline' });
    const bad = stackFile('bad-env.yml', 'environment:\n  A: [1]\n');
    const file2 = stackFile(
      'with-bad-env.yml',
      'functions:\n  a:\n    image: dfaas/echo\n    environment_file: [bad-env.yml]\n',
    );
    const err = configError(() => loadStackForEmbedded(file2));
    expect(err.source).toBe(bad);
    expect(err.issues[0]?.field).toBe('environment.A');
  });

  it('rejects function names OpenFaaS would reject', () => {
    const file = stackFile('name.yml', 'functions:\n  Bad_Name:\n    image: dfaas/echo\n');
    expect(configError(() => loadConfigFile(StackSchema, file)).issues[0]?.field).toBe('functions.Bad_Name');
  });

  it('resolves module handlers against the stack folder and fprocess to envProcess', () => {
    const stack = StackSchema.parse({
      functions: {
        hello: { lang: 'typescript', handler: './fn/hello.ts' },
        wc: { lang: 'dockerfile', fprocess: 'wc -c', environment: { mode: 'serializing', retries: 3 } },
      },
    });
    const [hello, wc] = stackToDeployments(stack, '/srv/stacks');
    expect(hello?.annotations?.['dfaas.handler']).toBe('/srv/stacks/fn/hello.ts');
    expect(wc?.envProcess).toBe('wc -c');
    expect(wc?.envVars).toEqual({ mode: 'serializing', retries: '3' });
  });
});
