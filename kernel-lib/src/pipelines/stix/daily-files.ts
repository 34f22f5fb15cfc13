/**
 * Writing daily L1/L2 files with the `U` rule: a file whose rows are all covered by the
 * definitive time correlation gets the complete name and absorbs the rows of an earlier `U` file of
 * the same day, which is then removed (the ledger marks it deleted after the run, see
 * `reconcileRemovedFiles`); a file with any predicted-only row gets the `U` name and merges with the
 * existing `U` and complete files. Existing files are always merged into, never overwritten.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import type { StageContext } from '../../engine/stage';
import type { FitsCardInput } from '../../formats/fits/header';
import { existingProduct, mergedList, type ProductTables } from './fits-product';
import { mergeProductTables } from './lb-to-l0';
import { completeFileName, incompleteFileName } from './products';
import { writeProduct } from './fits-product';

/** Writes `tables` as the daily (or science) product `completeName` in `dir`, merging and applying the U rule. */
export function writeWithCompleteness(
  ctx: StageContext<unknown>,
  dir: string,
  completeName: string,
  incomplete: boolean,
  tables: ProductTables,
  header: (filename: string, parents: { raw: string[]; parent: string[] }) => FitsCardInput[],
  newParents: { raw: string[]; parent: string[] },
  product: string,
): string {
  const complete = path.join(dir, completeFileName(completeName));
  const uFile = path.join(dir, incompleteFileName(completeFileName(completeName)));
  const target = incomplete ? uFile : complete;
  let merged = { tables, added: 0, duplicates: 0 };
  let raw = newParents.raw;
  let parent = newParents.parent;
  const absorbed: string[] = [];
  for (const f of [target, incomplete ? complete : uFile]) {
    const ex = existingProduct(f);
    if (!ex) continue;
    merged = mergeProductTables(ex.tables, merged.tables);
    raw = mergedList(ex.header, 'RAW_FILE', raw);
    parent = mergedList(ex.header, 'PARENT', parent);
    if (f !== target) absorbed.push(f);
  }
  const name = path.basename(target);
  writeProduct(ctx.output(target, { product }), header(name, { raw, parent }), merged.tables);
  // The U file's rows are now in the complete file: remove it (STIXCore renames U files at publish).
  if (!incomplete) {
    for (const f of absorbed) {
      rmSync(f, { force: true });
      ctx.log.info(`${path.basename(f)}: replaced by the complete file ${name}`);
    }
  }
  ctx.log.info(
    `${name}: ${merged.duplicates} duplicate row(s) dropped${incomplete ? ' (incomplete: predicted time correlation only)' : ''}`,
  );
  return target;
}
