import type { Command } from 'commander';
import { CONFIG_SCHEMAS, jsonSchemaOf } from '../config/json-schema.js';
import { badFlag } from './errors.js';

export function registerSchema(program: Command): void {
  program
    .command('schema')
    .description(`print the JSON Schema of a configuration file (${Object.keys(CONFIG_SCHEMAS).join(', ')})`)
    .argument('[name]', 'configuration name; without it, list the names')
    .action((name?: string) => {
      if (!name) {
        for (const [key, { description }] of Object.entries(CONFIG_SCHEMAS))
          process.stdout.write(`${key}\t${description}\n`);
        return;
      }
      const schema = jsonSchemaOf(name);
      if (!schema)
        throw badFlag(
          'name',
          `unknown configuration "${name}" (one of ${Object.keys(CONFIG_SCHEMAS).join(', ')})`,
        );
      process.stdout.write(`${JSON.stringify(schema, null, 2)}\n`);
    });
}
