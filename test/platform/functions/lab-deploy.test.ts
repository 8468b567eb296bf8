import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve('src');
const PREPARE = 'deploy/openfaas/lab-functions/prepare.sh';

/** Every file the lab module imports, transitively, as paths of dist/ (src/x.ts → x.js), and its other imports. */
function labModuleImports(): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    const key = relative(SRC, file).replace(/\.ts$/, '.js');
    if (files.has(key)) return;
    files.add(key);
    for (const [, spec] of readFileSync(file, 'utf8').matchAll(/^(?:import|export)[^;]*?from '([^']+)'/gms)) {
      const target = spec as string;
      if (target.startsWith('.')) visit(join(dirname(file), target).replace(/\.js$/, '.ts'));
      else packages.add(target);
    }
  };
  visit(join(SRC, 'platform/functions/lab.ts'));
  return { files, packages };
}

describe('the lab functions on OpenFaaS (deploy/openfaas/lab-functions)', () => {
  it("prepare.sh copies every file the lab module imports, and the module imports only Node's built-ins", () => {
    const { files, packages } = labModuleImports();
    const listed = /^FILES="([^"]*)"$/m.exec(readFileSync(PREPARE, 'utf8'))?.[1]?.split(' ') ?? [];
    expect(new Set(listed)).toEqual(files);
    expect([...packages].filter((p) => !p.startsWith('node:'))).toEqual([]);
  });
});
