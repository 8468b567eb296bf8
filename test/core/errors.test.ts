import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError, DfaasError, ExitCode, formatPath, TimeoutError } from '../../src/core/errors.js';

/**
 * Keeps src/ and docs/errors.md in step: every DFAAS_ERR_… code written in src/ is documented
 * under a `### DFAAS_ERR_…` heading, every documented code exists in src/, and the exit code the
 * docs give is the one the error is defined with.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CODE = /(['"`])(DFAAS_ERR_[A-Z0-9_]+)\1/g;
/** Where an error is made with its code: `super('DFAAS_ERR_X', …)` or `new SomeError('DFAAS_ERR_X', …)`. */
const DEFINITION = /(?:\bsuper|\bnew\s+[A-Za-z_$][\w$]*)\(\s*(['"`])(DFAAS_ERR_[A-Z0-9_]+)\1/g;
const EXIT_NAMES: Record<string, number> = ExitCode;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx|js|mjs)$/.test(entry.name) ? [path] : [];
  });
}

/** Drops block comments and whole-line // comments (a code named in a comment is no use of it). */
function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
}

/** The argument list of the call whose first argument starts at `from` (up to its closing paren). */
function callArguments(text: string, from: number): string {
  let depth = 1;
  for (let i = from; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) return text.slice(from, i);
  }
  return text.slice(from);
}

/**
 * The exit code a definition gives: explicit, the default (1), or undefined when computed. The
 * options may be a constant of the same file (`const BAD_INPUT = { exitCode: … }`).
 */
function exitCodeOf(args: string, constants: Map<string, string>): number | undefined {
  for (const [name, value] of constants) if (new RegExp(`\\b${name}\\b`).test(args)) args += value;
  const named = /exitCode:\s*ExitCode\.(\w+)/.exec(args)?.[1];
  if (named !== undefined) return EXIT_NAMES[named];
  const literal = /exitCode:\s*([0-9])\b/.exec(args)?.[1];
  if (literal !== undefined) return Number(literal);
  return /exitCode/.test(args) ? undefined : ExitCode.failed;
}

interface Use {
  file: string;
  /** Whether this file defines the code (makes an error with it, or names it as a constant). */
  defines: boolean;
  /** Exit codes of the definitions found, when each could be read. */
  exitCodes: number[];
}

