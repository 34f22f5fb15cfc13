/**
 * `stagebook xpcs corr <hdf> --imm F | --rigaku F | --hdf5 F [...]`: XPCS-Eigen's `corr` command
 * line (xpcs-eigen@08486b7 main.cpp flags) over correlateXpcsFile. Results go into <hdf> under the
 * output group, as corr writes them, but atomically (the whole file is rewritten to a temp sibling
 * and renamed: a crash leaves the original file untouched). corr flags stagebook does not take
 * (--ufxc, --transposed, --frame_threading) are usage errors naming them, never ignored.
 */
import { stagebookEvents } from '../events/emitter';
import { correlateXpcsFile } from '../pipelines/xpcs/corr-file';
import { parseArgs, str, usage } from './args';
import { terminalRenderer } from './progress';
import { corrRunConfig, recordCorrRun } from './xpcs-run';

const REFUSED = ['ufxc', 'transposed', 'frame_threading', 'exchange', 'entry'];

function intOption(name: string, v: string | undefined, min: number): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min)
    throw usage(`--${name} needs an integer >= ${min}, got ${JSON.stringify(v)}`);
  return Number(v);
}

export async function xpcsCorrCommand(argv: string[]): Promise<number> {
  for (const a of argv) {
    const name = a.startsWith('--') ? a.slice(2).split('=')[0] : '';
    if (REFUSED.includes(name)) throw usage(`xpcs corr: --${name} is a corr flag stagebook does not support`);
  }
  const a = parseArgs(argv, {
    imm: 'value',
    rigaku: 'value',
    hdf5: 'value',
    g2out: 'flag',
    darkout: 'flag',
    frameout: 'value',
    inpath: 'value',
    outpath: 'value',
    nexus: 'flag',
    output: 'value',
    compat: 'value',
    stream: 'flag',
    'memory-mb': 'value',
    threads: 'value',
    fits: 'flag',
    quiet: 'flag',
    plots: 'flag',
    config: 'value',
  });
  if (a.positionals.length !== 1) throw usage('xpcs corr needs exactly one HDF5 configuration file');
  if (a.options.plots && a.options.nexus)
    throw usage('--plots draws from the legacy /exchange layout; it cannot be combined with --nexus');
  const compat = str(a, 'compat');
  if (compat !== undefined && compat !== 'xpcs-eigen' && compat !== 'none')
    throw usage(`--compat must be xpcs-eigen or none, got ${JSON.stringify(compat)}`);
  const memory = intOption('memory-mb', str(a, 'memory-mb'), 1);
  if (memory !== undefined && !a.options.stream) throw usage('--memory-mb needs --stream');
  const threads = intOption('threads', str(a, 'threads'), 1);
  if (threads !== undefined && !a.options.stream) throw usage('--threads needs --stream');
  const hdf = a.positionals[0];
  const say = (m: string) => (a.options.quiet ? undefined : process.stderr.write(`xpcs corr: ${m}\n`));
  say(`${hdf}: reading the configuration (${str(a, 'inpath') ?? '/xpcs'}) and correlating`);
  const t0 = Date.now();
  const opts = {
    imm: str(a, 'imm'),
    rigaku: str(a, 'rigaku'),
    hdf5: str(a, 'hdf5'),
    g2out: a.options.g2out === true,
    darkout: a.options.darkout === true,
    frameout: intOption('frameout', str(a, 'frameout'), 0),
    inpath: str(a, 'inpath'),
    outpath: str(a, 'outpath'),
    layout: a.options.nexus ? ('nexus' as const) : ('legacy' as const),
    output: str(a, 'output'),
    compat: compat as 'xpcs-eigen' | 'none' | undefined,
    fits: a.options.fits === true,
  };
  const memoryBudgetBytes = memory === undefined ? undefined : memory * 2 ** 20;
  // The run is recorded in the engine ledger (cli/xpcs-run.ts); progress goes to the terminal renderer.
  const config = corrRunConfig(a, hdf);
  const unsubscribe = a.options.quiet
    ? () => undefined
    : stagebookEvents.subscribe(
        terminalRenderer(process.stderr, Boolean(process.stderr.isTTY) && !process.env.CI, false),
      );
  try {
    const { runId } = await recordCorrRun(
      config,
      hdf,
      { ...opts, stream: a.options.stream === true, memoryBudgetBytes, threads, plots: a.options.plots === true },
      async (ctx) => {
        const onPass = (pass: number, passes: number) =>
          ctx.progress(pass, passes, `pass ${pass} of ${passes} over the frames`);
        const r = await correlateXpcsFile(hdf, {
          ...opts,
          stream: a.options.stream ? { memoryBudgetBytes, onPass, threads } : undefined,
        });
        const written = r.output ? [r.output] : [];
        if (a.options.plots) {
          const { writeXpcsPortalPngs } = await import('../pipelines/xpcs/portal-plots');
          const files = await writeXpcsPortalPngs(r.output!, { outputData: str(a, 'outpath') ?? r.config.outputData });
          written.push(...files);
          say(`${files.length} portal plots beside ${r.output}`);
        }
        say(
          `${r.result.frames} frames from ${r.frameFile}, ${r.result.dynamicBins.length} q bins, ${r.result.settings.analysisType}; wrote ${r.output} in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
        );
        return written;
      },
    );
    say(`run ${runId} recorded in ${config.ledger}`);
  } finally {
    unsubscribe();
  }
  return 0;
}

/**
 * `stagebook xpcs <subcommand>`. Errors go to the binary's one exit-code table (errors/exit-codes.ts):
 * a missing frame file is 6, a malformed one 7, a refused configuration field 3.
 */
export async function xpcsCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'corr') return xpcsCorrCommand(rest);
  // automate / crawl: the XPCS flow (pipelines/xpcs-flow, docs/xpcs-flow.md)
  if (sub === 'automate' || sub === 'crawl')
    return (await import('../pipelines/xpcs-flow/cli')).xpcsFlowCommand(sub, rest);
  throw usage(`xpcs: unknown subcommand ${sub ?? '(none)'} (corr, automate, crawl)`);
}
