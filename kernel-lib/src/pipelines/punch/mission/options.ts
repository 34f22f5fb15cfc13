/**
 * The options of the mission's flow types (`flows.<type>.options` in punch.yaml), checked when the
 * config is loaded (config.ts: file:line:col errors) and again by each segment before it plans.
 */
import { z } from 'zod';

export const groupOptions = z.strictObject({
  observatories: z
    .array(z.enum(['1', '2', '3', '4']))
    .min(1)
    .default(['1', '2', '3', '4']),
  /** Files whose date_obs fall in one window of this many seconds are one observation (PUNCH: 4 min). */
  window_seconds: z.number().positive().default(240),
});

export const noOptions = z.strictObject({});

/** Options schema of each mission flow type. */
export const MISSION_OPTION_SCHEMAS: Readonly<Record<string, z.ZodType>> = {
  level1: noOptions,
  levelq: groupOptions,
  level2: groupOptions,
  level3: noOptions,
};