/** A code given a name: `const INTERNAL_ERROR_CODE = 'DFAAS_ERR_INTERNAL'`. */
const CONSTANT = /\bconst\s+\w+\s*=\s*(['"`])(DFAAS_ERR_[A-Z0-9_]+)\1/g;

function codesInSource(): Map<string, Use[]> {
  const codes = new Map<string, Use[]>();
  for (const path of sourceFiles(join(ROOT, 'src'))) {
    const text = withoutComments(readFileSync(path, 'utf8'));
    const file = relative(ROOT, path);
    const exits = new Map<string, number[]>();
    const defined = new Set([...text.matchAll(CONSTANT)].map((m) => m[2] as string));
    const constants = new Map(
      [...text.matchAll(/\bconst\s+(\w+)\s*=\s*(\{[^}]*\})/g)].map((m) => [m[1] as string, m[2] as string]),
    );
    for (const match of text.matchAll(DEFINITION)) {
      const code = match[2] as string;
      defined.add(code);
      const exit = exitCodeOf(callArguments(text, (match.index ?? 0) + match[0].length), constants);
      if (exit !== undefined) exits.set(code, [...(exits.get(code) ?? []), exit]);
    }
    for (const match of text.matchAll(CODE)) {
      const code = match[2] as string;
      const uses = codes.get(code) ?? [];
      if (!uses.some((u) => u.file === file))
        uses.push({ file, defines: defined.has(code), exitCodes: exits.get(code) ?? [] });
      codes.set(code, uses);
    }
  }
  return codes;
}

interface Entry {
  code: string;
  body: string;
}

function documentedCodes(): Entry[] {
  const text = readFileSync(join(ROOT, 'docs/errors.md'), 'utf8');
  const entries: Entry[] = [];
  const parts = text.split(/^### /m).slice(1);
  for (const part of parts) {
    const [heading = '', ...rest] = part.split('\n');
    const body = rest.join('\n').split(/^#{1,3} /m)[0] ?? '';
    entries.push({ code: heading.trim(), body });
  }
  return entries;
}

describe('error codes', () => {
  const source = codesInSource();
  const docs = documentedCodes();
  const documented = new Set(docs.map((d) => d.code));

  it('finds the codes (the parsers work)', () => {
    expect(source.get('DFAAS_ERR_BAD_INPUT')?.[0]?.exitCodes).toContain(ExitCode.badInput);
    expect(source.get('DFAAS_ERR_TIMEOUT')?.[0]?.exitCodes).toContain(ExitCode.failed);
    expect(documented).toContain('DFAAS_ERR_BAD_INPUT');
  });

  it('documents every code written in src/ (docs/errors.md, under ### DFAAS_ERR_…)', () => {
    const missing = [...source]
      .filter(([code]) => !documented.has(code))
      .map(([code, uses]) => `${code} (${uses.map((u) => u.file).join(', ')})`);
    expect(missing, 'codes in src/ that docs/errors.md does not list').toEqual([]);
  });

  it('documents only codes that exist in src/', () => {
    const stale = docs.map((d) => d.code).filter((code) => !source.get(code)?.some((use) => use.defines));
    expect(stale, 'codes docs/errors.md lists that nothing in src/ defines').toEqual([]);
  });

  it('documents each code once, well-formed, with its exit code and HTTP status', () => {
    const seen = new Set<string>();
    const problems: string[] = [];
    for (const { code, body } of docs) {
      if (!/^DFAAS_ERR_[A-Z0-9_]+$/.test(code)) problems.push(`heading "${code}" is not a code`);
      if (seen.has(code)) problems.push(`${code} is listed twice`);
      seen.add(code);
      if (!/\bExit [012]\b/.test(body)) problems.push(`${code}: no "Exit 0|1|2"`);
      if (!/\bHTTP [1-5]\d\d\b/.test(body)) problems.push(`${code}: no "HTTP <status>"`);
    }
    expect(problems).toEqual([]);
  });

  it('gives the exit code each error is defined with', () => {
    const wrong: string[] = [];
    for (const { code, body } of docs) {
      const exit = Number(/\bExit ([012])\b/.exec(body)?.[1]);
      for (const use of source.get(code) ?? []) {
        for (const defined of use.exitCodes) {
          if (defined !== exit) wrong.push(`${code}: docs say exit ${exit}, ${use.file} defines ${defined}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });
});

describe('DfaasError', () => {
  it('carries code, exit code, status and hint; a run failure by default', () => {
    const plain = new DfaasError('DFAAS_ERR_X', 'boom');
    expect([plain.code, plain.exitCode, plain.status, plain.hint]).toEqual([
      'DFAAS_ERR_X',
      1,
      500,
      undefined,
    ]);
    const cause = new Error('under');
    const full = new DfaasError('DFAAS_ERR_Y', 'bad', { exitCode: 2, status: 400, hint: 'fix it', cause });
    expect([full.exitCode, full.status, full.hint, full.cause]).toEqual([2, 400, 'fix it', cause]);
    expect(full).toBeInstanceOf(Error);
  });

  it('ConfigError names the source and each field; exit 2, HTTP 400', () => {
    const err = new ConfigError('stack.yml', [
      { field: 'functions.figlet.limits.memory', message: 'bad unit' },
      { field: '', message: 'cannot read file' },
    ]);
    expect(err.message).toBe('stack.yml: functions.figlet.limits.memory: bad unit; cannot read file');
    expect([err.code, err.exitCode, err.status]).toEqual(['DFAAS_ERR_BAD_INPUT', 2, 400]);
    expect(err).toBeInstanceOf(DfaasError);
  });

  it('TimeoutError is a failed run, HTTP 504', () => {
    const err = new TimeoutError('waited');
    expect([err.code, err.exitCode, err.status]).toEqual(['DFAAS_ERR_TIMEOUT', 1, 504]);
  });

  it('formats field paths as a user writes them', () => {
    expect(formatPath(['functions', 'figlet', 'limits', 'memory'])).toBe('functions.figlet.limits.memory');
    expect(formatPath(['items', 2, 'name'])).toBe('items[2].name');
  });
});
