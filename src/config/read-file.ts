import { isMap, isScalar, parseDocument, type YAMLError } from 'yaml';
import type { z } from 'zod';
import { ConfigError, issuesFromZod } from '../core/errors.js';
import { readInputFile } from '../core/files.js';

/**
 * Parses YAML or JSON text. JSON goes through the YAML parser too (JSON is YAML 1.2) because
 * JSON.parse keeps the last of two duplicate keys silently; here a duplicate key is an error that
 * names it, since a second `functions.figlet` replacing the first is the bug users hit.
 */
export function parseConfigText(text: string, source: string): unknown {
  // A NUL or bytes that are not UTF-8 (decoded as U+FFFD): a binary file, whose bytes would
  // otherwise come back in YAML's error messages.
  if (text.includes('\u0000') || text.includes('\uFFFD')) {
    throw new ConfigError(source, [
      { field: '', message: 'not a text file: a configuration is YAML or JSON' },
    ]);
  }
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      source,
      doc.errors.map((e) => yamlIssue(doc.contents, e)),
    );
  }
  return doc.toJS({ maxAliasCount: 100 });
}

function yamlIssue(contents: unknown, err: YAMLError): { field: string; message: string } {
  const line = err.linePos?.[0];
  const where = line ? ` (line ${line.line}, column ${line.col})` : '';
  if (err.code === 'DUPLICATE_KEY') {
    const path = duplicateKeyPath(contents, err.pos[0]);
    return { field: path, message: `duplicate key${where}` };
  }
  const text = (err.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
  return { field: '', message: `invalid YAML${where}: ${text}` };
}

/** Finds the dotted path of the key at `offset`, to name a duplicate like functions.figlet. */
function duplicateKeyPath(node: unknown, offset: number, path: string[] = []): string {
  if (!isMap(node)) return path.join('.');
  for (const pair of node.items) {
    const key = pair.key;
    if (!isScalar(key) || !key.range) continue;
    const name = String(key.value);
    if (key.range[0] === offset) return [...path, name].join('.');
    const value = pair.value as { range?: [number, number, number] } | null;
    if (value?.range && offset >= value.range[0] && offset <= value.range[2]) {
      return duplicateKeyPath(value, offset, [...path, name]);
    }
  }
  return path.join('.');
}

/** Validates parsed data against a schema; errors name each field and the source. */
export function validateConfig<S extends z.ZodType>(schema: S, data: unknown, source: string): z.output<S> {
  const result = schema.safeParse(data);
  if (!result.success) throw new ConfigError(source, issuesFromZod(result.error));
  return result.data;
}

/** Reads, parses and validates a YAML or JSON configuration file. */
export function loadConfigFile<S extends z.ZodType>(schema: S, file: string): z.output<S> {
  return validateConfig(schema, parseConfigText(readInputFile(file), file), file);
}
