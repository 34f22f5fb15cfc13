/**
 * `stagebook worker --redis URL [--queues a,b] [--concurrency N] [...]`: a long-running BullMQ
 * worker that runs the units control nodes submit (docs/scale-out.md). SIGTERM/SIGINT stop it
 * gracefully: it takes no new job and finishes the ones in hand; a second signal hands them back
 * (BullMQ retries them on another worker) and exits at once.
 */
import { workerPolicySchema } from '../config/executor-schema';
import { EXIT } from '../errors/exit-codes';
import { prettifyIssues } from '../errors/zod-issues';
import { startUnitWorker } from '../engine/bullmq/unit-worker';
// PUNCH launches submitted with `executor: { kind: bullmq }` in punch.yaml run on these workers too
import '../pipelines/punch/bullmq-flow-executor';
import { parseArgs, str, usage } from './args';
import { wantsHelp } from './help';

/** Usage text (`stagebook worker --help`). */
export const WORKER_HELP = `usage: stagebook worker --redis URL [--password-env VAR] [--queues a,b] [--concurrency N] [--name NAME]
    [--lock-duration-ms N] [--stalled-interval-ms N] [--max-stalled-count N] [--heartbeat-ms N]

Runs pipeline units submitted by control nodes whose stagebook.yaml says executor: { kind: bullmq }.
Defaults: --queues stagebook, --concurrency 1, --lock-duration-ms 30000, --stalled-interval-ms 30000,
--max-stalled-count 1, --heartbeat-ms 5000, --name host:pid. The Redis password, if any, is read
from the environment variable named by --password-env (never given on the command line).
SIGTERM/SIGINT: finish the units in hand, then exit 0; a second signal hands them back and exits 143/130.
`;

const INTEGER_FLAGS: Record<string, string> = {
  concurrency: 'concurrency',
  'lock-duration-ms': 'lockDurationMs',
  'stalled-interval-ms': 'stalledIntervalMs',
  'max-stalled-count': 'maxStalledCount',
  'heartbeat-ms': 'heartbeatMs',
};

/** `stagebook worker ...`; resolves with the exit code once the worker has stopped. */
export async function workerCommand(argv: string[]): Promise<number> {
  if (wantsHelp(argv)) {
    process.stdout.write(WORKER_HELP);
    return EXIT.ok;
  }
  const spec = { redis: 'value', 'password-env': 'value', queues: 'value', name: 'value' } as const;
  const a = parseArgs(argv, { ...spec, ...Object.fromEntries(Object.keys(INTEGER_FLAGS).map((k) => [k, 'value'])) });
  if (a.positionals.length > 0) throw usage(`worker takes no positional arguments (got ${a.positionals[0]})`);
  const raw: Record<string, unknown> = {
    redis: str(a, 'redis'),
    passwordEnv: str(a, 'password-env'),
    queues: str(a, 'queues')
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    name: str(a, 'name'),
  };
  for (const [flag, field] of Object.entries(INTEGER_FLAGS)) {
    const v = str(a, flag);
    if (v === undefined) continue;
    if (!/^\d+$/.test(v)) throw usage(`--${flag} needs a non-negative integer, not ${JSON.stringify(v)}`);
    raw[field] = Number(v);
  }
  if (raw.redis === undefined) throw usage('worker needs --redis URL');
  const parsed = workerPolicySchema.safeParse(raw);
  if (!parsed.success) throw usage(`worker: ${prettifyIssues(parsed.error.issues).replace(/\n/g, '; ')}`);
  const notice = (line: string): void => void process.stderr.write(`stagebook worker: ${line}\n`);
  const worker = await startUnitWorker(parsed.data, notice);
  return new Promise<number>((resolve) => {
    let signals = 0;
    const stop = (signal: NodeJS.Signals): void => {
      signals += 1;
      if (signals === 1) {
        notice(`${signal}: finishing the units in hand (send it again to hand them back)`);
        void worker.close().then(() => {
          notice('stopped');
          resolve(EXIT.ok);
        });
      } else {
        notice(`${signal}: handing the units in hand back`);
        void worker.close(true).then(() => resolve(signal === 'SIGINT' ? EXIT.interrupted : EXIT.terminated));
      }
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}
