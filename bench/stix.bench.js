'use strict';
/**
 * STIX telemetry benchmark: TM XML -> LB -> L0 through the engine (streamed EDDS XML, CCSDS/PUS
 * parsing, LB FITS per type and SCET day, IDB-driven L0 decoding, FITS writing, ledger) on a
 * generated EDDS file of STIX_BENCH_MB megabytes (default 500), next to the floor: reading the
 * same XML and hex-decoding every <Packet> alone, in the same run. Target: within 3x of the floor,
 * memory bounded (peak RSS independent of the file size).
 * Child modes: `node bench/stix.bench.js --child floor|pipeline <dir>`.
 */
const path = require('node:path');
const fs = require('node:fs');
const os = require('node:os');
const { runNode, best, emit, report } = require('./lib/harness');

const ROOT = path.join(__dirname, '..');
const DIST = path.join(ROOT, 'kernel-lib', 'dist');
const MB = Number(process.env.STIX_BENCH_MB || 500);
const START = 700_000_000;

/** Writes the EDDS file day by day (simulator packets, MOC header, hex) until it reaches `bytes`. */
function generate(file, bytes) {
  const testing = require(path.join(DIST, 'testing'));
  const fd = fs.openSync(file, 'w');
  fs.writeSync(
    fd,
    '<?xml version="1.0" encoding="UTF-8"?>\n<ns2:ResponsePart xmlns:ns2="http://edds.egos.esa/model"><Response><PktRawResponse>\n',
  );
  let size = 0;
  let packets = 0;
  for (let day = 0; size < bytes; day++) {
    const pk = testing.simulateStixPackets({
      startScet: START + day * 86_400,
      durationS: 86_400,
      seed: day + 1,
      science: [{ scet: START + day * 86_400 + 3600, rid: 1000 + day, tcSeq: day & 0xffff, samples: 400, packets: 5 }],
    });
    const text = pk
      .map(
        (p) =>
          `<PktRawResponseElement packetID="${packets++}"><Packet>${testing.packetHex(p.bytes, packets)}</Packet></PktRawResponseElement>\n`,
      )
      .join('');
    fs.writeSync(fd, text);
    size += text.length;
  }
  fs.writeSync(fd, '</PktRawResponse></Response></ns2:ResponsePart>\n');
  fs.closeSync(fd);
  return packets;
}

/** The floor: read the XML in 4 MiB chunks and hex-decode every packet (no parsing, no output). */
async function floor(file) {
  let packets = 0;
  let bytes = 0;
  let pending = '';
  for await (const chunk of fs.createReadStream(file, { encoding: 'latin1', highWaterMark: 4 << 20 })) {
    pending += chunk;
    let from = 0;
    for (;;) {
      const a = pending.indexOf('<Packet>', from);
      if (a < 0) break;
      const b = pending.indexOf('</Packet>', a);
      if (b < 0) {
        from = a;
        break;
      }
      bytes += Buffer.from(pending.slice(a + 8, b), 'hex').length;
      packets++;
      from = b + 9;
    }
    pending = pending.slice(from);
  }
  return { packets, bytes };
}

async function child(mode, dir) {
  const tm = fs.readdirSync(path.join(dir, 'ws', 'incoming')).find((f) => f.includes('PktTmRaw'));
  const file = path.join(dir, 'ws', 'incoming', tm);
  if (mode === 'floor') {
    const [seconds, out] = await best(() => floor(file), 1);
    emit({ seconds, packets: out.packets });
    return;
  }
  const { loadStagebookConfig, stix } = require(DIST);
  const { config } = loadStagebookConfig(path.join(dir, 'stix.yaml'));
  fs.rmSync(path.join(dir, 'ws', 'fits'), { recursive: true, force: true });
  fs.rmSync(path.join(dir, 'ws', '.stagebook'), { recursive: true, force: true });
  const [seconds, r] = await best(() => stix.runStix(config, { endLevel: 'L0' }), 1);
  if (r.status !== 'succeeded') throw new Error(`run ${r.status}: ${JSON.stringify(r.failures)}`);
  emit({ seconds, products: r.produced.length });
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-stix-bench-'));
  try {
    const testing = require(path.join(DIST, 'testing'));
    const ws = testing.createStixWorkspace(dir);
    testing.writeTimeCorrelation(ws.tcDir, 'predicted', 1, START - 86_400, START + 2000 * 86_400);
    const file = path.join(ws.incoming, testing.tmFileName(new Date(Date.UTC(2024, 0, 1)), 'bench'));
    const packets = generate(file, MB * 1e6);
    const size = fs.statSync(file).size;
    const label = `${(size / 1e6).toFixed(0)} MB EDDS XML, ${packets} packets`;
    const f = runNode(__filename, ['--child', 'floor', dir]);
    const p = runNode(__filename, ['--child', 'pipeline', dir]);
    if (f.packets !== packets) throw new Error(`floor read ${f.packets} packets, generated ${packets}`);
    const rate = (s) => `${(size / 1e6 / s).toFixed(1)} MB/s, ${Math.round(packets / s)} packets/s`;
    report('stix', [
      {
        kernel: 'TM XML -> LB -> L0 (engine, FITS, ledger)',
        size: label,
        ours_s: p.seconds,
        ref_name: 'read + hex-decode floor (same run)',
        ref_s: f.seconds,
        ours_peak_mb: p.peak_rss_mb,
        ref_peak_mb: f.peak_rss_mb,
        target: '<= 3x floor',
        note: `ours ${rate(p.seconds)}; floor ${rate(f.seconds)}; ${p.products} LB/L0 products`,
      },
    ]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child')
  child(process.argv[3], process.argv[4]).catch((e) => {
    console.error(e);
    process.exit(1);
  });
else
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
