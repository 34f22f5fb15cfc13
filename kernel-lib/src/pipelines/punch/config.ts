/**
 * `punch.yaml`: punchpipe's config skeleton (seed-systems.md section 3: root, file_version,
 * scheduler.max_start, control.launcher, control.cleaner, flows.<type>{enabled, launch_weight,
 * batch_size, priority{initial, seconds[], escalation[]}, schedule, options}) validated by zod with
 * file:line:col errors. Policies are data with their defaults stated here, once. Unknown fields are
 * refused (strict objects): a misspelt field is an error, never ignored. Fixes of punchpipe's drift:
 * `enabled` must be a boolean (its launcher wanted literally `true`, its scheduler any truthy value);
 * `max_flows_running` (the older name) is accepted as `max_weight_running`, both at once is an error;
 * `prioritize_most_recent_n_days` lives under `scheduler` (punchpipe read it from the top level).
 */
import path from 'node:path';
import { z } from 'zod';
import { readYamlFile, validateYaml } from '../../config/loader';
import { parseCron } from './cron';
import { redisUrlSchema } from '../../config/executor-schema';
import { envVarNameSchema } from '../../config/secrets';
import { MISSION_OPTION_SCHEMAS } from './mission/options';

/** The flow types of the mission (mission/segments.ts), in scheduling order. */
export const PUNCH_FLOW_TYPES = ['level1', 'levelq', 'level2', 'level3'] as const;
export type PunchFlowType = (typeof PUNCH_FLOW_TYPES)[number];

const cron = z.string().superRefine((s, ctx) => {
  try {
    parseCron(s);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: (e as Error).message });
  }
});

const priority = z
  .strictObject({
    initial: z.number().int().default(5),
    seconds: z.array(z.number().nonnegative()).default([]),
    escalation: z.array(z.number().int()).default([]),
  })
  .refine((p) => p.seconds.length === p.escalation.length, {
    message: 'seconds and escalation must have the same length',
    path: ['escalation'],
  });

const flowSchema = z.strictObject({
  enabled: z.boolean().default(true),
  launch_weight: z.number().positive().default(1),
  batch_size: z.number().int().positive().default(1),
  priority: priority.prefault({}),
  schedule: cron.default('* * * * *'),
  /** Options of the flow's stage; checked by the mission (mission/segments.ts). */
  options: z.record(z.string(), z.unknown()).default({}),
});

const launcherSchema = z
  .strictObject({
    max_weight_running: z.number().positive().optional(),
    max_flows_running: z.number().positive().optional(),
    max_flows_to_launch_at_once: z.number().int().positive().default(10),
    launch_time_window_minutes: z.number().nonnegative().default(0),
    /** Seconds between staggered chunks (punchpipe: 10). */
    stagger_chunk_seconds: z.number().positive().default(10),
    schedule: cron.default('* * * * *'),
  })
  .refine((l) => !(l.max_weight_running !== undefined && l.max_flows_running !== undefined), {
    message: 'give max_weight_running or its older name max_flows_running, not both',
    path: ['max_flows_running'],
  })
  .transform(({ max_flows_running, ...l }) => ({
    ...l,
    max_weight_running: l.max_weight_running ?? max_flows_running ?? 30,
  }));

const cleanerSchema = z.strictObject({
  fail_launched_flows_after_minutes: z.number().positive().default(30),
  fail_running_flows_after_minutes: z.number().positive().default(120),
  schedule: cron.default('*/5 * * * *'),
});

const inProcessExecutorSchema = z.strictObject({
  kind: z.literal('in-process'),
  /** child-process: each launch runs in its own `node` process; inline: in the launcher's process. */
  isolation: z.enum(['child-process', 'inline']).default('child-process'),
});

/** Launches as BullMQ jobs run by `stagebook worker` processes (issue 18; bullmq-flow-executor.ts). */
const bullmqExecutorSchema = z.strictObject({
  kind: z.literal('bullmq'),
  redis: redisUrlSchema,
  /** Environment variable holding the Redis password (never the password itself). */
  passwordEnv: envVarNameSchema.optional(),
  queue: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/, 'letters, digits, _ . - (BullMQ queue names have no :)')
    .default('punch-flows'),
  /** Seconds Redis keeps a finished flow job (its result and failure reason). */
  keepFinishedS: z
    .number()
    .int()
    .min(60)
    .default(7 * 24 * 3600),
});

const executorSchema = z.discriminatedUnion('kind', [inProcessExecutorSchema, bullmqExecutorSchema], {
  error: (iss) => (iss.code === 'invalid_union' ? 'unknown executor kind (known: in-process, bullmq)' : undefined),
});

const flowsSchema = z
  .strictObject(
    Object.fromEntries(PUNCH_FLOW_TYPES.map((t) => [t, flowSchema.optional()])) as Record<
      PunchFlowType,
      z.ZodOptional<typeof flowSchema>
    >,
  )
  .superRefine((flows, ctx) => {
    // each type's options by its own schema (mission/options.ts), located at flows.<type>.options.<field>
    for (const t of PUNCH_FLOW_TYPES) {
      const r = MISSION_OPTION_SCHEMAS[t].safeParse(flows[t]?.options ?? {});
      if (!r.success)
        for (const issue of r.error.issues)
          ctx.addIssue({ code: 'custom', message: issue.message, path: [t, 'options', ...issue.path] });
    }
  });

export const punchConfigSchema = z.strictObject({
  root: z.string().min(1),
  /** The control database (SQLite, WAL); relative paths are relative to the config file. */
  database: z.string().min(1).default('punch-control.db'),
  file_version: z
    .string()
    .regex(/^[0-9A-Za-z.]+$/, 'letters, digits or .')
    .default('0'),
  /** Files beside each product: a quick-look PNG (punchpipe: .jp2) and a `.sha` (sha256). */
  products: z.strictObject({ quicklook: z.boolean().default(true), sha: z.boolean().default(false) }).prefault({}),
  executor: executorSchema.prefault({ kind: 'in-process' }),
  scheduler: z
    .strictObject({
      max_start: z.number().int().positive().default(1000),
      prioritize_most_recent_n_days: z.number().positive().nullable().default(null),
    })
    .prefault({}),
  control: z
    .strictObject({
      launcher: launcherSchema.prefault({}),
      cleaner: cleanerSchema.prefault({}),
      health: z.strictObject({ schedule: cron.default('* * * * *') }).prefault({}),
    })
    .prefault({}),
  flows: flowsSchema.prefault({}),
});

export type PunchConfig = z.output<typeof punchConfigSchema>;
export type PunchFlowConfig = z.output<typeof flowSchema>;
export type LauncherConfig = PunchConfig['control']['launcher'];
export type CleanerConfig = PunchConfig['control']['cleaner'];

/** Parses a config object (throws zod's error; use loadPunchConfig for files). */
export function parsePunchConfig(value: unknown): PunchConfig {
  return punchConfigSchema.parse(value);
}

/**
 * Reads punch.yaml: E_CONFIG_* with `file:line:col field: message`. `root` and `database` are
 * resolved against the config file's directory.
 */
export function loadPunchConfig(file: string): PunchConfig {
  const src = readYamlFile(file);
  const config = validateYaml(src, punchConfigSchema);
  const dir = path.dirname(src.absolutePath);
  return { ...config, root: path.resolve(dir, config.root), database: path.resolve(dir, config.database) };
}
