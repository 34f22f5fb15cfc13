/**
 * The health monitor (punchpipe control/health.py: psutil → `health` table): CPU use (load average
 * over the cores, %), memory used (bytes and %), disk used under the data root (bytes and %), and the
 * number of processes. Read from Node's os/fs and /proc (Linux); elsewhere num_pids is 0.
 */
import { readdirSync, statfsSync } from 'node:fs';
import os from 'node:os';
import type Database from 'better-sqlite3';
import { ensureDirSync } from '../../workdirs/atomic';

export interface HealthSample {
  datetime: number;
  cpu_usage: number;
  memory_usage: number;
  memory_percentage: number;
  disk_usage: number;
  disk_percentage: number;
  num_pids: number;
}

function countPids(): number {
  try {
    return readdirSync('/proc').filter((n) => /^\d+$/.test(n)).length;
  } catch {
    return 0; // no /proc (not Linux): reported as 0, documented in docs/punch.md
  }
}

/** Samples the machine now; `root` is where the products go (its file system's use is recorded). */
export function sampleHealth(root: string, now: number): HealthSample {
  ensureDirSync(root);
  const fs = statfsSync(root);
  const diskTotal = fs.blocks * fs.bsize;
  const diskUsed = (fs.blocks - fs.bfree) * fs.bsize;
  const memUsed = os.totalmem() - os.freemem();
  return {
    datetime: now,
    cpu_usage: Math.min(100, (os.loadavg()[0] / Math.max(1, os.availableParallelism())) * 100),
    memory_usage: memUsed,
    memory_percentage: (memUsed / os.totalmem()) * 100,
    disk_usage: diskUsed,
    disk_percentage: diskTotal > 0 ? (diskUsed / diskTotal) * 100 : 0,
    num_pids: countPids(),
  };
}

/** Records one sample in punch_health. */
export function recordHealth(db: Database.Database, sample: HealthSample): void {
  db.prepare(
    `INSERT INTO punch_health (datetime, cpu_usage, memory_usage, memory_percentage, disk_usage, disk_percentage, num_pids)
     VALUES (@datetime, @cpu_usage, @memory_usage, @memory_percentage, @disk_usage, @disk_percentage, @num_pids)`,
  ).run(sample);
}
