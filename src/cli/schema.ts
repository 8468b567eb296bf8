/**
 * `dfaas schema [NAME]`: the JSON Schema of a configuration file, generated from its zod schema.
 * The names are listed here so that `--help` loads no schema; a test keeps them equal to
 * cli/schemas.ts's CONFIG_SCHEMAS, which is imported only when the command runs.
 */
import type { Command } from 'commander';
import { badFlag } from './errors.js';
import type { CliContext } from './io.js';
import { printResult } from './output.js';

export const SCHEMA_NAMES = [
  'stack',
  'environment-file',
  'load-scenarios',
  'sampler',
  'prometheus-queries',
  'group-list',
  'node',
  'function-deployment',
] as const;

export function registerSchema(program: Command, context: () => CliContext): void {
  program
    .command('schema')
    .description(`print the JSON Schema of a configuration file (${SCHEMA_NAMES.join(', ')})`)
    .argument('[name]', 'configuration name; without it, list the names')
    .action(async (name?: string) => {
      const ctx = context();
      const { CONFIG_SCHEMAS, jsonSchemaOf } = await import('./schemas.js');
      if (!name) {
        const list = Object.entries(CONFIG_SCHEMAS).map(([key, { description }]) => ({
          name: key,
          description,
        }));
        return printResult(ctx, list, () => list.map((s) => `${s.name}\t${s.description}\n`).join(''));
      }
      const schema = jsonSchemaOf(name);
      if (!schema)
        throw badFlag('name', `unknown configuration "${name}" (one of ${SCHEMA_NAMES.join(', ')})`);
      // Indented for a person; one line with --json, as every result.
      printResult(ctx, schema, () => `${JSON.stringify(schema, null, 2)}\n`);
    });
}
