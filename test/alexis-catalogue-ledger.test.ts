/**
 * Provenance of the ALEXIS catalogue (issue 14 item 6): after a reprocessing that bumped the report
 * stage for one flare, `stagebook ledger query --stage hek-report --version-lt 2` lists exactly the
 * flares still processed by the old version, and their catalogue rows name the run and versions.
 */
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadStagebookConfig } from '../kernel-lib/src/config/schema';
import { definePipeline } from '../kernel-lib/src/engine/pipeline';
import { runPipeline } from '../kernel-lib/src/engine/runner';
import type { AnyStage } from '../kernel-lib/src/engine/stage';
import { FIXTURE_DIR, writeCatalogueFixture } from '../kernel-lib/src/pipelines/alexis/catalogue-fixture.test-util';
import { flareStages } from '../kernel-lib/src/pipelines/alexis/flare-stages';
import { CATALOGUE_LEVELS, lassoStages } from '../kernel-lib/src/pipelines/alexis/lasso-stages';
import type { ReportRow } from '../kernel-lib/src/pipelines/alexis/flare-steps';
import { cli } from './support/engine-fixtures';

const OTHER_DIR = FIXTURE_DIR.replace('T10_00_00_00', 'T10_00_30_00');

function pipelineWithReportVersion(version: number) {
  const stages: AnyStage[] = [...lassoStages(), ...flareStages({ 'hek-report': version })];
  return definePipeline({ name: 'alexis-catalogue', levels: CATALOGUE_LEVELS, stages });
}

describe('ALEXIS catalogue provenance', () => {
  it('finds every flare whose report was made by a stage version below N', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'alexis-prov-'));
    const root = path.join(dir, 'ws');
    await writeCatalogueFixture(root);
    await writeCatalogueFixture(root, OTHER_DIR);
    const yaml = path.join(dir, 'stagebook.yaml');
    writeFileSync(yaml, 'root: ws\ninputs:\n  dir: .\n  pattern: "**/resampled_img_df_v3.csv"\n');
    const { config } = loadStagebookConfig(yaml);
    const v1 = await runPipeline(pipelineWithReportVersion(1), config);
    expect(v1.status).toBe('succeeded');
    // Reprocess one flare with report version 2.
    const v2 = await runPipeline(pipelineWithReportVersion(2), config, { filter: `${OTHER_DIR}/*` });
    expect(v2.status).toBe('succeeded');
    expect(v2.stages['hek-report']?.succeeded).toBe(1);

    const q = cli(['ledger', 'query', '--config', yaml, '--stage', 'hek-report', '--version-lt', '2', '--json'], dir);
    expect(q.code, q.stderr).toBe(0);
    const rows = JSON.parse(q.stdout) as Array<{ path: string; version: number }>;
    const reports = rows.filter((r) => r.path.endsWith('first_hek_report_v4.json'));
    expect(reports.map((r) => path.basename(path.dirname(r.path)))).toEqual([path.basename(FIXTURE_DIR)]);
    expect(reports[0].version).toBe(1);

    const text = cli(['ledger', 'query', '--config', yaml, '--stage', 'hek-report', '--version-lt', '3'], dir);
    expect(text.stdout).toMatch(/v1 .*T10_00_00_00\.working\/first_hek_report_v4\.json/);
    expect(text.stdout).toMatch(/v2 .*T10_00_30_00\.working\/first_hek_report_v4\.json/);

    const catalogue = JSON.parse(
      readFileSync(path.join(root, 'data_products', 'alexis_catalogue.json'), 'utf8'),
    ) as ReportRow[];
    const alexis = catalogue.filter((r) => r.id_team === 'ALEXIS');
    const old = alexis.find((r) => r.working_dir === path.basename(FIXTURE_DIR)) as ReportRow;
    const fresh = alexis.find((r) => r.working_dir === path.basename(OTHER_DIR)) as ReportRow;
    expect([old.run_id, old.stage_versions?.['hek-report']]).toEqual([v1.runId, 1]);
    expect([fresh.run_id, fresh.stage_versions?.['hek-report']]).toEqual([v2.runId, 2]);
  }, 180_000);
});
