// Pagination against a hostile archive (issue 22 item 1): the local archive's `next-loop` and
// `wrong-count` faults. The listing is followed until `next` is null, de-duplicated by id; a loop,
// a page without new records or the page cap end the query with E_ARCHIVE_PAGINATION.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LcoArchiveClient } from '../kernel-lib/src/archives';
import { resolveSecret } from '../kernel-lib/src/config/secrets';
import { StagebookError } from '../kernel-lib/src/errors/stagebook-error';
import { startLocalArchive, type LocalArchive } from '../kernel-lib/src/local-archive';

const TOKEN = 'tok-pagination-0a1b2c3d4e5f';
const PROPOSAL = 'KEY2025-004';
let archive: LocalArchive;
let expectedIds: number[];

beforeAll(async () => {
  archive = await startLocalArchive({ token: TOKEN, synthetic: { nights: 3, framesPerNight: 4 } });
  expectedIds = archive.frames
    .filter((f) => f.record.proposal_id === PROPOSAL)
    .map((f) => f.record.id)
    .sort((a, b) => a - b);
});
afterAll(async () => archive.close());

function client(maxPages?: number): LcoArchiveClient {
  return new LcoArchiveClient({
    url: archive.url,
    token: resolveSecret('T', { T: TOKEN }),
    name: 'LCO',
    pageSize: 5,
    maxPages,
    policy: { retry: { baseDelayMs: 1, maxDelayMs: 5 } },
  });
}

async function paginationError(c: LcoArchiveClient): Promise<StagebookError> {
  const e = await c.searchFrames({ proposalId: PROPOSAL }).then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(StagebookError);
  return e as StagebookError;
}

describe('pagination against a hostile archive', () => {
  it('a clean listing: every frame once, several pages, no warning', async () => {
    archive.setFaults([]);
    expect(expectedIds.length).toBeGreaterThan(10);
    const r = await client().queryFrames({ proposalId: PROPOSAL });
    expect(r.records.map((f) => f.id as number).sort((a, b) => a - b)).toEqual(expectedIds);
    expect(r.pages).toBe(Math.ceil(expectedIds.length / 5));
    expect(r.warnings).toEqual([]);
  });

  it('a count lower than the truth does not stop the listing early; the mismatch is a warning', async () => {
    archive.setFaults([{ kind: 'wrong-count', countDelta: -(expectedIds.length - 3) }]);
    expect((await client().searchFrames({ proposalId: PROPOSAL })).length).toBe(expectedIds.length);
    const r = await client().queryFrames({ proposalId: PROPOSAL });
    expect(r.records.map((f) => f.id as number).sort((a, b) => a - b)).toEqual(expectedIds);
    expect(r.warnings).toEqual([
      `archive LCO proposal ${PROPOSAL}: the archive's count says 3 records, the pages held ${expectedIds.length} distinct ones`,
    ]);
  });

  it('an inflated count: every frame, and the mismatch is a warning', async () => {
    archive.setFaults([{ kind: 'wrong-count' }]);
    const r = await client().queryFrames({ proposalId: PROPOSAL });
    expect(r.records).toHaveLength(expectedIds.length);
    expect(r.count).toBe(expectedIds.length + 1000);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatch(/count says \d+ records/);
  });

  for (const loop of ['first', 'self'] as const) {
    it(`a 'next' that points back (${loop}) ends the query with E_ARCHIVE_PAGINATION naming archive, proposal and page`, async () => {
      archive.setFaults([{ kind: 'next-loop', loop, fromPage: 1 }]);
      archive.requests.length = 0;
      const e = await paginationError(client());
      expect(e.code).toBe('E_ARCHIVE_PAGINATION');
      expect(e.context).toMatchObject({ archive: 'LCO', proposal: PROPOSAL, page: 2 });
      expect(e.message).toMatch(
        new RegExp(`archive LCO proposal ${PROPOSAL}, page 2: 'next' points back to page ${loop === 'first' ? 1 : 2}`),
      );
      expect(archive.count(/^\/frames\/$/)).toBe(2); // stopped at once, not after maxPages pages
    });
  }

  it("a 'next' that is always a new URL but repeats the records ends with E_ARCHIVE_PAGINATION", async () => {
    archive.setFaults([{ kind: 'next-loop', loop: 'stale', fromPage: 1 }]);
    archive.requests.length = 0;
    const e = await paginationError(client());
    expect(e.code).toBe('E_ARCHIVE_PAGINATION');
    expect(e.message).toMatch(/page 3: the page adds no new record \(all 5 already read\)/);
    expect(archive.count(/^\/frames\/$/)).toBe(3);
  });

  it('the page cap reached with a next left is an error, not a short list', async () => {
    archive.setFaults([]);
    const e = await paginationError(client(2));
    expect(e.code).toBe('E_ARCHIVE_PAGINATION');
    expect(e.context).toMatchObject({ archive: 'LCO', proposal: PROPOSAL, page: 3, field: 'maxPages' });
  });
});
