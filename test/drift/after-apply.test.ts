import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDrift } from '../../lib/drift/index.ts';
import { applyStack } from '../../lib/provision/index.ts';
import { loadStack, type Stack } from '../../lib/stack/index.ts';
import { LOCAL_DEFAULTS } from '../../local/defaults.ts';
import {
  type ProvisionFixture,
  startProvisionFixture,
} from '../provision/support.ts';

// Drift and provisioning read the same project through different code
// (lib/inventory and lib/provision/steps): this checks they agree on what
// an apply of the production example leaves behind.
describe('checkDrift after a real apply of the production example', () => {
  let fixture: ProvisionFixture;
  let stack: Stack;

  beforeAll(async () => {
    fixture = await startProvisionFixture();
    stack = await loadStack('stacks/production.yaml');
    await applyStack(fixture.context, stack);
  });

  afterAll(() => fixture.close());

  it('reports no drift in two checks in a row', async () => {
    const check = () =>
      checkDrift({
        stack,
        apis: fixture.context.clients,
        organizationId: LOCAL_DEFAULTS.organizationId,
      });

    const first = await check();
    const second = await check();

    expect(first.findings).toEqual([]);
    expect(second.findings).toEqual([]);
    expect(second.status).toBe('clean');
  });
});
