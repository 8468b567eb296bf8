import { z } from 'zod';

/**
 * The JSON Schema (draft 2020-12) of a configuration, generated from its zod schema. The table of
 * every configuration by name is the CLI's (src/cli/schemas.ts): it gathers schemas from every
 * layer, which a foundation may not import.
 */
export function toJsonSchema(name: string, description: string, schema: z.ZodType): Record<string, unknown> {
  return {
    title: name,
    description,
    ...z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }),
  };
}
