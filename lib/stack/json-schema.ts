import { z } from 'zod';
import { StackSchema } from './schema.ts';

/**
 * The JSON Schema of a stack file, generated from the zod schema, as
 * editors use it to complete and check stack files. Describes the input
 * (fields with defaults are optional); unknown keys are refused.
 */
export function stackJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(StackSchema, {
    io: 'input',
    target: 'draft-2020-12',
  });

  return {
    $schema: schema.$schema,
    title: 'evalap-infra stack',
    ...schema,
  };
}

/** The schema as the text of docs/stack.schema.json. */
export function stackJsonSchemaText(): string {
  return `${JSON.stringify(stackJsonSchema(), null, 2)}\n`;
}
