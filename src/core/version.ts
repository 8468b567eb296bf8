import { readFileSync } from 'node:fs';

/** dfaas's version, from package.json (two folders above src/core/ and dist/core/). */
export const VERSION: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
