import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import {
  stackJsonSchema,
  stackJsonSchemaText,
} from '../../lib/stack/json-schema.ts';

describe('docs/stack.schema.json', () => {
  it('is current with the zod schema (run `npm run schema`)', async () => {
    const committed = await readFile('docs/stack.schema.json', 'utf8');

    expect(committed).toBe(stackJsonSchemaText());
  });

  it('refuses unknown keys and describes fields for editors', () => {
    const schema = stackJsonSchema() as {
      additionalProperties: unknown;
      properties: Record<string, { description?: string }>;
    };

    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.environment?.description).toBeTruthy();
  });
});
