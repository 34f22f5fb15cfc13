/**
 * Oracle file format (see docs/oracle.md and ../shared/oracle/README.md): every file is
 * `{family, versions, n_cases, cases: [...]}`; a case has `id` and either `expected` or
 * `expected_error: {type, message}`. A family adapter runs one case through stagebook's public
 * API and records mismatches in a Checker.
 */
import type { Checker } from './compare';

export interface OracleCase {
  id: string;
  description?: string;
  split?: string;
  expected?: unknown;
  expected_error?: { type: string; message: string };
  [field: string]: unknown;
}

export interface OracleFile {
  family: string;
  n_cases?: number;
  cases: OracleCase[];
  [field: string]: unknown;
}

export interface OracleContext {
  /** Directory of the oracle file: `x_file`, `frames_file`, image `file` are relative to it. */
  baseDir: string;
  /** Reads a JSON side file relative to baseDir (cached). */
  readJson(relPath: string): unknown;
  /** Reads a binary side file relative to baseDir. */
  readBinary(relPath: string): Buffer;
  /** The whole file, for file-level fields such as `notes` or `suggested_tolerance`. */
  file: OracleFile;
}

export interface OracleFamily {
  family: string;
  /** Runs one case; records mismatches on `check`. May be async (worker-backed kernels). */
  runCase(c: OracleCase, check: Checker, ctx: OracleContext): void | Promise<void>;
}

export interface CaseResult {
  file: string;
  family: string;
  id: string;
  ok: boolean;
  mismatches: string[];
  ms: number;
}
