/**
 * The shell action, for sites that must call their own tools (XPCS-Eigen's `corr`, a site copy
 * script): runs an allow-listed executable (config `shell.allow: {name: /path/to/exe}`) with an
 * argument list, never through a shell, in a working directory inside the write roots; stdout and
 * stderr go to files (the seed writes corr_output.log / corr_errors.log). A non-zero exit fails.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { StagebookError } from '../../errors/stagebook-error';
import { parseActionInput, type ActionContext, type FlowAction } from './types';

export const shellInput = z
  .object({
    command: z.string().min(1),
    args: z.array(z.string()).default([]),
    cwd: z.string().min(1),
    stdout: z.string().default('stdout.log'),
    stderr: z.string().default('stderr.log'),
  })
  .strict();

function prepare(
  raw: unknown,
  ctx: Pick<ActionContext, 'env' | 'state'>,
): { exe: string; input: z.output<typeof shellInput>; cwd: string } {
  const input = parseActionInput(shellInput, raw, 'shell', ctx.state);
  const exe = ctx.env.shell[input.command];
  if (!exe) {
    throw new StagebookError(
      'E_FLOW_INPUT',
      `${ctx.state} (shell): command ${JSON.stringify(input.command)} is not in shell.allow (allowed: ${Object.keys(ctx.env.shell).join(', ') || 'none'})`,
      {
        state: ctx.state,
        field: 'command',
      },
    );
  }
  return { exe, input, cwd: ctx.env.guard.resolve(input.cwd, `${ctx.state}: shell cwd`) };
}

async function runShell(raw: unknown, ctx: ActionContext): Promise<unknown> {
  const { exe, input, cwd } = prepare(raw, ctx);
  mkdirSync(cwd, { recursive: true });
  const out = ctx.env.guard.resolve(path.resolve(cwd, input.stdout));
  const err = ctx.env.guard.resolve(path.resolve(cwd, input.stderr));
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn(exe, input.args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], signal: ctx.signal });
    child.stdout.pipe(createWriteStream(out));
    child.stderr.pipe(createWriteStream(err));
    child.on('error', (e) =>
      reject(
        new StagebookError(
          'E_FLOW_ACTION',
          `${ctx.state}: could not run ${exe}: ${e.message}`,
          { state: ctx.state },
          { cause: e },
        ),
      ),
    );
    child.on('close', (c, sig) => resolve(c ?? (sig ? 128 : 1)));
  });
  if (code !== 0)
    throw new StagebookError('E_FLOW_ACTION', `${ctx.state}: ${input.command} exited ${code} (stderr in ${err})`, {
      state: ctx.state,
      exitCode: code,
      stderr: err,
    });
  return { command: input.command, exit_code: code, stdout: out, stderr: err };
}

export const shellAction: FlowAction = {
  name: 'shell',
  run: runShell,
  plan(raw, ctx) {
    const { exe, input, cwd } = prepare(raw, ctx);
    return { run: [exe, ...input.args], cwd };
  },
};
