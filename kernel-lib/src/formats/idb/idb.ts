/**
 * An instrument database (IDB) in the SCOS-2000 MIB layout, stored as SQLite (STIX's IDB is
 * distributed that way and read by `stixcore/idb/idb.py`). It answers: which packet definition
 * (PID, by service/subtype/APID and the SSID at the PIC position) a packet has, the parameters it
 * holds (fixed positions from PLF, or a variable layout from VPD with repeat counters), each
 * parameter's encoding (PCF_PTC/PCF_PFC) and its calibration (CUR -> CAF/CAP or TXF/TXP).
 *
 * Supported MIB features (anything else is E_STIX_IDB naming the table and row, when the packet is
 * first used):
 * - PCF_PTC 1 (bit), 2 (enumerated, PFC bits), 3/4 (unsigned/signed; PFC 0..12 = 4..16 bits, 13 = 24, 14 = 32),
 *   5 (PFC 1 float32, PFC 2 float64); PCF_NATUR 'R' (raw) only; PCF_CATEG 'N' or 'S';
 * - numerical calibrations CAF/CAP with CAF_RADIX 'D'; textual TXF/TXP with integer raw format;
 *   CUR selection by another parameter's raw value; no MCF (polynomial) or LGF (logarithmic);
 * - PLF with PLF_NBOCC <= 1; VPD with VPD_GRPSIZE repeat counters (nesting allowed), no
 *   VPD_FIXREP, VPD_CHOICE, VPD_PIDREF or VPD_OFFSET.
 */
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { StagebookError } from '../../errors/stagebook-error';
import type { Calibration } from './calibrate';

/** How a parameter is encoded. */
export interface ParameterDef {
  name: string;
  descr: string;
  unit: string;
  bits: number;
  type: 'unsigned' | 'signed' | 'float';
  categ: 'N' | 'S';
  curtx: string | null;
}

/** One entry of a packet layout. */
export interface LayoutItem {
  param: ParameterDef;
  /** Fixed packets: absolute bit offset in the packet. */
  bitOffset?: number;
  /** Variable packets: number of following items repeated `value` times (0 = plain parameter). */
  groupSize?: number;
}

/** A packet definition. */
export interface PacketDef {
  spid: number;
  descr: string;
  service: number;
  subtype: number;
  apid: number;
  ssid?: number;
  layout: 'fixed' | 'variable';
  items: LayoutItem[];
}

type Row = Record<string, string | number | null>;

function unsupported(table: string, row: string, why: string): never {
  throw new StagebookError(
    'E_STIX_IDB',
    `IDB table ${table} row ${row}: ${why} (not supported by stagebook; see docs/stix.md)`,
    { where: 'Idb', field: `${table}:${row}` },
  );
}

/** Bits of a PTC/PFC pair (ECSS/SCOS-2000 ICD parameter type codes). */
export function encodingOf(ptc: number, pfc: number, row: string): Pick<ParameterDef, 'bits' | 'type'> {
  if (ptc === 1 && pfc === 0) return { bits: 1, type: 'unsigned' };
  if (ptc === 2 && pfc >= 1 && pfc <= 32) return { bits: pfc, type: 'unsigned' };
  if (ptc === 3 || ptc === 4) {
    const bits = pfc <= 12 ? pfc + 4 : pfc === 13 ? 24 : pfc === 14 ? 32 : 0;
    if (pfc >= 0 && bits > 0) return { bits, type: ptc === 3 ? 'unsigned' : 'signed' };
  }
  if (ptc === 5 && (pfc === 1 || pfc === 2)) return { bits: pfc === 1 ? 32 : 64, type: 'float' };
  return unsupported('PCF', row, `PCF_PTC ${ptc} with PCF_PFC ${pfc}`);
}

/** An open IDB (all reads go through SQLite; packet definitions are cached). */
export class Idb {
  readonly version: string;
  private readonly db: Database.Database;
  private readonly packets = new Map<string, PacketDef>();
  private readonly params = new Map<string, ParameterDef>();
  private readonly cals = new Map<string, Calibration>();
  private readonly curs = new Map<string, Row[]>();

  private constructor(readonly file: string) {
    if (!existsSync(file))
      throw new StagebookError('E_FILE_NOT_FOUND', `Idb.open: ${file} does not exist`, { where: 'Idb.open', file });
    this.db = new Database(file, { readonly: true, fileMustExist: true });
    const v = this.tryGet('SELECT VERSION FROM IDB_VERSION LIMIT 1') as { VERSION: string } | undefined;
    this.version = v?.VERSION ?? 'unknown';
  }

