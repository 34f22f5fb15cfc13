/**
 * The value of a FITS `DATE` card (file creation time, FITS 4.0 section 4.4.2.1: `YYYY-MM-DDThh:mm:ss[.sss]`
 * UTC). Products that carry one (STIX, after stixcore) would differ byte for byte between two runs of the same
 * inputs; a fixed value is used only when asked, through the reproducible-builds convention
 * `SOURCE_DATE_EPOCH` (seconds since 1970, https://reproducible-builds.org/specs/source-date-epoch/), which
 * `stagebook notebook run` records and `reproduce` passes on (docs/reproducibility.md).
 */
import { StagebookError } from '../../errors/stagebook-error';

/** `DATE` for a file written now: SOURCE_DATE_EPOCH when set, else the wall clock (milliseconds kept). */
export function fitsCreationDate(env: NodeJS.ProcessEnv = process.env, now: () => Date = () => new Date()): string {
  const epoch = env.SOURCE_DATE_EPOCH;
  if (epoch === undefined || epoch === '') return now().toISOString().slice(0, 23);
  if (!/^\d{1,12}$/.test(epoch)) {
    throw new StagebookError(
      'E_INVALID_ARGUMENT',
      `fitsCreationDate: SOURCE_DATE_EPOCH: expected whole seconds since 1970-01-01, got ${JSON.stringify(epoch)}`,
      { where: 'fitsCreationDate', field: 'SOURCE_DATE_EPOCH' },
    );
  }
  return new Date(Number(epoch) * 1000).toISOString().slice(0, 23);
}
