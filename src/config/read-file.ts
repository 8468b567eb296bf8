import {
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  type Pair,
  parseDocument,
  visit,
  type YAMLError,
} from 'yaml';
import type { z } from 'zod';
import { ConfigError, type ConfigIssue, formatPath, issuesFromZod } from '../core/errors.js';
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
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true, lineCounter });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      source,
      doc.errors.map((e) => yamlIssue(doc.contents, e)),
    );
  }
  const aliasIssues = badAliases(doc, lineCounter);
  if (aliasIssues.length > 0) throw new ConfigError(source, aliasIssues);
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    // yaml throws a ReferenceError for what the parse does not report: aliases (`*a`) that expand
    // past maxAliasCount (a "billion laughs" file), or one it cannot resolve.
    if (!(err instanceof ReferenceError)) throw err;
    const message = /excessive alias count/i.test(err.message)
      ? `too many alias expansions: the aliases (*name) expand to more than ${MAX_ALIAS_COUNT} copies of their anchors' values; write the values out`
      : `invalid YAML: ${err.message}`;
    throw new ConfigError(source, [{ field: '', message }]);
  }
}

/** yaml's bound on alias expansions when it turns a document into values (toJS's maxAliasCount). */
const MAX_ALIAS_COUNT = 100;

/**
 * The aliases yaml cannot turn into values, found before toJS (which throws a bare ReferenceError
 * on the first): an alias whose anchor is not set before it (YAML resolves `*a` to the last `&a`
 * before it), and an alias inside the value of its own anchor (a value containing itself, which
 * no configuration is). Each issue names the field holding the alias and its line.
 */
function badAliases(doc: Document, lines: LineCounter): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const anchors = new Map<string, Node>();
  visit(doc, {
    Node(_key, node, path) {
      if (!isAlias(node)) {
        if (node.anchor) anchors.set(node.anchor, node);
        return;
      }
      const offset = node.range?.[0] ?? 0;
      const { line, col } = lines.linePos(offset);
      const at = `*${node.source} (line ${line}, column ${col})`;
      const target = anchors.get(node.source);
      if (target === undefined)
        issues.push({
          field: fieldOf(path, node),
          message: `unknown alias ${at}: no anchor &${node.source} before it`,
        });
      else if (path.includes(target))
        issues.push({
          field: fieldOf(path, node),
          message: `alias ${at} is inside the value of &${node.source}: a value cannot contain itself`,
        });
    },
  });
  return issues;
}

/** The field (functions[0].name) of a node, from its ancestors; a key's field is its mapping's. */
function fieldOf(path: readonly (Document | Node | Pair)[], node: Node): string {
  const parts: (string | number)[] = [];
  for (let i = 0; i < path.length; i++) {
    const parent = path[i];
    const child = path[i + 1] ?? node;
    if (isPair(parent)) {
      if (child !== parent.value) break;
      parts.push(isScalar(parent.key) ? String(parent.key.value) : '?');
    } else if (isSeq(parent)) {
      parts.push(parent.items.indexOf(child));
    }
  }
  return formatPath(parts);
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