  /** Opens an IDB SQLite file read-only. */
  static open(file: string): Idb {
    return new Idb(file);
  }

  close(): void {
    this.db.close();
  }

  private tryGet(sql: string, ...args: unknown[]): unknown {
    try {
      return this.db.prepare(sql).get(...args);
    } catch {
      return undefined;
    }
  }

  private all(sql: string, ...args: unknown[]): Row[] {
    return this.db.prepare(sql).all(...args) as Row[];
  }

  /** The definition of a packet with this service/subtype/APID/SSID (E_STIX_IDB when unknown). */
  packetDef(service: number, subtype: number, apid: number, ssid?: number): PacketDef {
    const key = `${service}:${subtype}:${apid}:${ssid ?? ''}`;
    const cached = this.packets.get(key);
    if (cached) return cached;
    const pids = this.all(
      'SELECT * FROM PID WHERE PID_TYPE = ? AND PID_STYPE = ? AND PID_APID = ?',
      service,
      subtype,
      apid,
    );
    const pid = pids.find((p) => ssid === undefined || Number(p.PID_PI1_VAL) === ssid);
    if (!pid) {
      throw new StagebookError(
        'E_STIX_IDB',
        `IDB ${this.file}: no PID row for service ${service}, subtype ${subtype}, APID ${apid}${ssid === undefined ? '' : `, SSID ${ssid}`}`,
        { where: 'Idb.packetDef', file: this.file },
      );
    }
    const spid = Number(pid.PID_SPID);
    const tpsd = Number(pid.PID_TPSD ?? -1);
    const def: PacketDef = {
      spid,
      descr: String(pid.PID_DESCR ?? ''),
      service,
      subtype,
      apid,
      ssid,
      layout: tpsd === -1 ? 'fixed' : 'variable',
      items: tpsd === -1 ? this.fixedLayout(spid) : this.variableLayout(tpsd),
    };
    this.packets.set(key, def);
    return def;
  }

  private fixedLayout(spid: number): LayoutItem[] {
    return this.all('SELECT * FROM PLF WHERE PLF_SPID = ? ORDER BY PLF_OFFBY, PLF_OFFBI', spid).map((r) => {
      const row = `${r.PLF_NAME}/${spid}`;
      if (Number(r.PLF_NBOCC ?? 1) > 1)
        unsupported('PLF', row, `PLF_NBOCC ${r.PLF_NBOCC} (super-commutated parameters)`);
      return { param: this.param(String(r.PLF_NAME)), bitOffset: Number(r.PLF_OFFBY) * 8 + Number(r.PLF_OFFBI ?? 0) };
    });
  }

  private variableLayout(tpsd: number): LayoutItem[] {
    return this.all('SELECT * FROM VPD WHERE VPD_TPSD = ? ORDER BY VPD_POS', tpsd).map((r) => {
      const row = `${tpsd}/${r.VPD_POS}`;
      if (Number(r.VPD_FIXREP ?? 0) !== 0) unsupported('VPD', row, `VPD_FIXREP ${r.VPD_FIXREP}`);
      if ((r.VPD_CHOICE ?? 'N') === 'Y') unsupported('VPD', row, 'VPD_CHOICE Y (deduced parameter layout)');
      if ((r.VPD_PIDREF ?? 'N') === 'Y') unsupported('VPD', row, 'VPD_PIDREF Y');
      if (Number(r.VPD_OFFSET ?? 0) !== 0) unsupported('VPD', row, `VPD_OFFSET ${r.VPD_OFFSET}`);
      return { param: this.param(String(r.VPD_NAME)), groupSize: Number(r.VPD_GRPSIZE ?? 0) };
    });
  }

  /** The PCF definition of a parameter. */
  param(name: string): ParameterDef {
    const cached = this.params.get(name);
    if (cached) return cached;
    const r = this.db.prepare('SELECT * FROM PCF WHERE PCF_NAME = ?').get(name) as Row | undefined;
    if (!r)
      throw new StagebookError('E_STIX_IDB', `IDB ${this.file}: parameter ${name} has no PCF row`, {
        where: 'Idb.param',
        field: name,
      });
    const natur = String(r.PCF_NATUR ?? 'R');
    if (natur !== 'R') unsupported('PCF', name, `PCF_NATUR ${natur} (only raw parameters)`);
    const categ = String(r.PCF_CATEG ?? 'N');
    if (categ !== 'N' && categ !== 'S') unsupported('PCF', name, `PCF_CATEG ${categ}`);
    const def: ParameterDef = {
      name,
      descr: String(r.PCF_DESCR ?? ''),
      unit: String(r.PCF_UNIT ?? ''),
      categ,
      curtx: r.PCF_CURTX === null || r.PCF_CURTX === undefined || r.PCF_CURTX === '' ? null : String(r.PCF_CURTX),
      ...encodingOf(Number(r.PCF_PTC), Number(r.PCF_PFC), name),
    };
    this.params.set(name, def);
    return def;
  }

