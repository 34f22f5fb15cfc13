/**
 * The `options` section of a STIX workspace config (`stix.yaml`, an ordinary stagebook config whose
 * `options` hold what STIXCore keeps in `stixcore.ini` [Paths] [Pipeline] and the monitor's
 * settings). Every field has a stated default; unknown fields are refused.
 */
import path from 'node:path';
import { z } from 'zod';

export const serviceSchema = z
  .strictObject({
    logDir: z
      .string()
      .min(1)
      .default('logs/tm')
      .describe('Per-TM <tm>.log, <tm>.log.err and <tm>.out files, relative to root (STIXCore Pipeline.log_dir)'),
    startWithUnprocessed: z
      .boolean()
      .default(true)
      .describe(
        'At start, queue TM files newer than the last processed that have no .out (STIXCore start_with_unprocessed)',
      ),
    onError: z
      .enum(['stop', 'continue'])
      .default('continue')
      .describe('A TM that fails: stop the service (STIXCore Logging.stop_on_error) or continue with the next'),
    statusPort: z
      .number()
      .int()
      .min(0)
      .max(65535)
      .default(12388)
      .describe('TCP port of the status endpoint on 127.0.0.1 (0 = any free port, written to the state file)'),
    stateFile: z
      .string()
      .min(1)
      .default('.stagebook/stix-service.json')
      .describe('Where the service records its pid, port and last processed TM, relative to root'),
    retryLockedMs: z
      .number()
      .int()
      .min(10)
      .default(1000)
      .describe('Wait before retrying a TM whose run is locked by another live run (ms)'),
  })
  .describe('The watched-folder service');

export const monitorSchema = z
  .strictObject({
    samples: z.number().int().min(2).default(9).describe('Samples kept; stuck needs this many (STIXCore: 9)'),
    minSpanHours: z
      .number()
      .min(0)
      .default(24)
      .describe('The kept samples must span at least this many hours (STIXCore: one day)'),
    mail: z
      .strictObject({
        host: z.string().min(1).describe('SMTP host'),
        port: z.number().int().min(1).max(65535).default(25).describe('SMTP port'),
        secure: z.boolean().default(false).describe('TLS from the start (port 465)'),
        from: z.string().min(3).describe('Sender address'),
        to: z.array(z.string().min(3)).min(1).describe('Recipients'),
        userEnv: z
          .string()
          .regex(/^[A-Z_][A-Z0-9_]*$/)
          .optional()
          .describe('Environment variable NAME holding the SMTP user'),
        passwordEnv: z
          .string()
          .regex(/^[A-Z_][A-Z0-9_]*$/)
          .optional()
          .describe('Environment variable NAME holding the SMTP password'),
      })
      .optional()
      .describe('Alert mail (nodemailer)'),
    command: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe('Alert command and arguments, run with the message on stdin'),
  })
  .describe('The stuck monitor');

export const stixOptionsSchema = z
  .strictObject({
    fitsDir: z
      .string()
      .min(1)
      .default('fits')
      .describe('Root of the FITS products (LB/L0/L1/L2 below it), relative to root'),
    idbDir: z
      .string()
      .min(1)
      .default('idb')
      .describe('Folder of IDB SQLite files idb_<version>.sqlite; the highest version is used'),
    timeCorrelationDir: z
      .string()
      .min(1)
      .default('timecorr')
      .describe('Folder of solo_time_correlation_{predicted|definitive}_VNN.json files'),
    service: serviceSchema.default(serviceSchema.parse({})),
    monitor: monitorSchema.default(monitorSchema.parse({})),
    publish: z
      .record(z.string(), z.unknown())
      .optional()
      .describe('stagebook stix publish: the fields of publish/options.ts (validated there, with their locations)'),
    daily: z
      .record(z.string(), z.unknown())
      .optional()
      .describe('stagebook stix daily: the fields of daily/options.ts (validated there, with their locations)'),
  })
  .describe('STIX pipeline options');

export type StixOptions = z.output<typeof stixOptionsSchema>;

/** Absolute folders of a STIX workspace. */
export interface StixPaths {
  root: string;
  fits: string;
  idb: string;
  timeCorrelation: string;
  tmLogs: string;
  stateFile: string;
}

export function stixPaths(root: string, o: StixOptions): StixPaths {
  const at = (p: string): string => path.resolve(root, p);
  return {
    root,
    fits: at(o.fitsDir),
    idb: at(o.idbDir),
    timeCorrelation: at(o.timeCorrelationDir),
    tmLogs: at(o.service.logDir),
    stateFile: at(o.service.stateFile),
  };
}
