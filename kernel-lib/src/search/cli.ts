/** `stagebook search QUERY --config CFG [--limit N] [--sort KEY|-KEY] [--fields a,b] [--json]` */
import { parseArgs, required, str, usage } from '../cli/args';
import { StagebookError } from '../errors/stagebook-error';
import { loadFlowConfig } from '../flows/config';
import { SearchIndex } from './search-index';

export const SEARCH_HELP = `usage: stagebook search QUERY --config CFG [--limit N] [--sort KEY|-KEY] [--fields A,B] [--json]
  QUERY: key:value, key:"text", key < 10, key:[1 TO 5], free words or "phrases", AND / OR / NOT, ( )
`;

export async function searchCommand(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(SEARCH_HELP);
    return 0;
  }
  const a = parseArgs(argv, { config: 'value', limit: 'value', sort: 'value', fields: 'value', json: 'flag' });
  if (a.positionals.length !== 1) throw usage('search needs exactly one query (quote it)');
  const { env } = loadFlowConfig(required(a, 'config'));
  if (!env.searchIndex)
    throw new StagebookError('E_CONFIG_INVALID', 'search: the config has no search.index', { field: 'search.index' });
  const limit = Number(str(a, 'limit') ?? '20');
  const index = SearchIndex.open(env.searchIndex);
  try {
    const hits = index.search(a.positionals[0], { limit, sort: str(a, 'sort') });
    const fields =
      str(a, 'fields')
        ?.split(',')
        .map((f) => f.trim())
        .filter(Boolean) ?? [];
    if (a.options.json) {
      process.stdout.write(JSON.stringify(hits, null, 2) + '\n');
    } else {
      process.stdout.write(
        [
          'SUBJECT' + fields.map((f) => `\t${f}`).join(''),
          ...hits.map((h) => h.subject + fields.map((f) => `\t${JSON.stringify(h.record[f] ?? null)}`).join('')),
        ].join('\n') + '\n',
      );
      process.stderr.write(`${hits.length} result(s)\n`);
    }
    return 0;
  } finally {
    index.close();
  }
}
