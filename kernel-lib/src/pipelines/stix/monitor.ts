/**
 * The stuck monitor (STIXCore `pipeline_monitor.py -s monitor_status.json`, run from cron every 3 h):
 * appends `{date, open}` to the status file, keeps the last 9 samples, and declares the pipeline
 * stuck when there are 9 samples, the last `open > 0`, the counts never drop, and the samples span
 * at least a day; then it alerts by mail (nodemailer) and/or a configured command.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { StagebookError } from '../../errors/stagebook-error';
import type { StixOptions } from './options';

const statusFileSchema = z.strictObject({
  last: z.array(
    z.strictObject({
      date: z.string().describe('ISO time of the sample'),
      open: z.number().int().min(0).describe('open files'),
    }),
  ),
});
export type MonitorStatus = z.output<typeof statusFileSchema>;

/** Reads the status file (an empty history when it does not exist). */
export function readMonitorStatus(file: string): MonitorStatus {
  if (!existsSync(file)) return { last: [] };
  const r = statusFileSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!r.success)
    throw new StagebookError(
      'E_CONFIG_INVALID',
      `${file}: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      { where: 'readMonitorStatus', file },
    );
  return r.data;
}

/** Appends a sample, keeps the last `keep`, and decides whether the pipeline is stuck. */
export function monitorStep(
  status: MonitorStatus,
  sample: { date: Date; open: number },
  policy: { samples: number; minSpanHours: number },
): { status: MonitorStatus; stuck: boolean; reason: string } {
  const last = [...status.last, { date: sample.date.toISOString(), open: sample.open }].slice(-policy.samples);
  const next = { last };
  if (last.length < policy.samples)
    return { status: next, stuck: false, reason: `${last.length} of ${policy.samples} samples` };
  if (sample.open === 0) return { status: next, stuck: false, reason: 'no open files' };
  for (let i = 1; i < last.length; i++) {
    if (last[i].open < last[i - 1].open)
      return { status: next, stuck: false, reason: `open files dropped at ${last[i].date}` };
  }
  const spanH = (Date.parse(last[last.length - 1].date) - Date.parse(last[0].date)) / 3_600_000;
  if (spanH < policy.minSpanHours)
    return { status: next, stuck: false, reason: `samples span ${spanH.toFixed(1)} h < ${policy.minSpanHours} h` };
  return {
    status: next,
    stuck: true,
    reason: `open files never dropped over ${spanH.toFixed(1)} h (${last.map((s) => s.open).join(', ')})`,
  };
}

/** Writes the status file atomically. */
export function writeMonitorStatus(file: string, status: MonitorStatus): void {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  writeFileSync(`${file}.tmp`, JSON.stringify(status, null, 2) + '\n');
  renameSync(`${file}.tmp`, file);
}

/** SMTP settings (options.monitor.mail, options.publish.reportMail). */
export type MailSettings = NonNullable<StixOptions['monitor']['mail']>;

/**
 * Sends one mail with nodemailer; credentials only from the named environment variables.
 * `who` names the sender in errors (`stix monitor`, `stix publish`), `field` the config field.
 */
export async function sendMail(
  m: MailSettings,
  subject: string,
  text: string,
  who: string,
  field: string,
): Promise<void> {
  const nodemailer = require('nodemailer') as typeof import('nodemailer');
  const user = m.userEnv ? process.env[m.userEnv] : undefined;
  const pass = m.passwordEnv ? process.env[m.passwordEnv] : undefined;
  if ((m.userEnv && !user) || (m.passwordEnv && !pass)) {
    throw new StagebookError(
      'E_SECRET_MISSING',
      `${who}: environment variable ${!user ? m.userEnv : m.passwordEnv} is not set (${field})`,
      { where: 'sendMail', field },
    );
  }
  const transport = nodemailer.createTransport({
    host: m.host,
    port: m.port,
    secure: m.secure,
    auth: user ? { user, pass } : undefined,
    tls: { rejectUnauthorized: m.secure },
  });
  try {
    await transport.sendMail({ from: m.from, to: m.to.join(', '), subject, text });
  } catch (cause) {
    throw new StagebookError(
      'E_STIX_MAIL',
      `${who}: mail via ${m.host}:${m.port} failed: ${(cause as Error).message}`,
      { where: 'sendMail', field },
      { cause },
    );
  } finally {
    transport.close();
  }
}

/** Sends the alert: mail (nodemailer; credentials only from the named env vars) and/or the command. */
export async function sendStuckAlert(
  monitor: StixOptions['monitor'],
  subject: string,
  text: string,
): Promise<string[]> {
  const done: string[] = [];
  if (monitor.mail) {
    await sendMail(monitor.mail, subject, text, 'stix monitor', 'options.monitor.mail');
    done.push(`mail to ${monitor.mail.to.join(', ')}`);
  }
  if (monitor.command) {
    const [cmd, ...args] = monitor.command;
    const r = spawnSync(cmd, args, { input: `${subject}\n\n${text}\n`, encoding: 'utf8' });
    if (r.error || r.status !== 0) {
      throw new StagebookError(
        'E_STIX_MAIL',
        `stix monitor: alert command ${cmd} failed: ${r.error?.message ?? `exit ${r.status}: ${r.stderr}`}`,
        { where: 'sendStuckAlert', field: 'options.monitor.command' },
      );
    }
    done.push(`command ${cmd}`);
  }
  return done;
}
