import { afterAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isStagebookError, type StagebookErrorCode } from '../../errors/stagebook-error';
import {
  IMM_HEADER_BYTES,
  decodeImmHeader,
  readImm,
  readImmHeaders,
  readImmSparse,
  streamImm,
  writeImm,
} from './index';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-imm-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Deterministic sparse-ish counts (LCG), [T, H, W]. */
function synth(t: number, h: number, w: number, seed = 1): Uint16Array {
  const out = new Uint16Array(t * h * w);
  let s = seed >>> 0;
  for (let i = 0; i < out.length; i++) {
    s = (Math.imul(1664525, s) + 1013904223) >>> 0;
    out[i] = s % 5 === 0 ? (s >>> 16) % 1000 : 0;
  }
  return out;
}

async function expectStagebookError(p: Promise<unknown>, code: StagebookErrorCode): Promise<Record<string, unknown>> {
  try {
    await p;
  } catch (e) {
    expect(isStagebookError(e, code), String(e)).toBe(true);
    return (e as { context: Record<string, unknown> }).context;
  }
  throw new Error(`expected ${code}`);
}

describe('IMM write/read round trip', () => {
  for (const compression of ['dense', 'sparse'] as const) {
    it(`${compression}: readImm returns the written stack and per-frame headers`, async () => {
      const data = synth(6, 5, 7);
      const file = path.join(dir, `rt-${compression}.imm`);
      const elapsed = [0.5, 1.5, 2.5, 3.5, 4.5, 5.5];
      await writeImm(file, { data, shape: [6, 5, 7] }, { compression, elapsed, corecotick: [10, 20, 30, 40, 50, 60] });
      const got = await readImm(file);
      expect(got.frames.shape).toEqual([6, 5, 7]);
      expect(Array.from(got.frames.data)).toEqual(Array.from(data));
      expect(got.sparse).toBe(compression === 'sparse');
      expect(got.headers.map((h) => h.elapsed)).toEqual(elapsed);
      expect(got.headers.map((h) => h.corecotick)).toEqual([10, 20, 30, 40, 50, 60]);
      expect(got.headers.map((h) => h.number)).toEqual([0, 1, 2, 3, 4, 5]);
      expect(got.headers.every((h) => h.rows === 5 && h.cols === 7 && h.immversion === 12)).toBe(true);
      const nonzero = (t: number) => data.subarray(t * 35, (t + 1) * 35).filter((v) => v !== 0).length;
      expect(got.headers.map((h) => h.dlen)).toEqual(
        [0, 1, 2, 3, 4, 5].map((t) => (compression === 'sparse' ? nonzero(t) : 35)),
      );
    });
  }

  it('sparse frames take 6 bytes per nonzero pixel, dense 2 per pixel', async () => {
    const data = new Uint16Array(2 * 4 * 4);
    data[3] = 9;
    data[16 + 15] = 7;
    const s = path.join(dir, 'size-s.imm');
    const d = path.join(dir, 'size-d.imm');
    await writeImm(s, { data, shape: [2, 4, 4] }, { compression: 'sparse' });
    await writeImm(d, { data, shape: [2, 4, 4] });
    expect(fs.statSync(s).size).toBe(2 * IMM_HEADER_BYTES + 2 * 6);
    expect(fs.statSync(d).size).toBe(2 * IMM_HEADER_BYTES + 2 * 16 * 2);
    const bytes = fs.readFileSync(s);
    expect(bytes.readInt32LE(4)).toBe(6); // compression at offset 4
    expect(bytes.readUInt32LE(152)).toBe(1); // dlen at offset 152
    expect(bytes.readUInt32LE(IMM_HEADER_BYTES)).toBe(3); // first index
    expect(bytes.readUInt16LE(IMM_HEADER_BYTES + 4)).toBe(9); // then its value
  });

  it('selects a frame range', async () => {
    const data = synth(8, 3, 3, 5);
    const file = path.join(dir, 'sel.imm');
    await writeImm(file, { data, shape: [8, 3, 3] }, { compression: 'sparse' });
    const got = await readImm(file, { first: 2, count: 3 });
    expect(got.frames.shape).toEqual([3, 3, 3]);
    expect(Array.from(got.frames.data)).toEqual(Array.from(data.subarray(18, 45)));
    await expectStagebookError(readImm(file, { first: 7, count: 2 }), 'E_INVALID_ARGUMENT');
  });

  it('readImmSparse gives CSR lists equal to the nonzero pixels', async () => {
    const data = synth(4, 6, 6, 9);
    for (const compression of ['dense', 'sparse'] as const) {
      const file = path.join(dir, `csr-${compression}.imm`);
      await writeImm(file, { data, shape: [4, 6, 6] }, { compression });
      const sp = await readImmSparse(file);
      expect(sp.shape).toEqual([4, 6, 6]);
      const rebuilt = new Uint16Array(data.length);
      for (let t = 0; t < 4; t++)
        for (let k = sp.ptr[t]; k < sp.ptr[t + 1]; k++) rebuilt[t * 36 + sp.indices[k]] = sp.values[k];
      expect(Array.from(rebuilt)).toEqual(Array.from(data));
      expect(sp.values.every((v) => v !== 0)).toBe(true);
    }
  });

  it('streamImm yields frames one by one with headers (dense and sparse views)', async () => {
    const data = synth(5, 4, 3, 2);
    const file = path.join(dir, 'stream.imm');
    await writeImm(file, { data, shape: [5, 4, 3] }, { compression: 'sparse', elapsed: [1, 2, 3, 4, 5] });
    const seen: number[] = [];
    for await (const fr of streamImm(file, { first: 1 })) {
      seen.push(fr.index);
      expect(Array.from(fr.dense!)).toEqual(Array.from(data.subarray(fr.index * 12, fr.index * 12 + 12)));
      expect(fr.header.elapsed).toBe(fr.index + 1);
    }
    expect(seen).toEqual([1, 2, 3, 4]);
    const sparse = [];
    for await (const fr of streamImm(file, { as: 'sparse', count: 2 })) sparse.push(fr.sparse!);
    expect(sparse.length).toBe(2);
    expect(Array.from(sparse[1].values)).toEqual(Array.from(data.subarray(12, 24)).filter((v) => v !== 0));
  });

  it('readImmHeaders reports each frame offset', async () => {
    const data = synth(3, 2, 2, 4);
    const file = path.join(dir, 'hdr.imm');
    await writeImm(file, { data, shape: [3, 2, 2] });
    const hs = await readImmHeaders(file);
    expect(hs.map((h) => h.offset)).toEqual([0, 1032, 2064]);
    expect(decodeImmHeader(fs.readFileSync(file), 1032).number).toBe(1);
  });
});

