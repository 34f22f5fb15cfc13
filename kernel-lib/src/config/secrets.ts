/**
 * Secrets are referenced by the NAME of an environment variable (like the LCO seed's
 * `token_envvar`), never stored in config, the ledger, logs or events. The value lives only inside
 * a `Secret` whose string/JSON/inspect forms are a placeholder; `reveal()` is the one way out.
 */
import { inspect } from 'node:util';
import { z } from 'zod';
import { StagebookError } from '../errors/stagebook-error';

/**
 * Zod schema of an environment-variable name. Upper-case only: a pasted token (hex, base64) is
 * rejected, and the message never repeats the offending value.
 */
export const envVarNameSchema = z
  .string()
  .regex(/^[A-Z_][A-Z0-9_]*$/, {
    message: 'expected the NAME of an environment variable (e.g. LCO_TOKEN), never the secret itself',
  })
  .describe('Name of the environment variable that holds the secret (the value is never written in config)');

const values = new WeakMap<Secret, string>();

/** A secret value that cannot leak through printing, JSON or string interpolation. */
export class Secret {
  /** The environment variable it came from (safe to show). */
  readonly envVar: string;

  constructor(envVar: string, value: string) {
    this.envVar = envVar;
    values.set(this, value);
  }

  /** The secret value itself: pass it straight to the client that needs it. */
  reveal(): string {
    return values.get(this) as string;
  }

  toString(): string {
    return `[secret $${this.envVar}]`;
  }

  toJSON(): string {
    return this.toString();
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/** Reads the secret named by `envVar`; E_SECRET_MISSING (naming the variable only) when unset or empty. */
export function resolveSecret(envVar: string, env: NodeJS.ProcessEnv = process.env): Secret {
  const value = env[envVar];
  if (value === undefined || value === '') {
    throw new StagebookError(
      'E_SECRET_MISSING',
      `resolveSecret: environment variable ${envVar} is not set (the config references it as a secret)`,
      { where: 'resolveSecret', field: envVar },
    );
  }
  return new Secret(envVar, value);
}

/** Replaces every known secret value in text by its placeholder (used on all log lines). */
export class Redactor {
  private readonly secrets: Secret[] = [];

  add(secret: Secret): void {
    if (secret.reveal().length > 0) this.secrets.push(secret);
  }

  redact(text: string): string {
    let out = text;
    for (const s of this.secrets) out = out.split(s.reveal()).join(s.toString());
    return out;
  }
}
