import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * `dfaas --version` and `dfaas --help` must load no capability: everything main.ts and program.ts
 * import at load time (following static imports, not the `await import()` of the commands'
 * actions) is the CLI's own flag definitions, core's light modules and commander. main.ts imports
 * program.ts with `await import()` too, so that a failure to load it is reported as a dfaas error.
 */
const SRC = resolve('src');

/** Modules a file imports at load time: `import type` and `export type` are erased by tsc. */
function staticImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/^(?:import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm)) {
    if (!m[1]) out.push(m[2] as string);
  }
  return out;
}

function loadGraph(...entries: string[]): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const spec of staticImports(file)) {
      if (spec.startsWith('.')) visit(join(dirname(file), spec.replace(/\.js$/, '.ts')));
      else packages.add(spec);
    }
  };
  for (const entry of entries) visit(entry);
  return { files: [...files].map((f) => relative(SRC, f)).sort(), packages: [...packages].sort() };
}

describe('the CLI at startup', () => {
  it('loads only commander, node built-ins, core and the flag definitions', () => {
    const { files, packages } = loadGraph(join(SRC, 'cli/main.ts'), join(SRC, 'cli/program.ts'));
    expect(packages.filter((p) => !p.startsWith('node:'))).toEqual(['commander']);
    const outside = files.filter((f) => !f.startsWith('cli/') && !f.startsWith('core/'));
    expect(outside).toEqual([]);
    expect(files.filter((f) => f.endsWith('-run.ts'))).toEqual([]);
    // The heavy part of core is not needed either.
    expect(files.filter((f) => f.startsWith('core/')).sort()).toEqual([
      'core/errors.ts',
      'core/logger.ts',
      'core/version.ts',
    ]);
  });

  it('finds the imports a change would add (the check itself works)', () => {
    const { files, packages } = loadGraph(join(SRC, 'cli/load-run.ts'));
    expect(files).toContain('load/builtin/generator.ts');
    expect(packages).toContain('undici');
  });
});
