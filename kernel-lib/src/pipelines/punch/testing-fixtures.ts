/**
 * Fixtures for tests and notebooks of the PUNCH control segment (exported from stagebook/testing):
 * a temporary control database and a config with small, explicit policies.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { parsePunchConfig, type PunchConfig } from './config';
import { openControlDb } from './control-db';

/** A fresh directory with `root/` and a control database, plus a parsed config (overrides merged). */
export function punchSandbox(overrides: Record<string, unknown> = {}): {
  dir: string;
  db: Database.Database;
  config: PunchConfig;
} {
  const dir = mkdtempSync(path.join(tmpdir(), 'sb-punch-'));
  const config = parsePunchConfig({
    root: path.join(dir, 'root'),
    database: path.join(dir, 'control.db'),
    executor: { kind: 'in-process', isolation: 'inline' },
    flows: { level1: {}, levelq: {}, level2: {}, level3: {} },
    ...overrides,
  });
  return { dir, db: openControlDb(config.database), config };
}