  /**
   * The calibration of `param` for one packet, given the raw values decoded from it (CUR rows pick
   * a curve by another parameter's value; else PCF_CURTX). Undefined when the parameter is raw.
   */
  calibrationOf(param: ParameterDef, rawOf: (name: string) => number | undefined): Calibration | undefined {
    let id = param.curtx;
    const cur = this.curRows(param.name);
    for (const c of cur) {
      const v = rawOf(String(c.CUR_RLCHK));
      if (v === undefined)
        unsupported('CUR', `${param.name}/${c.CUR_POS}`, `CUR_RLCHK ${c.CUR_RLCHK} is not in the same packet`);
      if (v === Number(c.CUR_VALPAR)) {
        id = String(c.CUR_SELECT);
        break;
      }
    }
    if (id === null) return undefined;
    return param.categ === 'S' ? this.textual(id, param.name) : this.numerical(id, param.name);
  }

  /** CUR rows of a parameter (cached: calibration runs once per value). */
  private curRows(name: string): Row[] {
    let rows = this.curs.get(name);
    if (!rows) {
      rows = this.all('SELECT * FROM CUR WHERE CUR_PNAME = ? ORDER BY CUR_POS', name);
      this.curs.set(name, rows);
    }
    return rows;
  }

  private numerical(id: string, pname: string): Calibration {
    const key = `N:${id}`;
    const cached = this.cals.get(key);
    if (cached) return cached;
    const caf = this.db.prepare('SELECT * FROM CAF WHERE CAF_NUMBR = ?').get(id) as Row | undefined;
    if (!caf)
      unsupported(
        'PCF',
        pname,
        `calibration ${id} is not a CAF curve (MCF polynomial and LGF logarithmic calibrations are not supported)`,
      );
    if ((caf.CAF_RADIX ?? 'D') !== 'D') unsupported('CAF', id, `CAF_RADIX ${caf.CAF_RADIX} (decimal only)`);
    const inter = String(caf.CAF_INTER ?? 'F');
    if (inter !== 'P' && inter !== 'F') unsupported('CAF', id, `CAF_INTER ${inter}`);
    const pts = this.all('SELECT * FROM CAP WHERE CAP_NUMBR = ? ORDER BY CAST(CAP_XVALS AS REAL)', id);
    if (pts.length === 0 || (caf.CAF_NCURVE !== null && Number(caf.CAF_NCURVE) !== pts.length)) {
      unsupported('CAF', id, `CAF_NCURVE ${caf.CAF_NCURVE} but ${pts.length} CAP rows`);
    }
    const cal: Calibration = {
      kind: 'numerical',
      id,
      unit: String(caf.CAF_UNIT ?? ''),
      xs: pts.map((p) => Number(p.CAP_XVALS)),
      ys: pts.map((p) => Number(p.CAP_YVALS)),
      extrapolate: inter === 'P',
    };
    this.cals.set(key, cal);
    return cal;
  }

  private textual(id: string, pname: string): Calibration {
    const key = `S:${id}`;
    const cached = this.cals.get(key);
    if (cached) return cached;
    const txf = this.db.prepare('SELECT * FROM TXF WHERE TXF_NUMBR = ?').get(id) as Row | undefined;
    if (!txf) unsupported('PCF', pname, `textual calibration ${id} has no TXF row`);
    if (String(txf.TXF_RAWFMT ?? 'U') === 'R') unsupported('TXF', id, 'TXF_RAWFMT R (real-valued ranges)');
    const ranges = this.all('SELECT * FROM TXP WHERE TXP_NUMBR = ? ORDER BY CAST(TXP_FROM AS INTEGER)', id).map(
      (r) => ({ from: Number(r.TXP_FROM), to: Number(r.TXP_TO), text: String(r.TXP_ALTXT) }),
    );
    const cal: Calibration = { kind: 'textual', id, ranges };
    this.cals.set(key, cal);
    return cal;
  }
}