describe('IMM corrupt input', () => {
  it('truncated payload names file, frame and byte offset', async () => {
    const file = path.join(dir, 'trunc.imm');
    await writeImm(file, { data: synth(3, 4, 4), shape: [3, 4, 4] });
    fs.truncateSync(file, 2 * (1024 + 32) + 1024 + 10);
    const ctx = await expectStagebookError(readImm(file), 'E_TRUNCATED');
    expect(ctx).toMatchObject({ file, frame: 2, offset: 2 * 1056 + 1024 });
  });

  it('truncated header is reported by the stream when it gets there', async () => {
    const file = path.join(dir, 'trunc-h.imm');
    await writeImm(file, { data: synth(2, 4, 4), shape: [2, 4, 4] });
    fs.appendFileSync(file, Buffer.alloc(100));
    const it = streamImm(file);
    expect((await it.next()).value?.index).toBe(0);
    expect((await it.next()).value?.index).toBe(1);
    const e = await it.next().then(
      () => null,
      (x) => x,
    );
    expect(isStagebookError(e, 'E_TRUNCATED')).toBe(true);
    expect(e.context).toMatchObject({ frame: 2, offset: 2112 });
  });

  it('out-of-frame sparse index is E_FORMAT at the index byte offset', async () => {
    const data = new Uint16Array(9);
    data[4] = 1;
    const file = path.join(dir, 'badidx.imm');
    await writeImm(file, { data, shape: [1, 3, 3] }, { compression: 'sparse' });
    const b = fs.readFileSync(file);
    b.writeUInt32LE(99, 1024);
    fs.writeFileSync(file, b);
    const ctx = await expectStagebookError(readImm(file), 'E_FORMAT');
    expect(ctx).toMatchObject({ frame: 0, offset: 1024 });
    await expectStagebookError(readImmSparse(file), 'E_FORMAT');
  });

  it('a zero-length file is E_FORMAT for every reader, not an empty stack (issue 22 item 13)', async () => {
    const file = path.join(dir, 'empty.imm');
    fs.writeFileSync(file, Buffer.alloc(0));
    expect(await expectStagebookError(readImm(file), 'E_FORMAT')).toMatchObject({ file, offset: 0, size: 0 });
    await expectStagebookError(readImmSparse(file), 'E_FORMAT');
    await expectStagebookError(readImmHeaders(file), 'E_FORMAT');
    await expectStagebookError(streamImm(file).next(), 'E_FORMAT');
  });

  it('a non-IMM file fails on its first header', async () => {
    const file = path.join(dir, 'garbage.imm');
    fs.writeFileSync(file, Buffer.alloc(2048, 0xff));
    const ctx = await expectStagebookError(readImm(file), 'E_FORMAT');
    expect(ctx).toMatchObject({ frame: 0, offset: 0 });
  });

  it('a missing file is E_FILE_NOT_FOUND', async () => {
    await expectStagebookError(readImm(path.join(dir, 'nope.imm')), 'E_FILE_NOT_FOUND');
  });

  it('failing halfway leaves no file and no temp file', async () => {
    const file = path.join(dir, 'half.imm');
    const header = (t: number) => {
      if (t === 2) throw new Error('disk full (simulated)');
      return {};
    };
    await expectStagebookError(
      writeImm(file, { data: synth(4, 2, 2), shape: [4, 2, 2] }, { header }),
      'E_WRITE_FAILED',
    );
    expect(fs.existsSync(file)).toBe(false);
    expect(fs.readdirSync(dir).filter((n) => n.includes('half.imm'))).toEqual([]);
  });

  it('rejects values that IMM cannot store', async () => {
    const file = path.join(dir, 'neg.imm');
    await expectStagebookError(
      writeImm(file, { data: Float64Array.of(1, -2, 3, 4), shape: [1, 2, 2] }),
      'E_INVALID_ARGUMENT',
    );
    expect(fs.existsSync(file)).toBe(false);
  });
});

describe('readImm into a caller buffer', () => {
  it('fills the given buffer, clearing stale pixels of sparse frames', async () => {
    const data = synth(3, 4, 4, 8);
    const file = path.join(dir, 'into.imm');
    await writeImm(file, { data, shape: [3, 4, 4] }, { compression: 'sparse' });
    const buf = new Uint16Array(60).fill(7);
    const got = await readImm(file, { into: buf });
    expect(got.frames.data.buffer).toBe(buf.buffer);
    expect(Array.from(got.frames.data)).toEqual(Array.from(data));
    expect(buf[59]).toBe(7); // beyond the stack: untouched
    await expectStagebookError(readImm(file, { into: new Uint16Array(10) }), 'E_INVALID_ARGUMENT');
  });
});
