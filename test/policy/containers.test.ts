import { describe, expect, it } from 'vitest';
import { CPU_MEMORY_TABLE } from '../../lib/policy/index.ts';
import { CONTAINER_LIMITS } from '../../local/scaleway/container/container-model.ts';

const rows = [...CPU_MEMORY_TABLE].map(([cpu, range]) => ({ cpu, ...range }));

describe('CPU_MEMORY_TABLE', () => {
  it.each(rows)(
    '$cpu mvCPU ($min-$max MB) lies inside the documented bounds',
    ({ cpu, min, max }) => {
      const { cpu: cpuLimits, memory } = CONTAINER_LIMITS;

      expect(cpu).toBeGreaterThanOrEqual(cpuLimits.min);
      expect(cpu).toBeLessThanOrEqual(cpuLimits.max);
      expect(min).toBeGreaterThanOrEqual(memory.min);
      expect(max).toBeLessThanOrEqual(memory.max);
    },
  );

  it.each(rows)(
    '$cpu mvCPU ($min-$max MB) keeps 1 to 4 MB per mvCPU',
    ({ cpu, min, max }) => {
      expect(min).toBeGreaterThanOrEqual(cpu);
      expect(max).toBeLessThanOrEqual(4 * cpu);
    },
  );
});
