/**
 * The `stagebook` command as a user meets it after `npm ci`: `node_modules/.bin/stagebook` (what
 * `npx stagebook` runs). Tests spawn this bin, never `kernel-lib/dist/cli/main.js` directly, so a
 * missing or broken bin link fails the suite (issue 12, point 1).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** Absolute path of the linked bin; throws with the fix if npm did not link it. */
export function stagebookBin(): string {
  const bin = path.join(
    REPO_ROOT,
    'node_modules',
    '.bin',
    process.platform === 'win32' ? 'stagebook.cmd' : 'stagebook',
  );
  if (!existsSync(bin)) {
    throw new Error(
      `${bin} is missing: npm did not link the stagebook bin (kernel-lib/package.json "bin"); run npm ci`,
    );
  }
  return bin;
}
