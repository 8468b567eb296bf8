import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findExecutable } from '../../src/core/executable.js';

describe('findExecutable', () => {
  it('finds a program on PATH, or at a path, only when it is executable', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dfaas-path-'));
    writeFileSync(join(dir, 'k6'), '#!/bin/sh\n');
    expect(findExecutable('k6', `/nonexistent:${dir}`)).toBeUndefined(); // not executable yet
    chmodSync(join(dir, 'k6'), 0o755);
    expect(findExecutable('k6', `/nonexistent:${dir}`)).toBe(join(dir, 'k6'));
    expect(findExecutable(join(dir, 'k6'), '')).toBe(join(dir, 'k6'));
    expect(findExecutable('k6', '/nonexistent')).toBeUndefined();
  });
});
