/**
 * The small IDB of the simulated STIX packets, in the MIB layout STIX's IDB uses. Three packet
 * types, modelled on STIX's (APID = 91 * 16 + category, as STIX's PID 91):
 * - 3-25-2  housekeeping (fixed layout, PLF): mode (textual TXF), current range, temperature and
 *   voltage (CAF curves), current (CUR picks the CAF by the range), an on-board counter (signed 32);
 * - 21-6-30 quick-look light curves (VPD): integration time (CAF), then N samples x 5 energy bands;
 * - 21-6-21 segmented science (VPD): request id, TC sequence, then N samples of (delta time, counts),
 *   one report spread over several packets (sequence flags first/continuation/last).
 */
import { createMibDatabase, type MibRows } from '../../formats/idb/mib';

export const SIM_APID_HK = 91 * 16 + 4;
export const SIM_APID_SCIENCE = 91 * 16 + 12;
export const SIM_SSID = { hk: 2, ql: 30, sci: 21 } as const;
/** Quick-look energy band edges (keV), as STIX's five QL light-curve bands. */
export const QL_ENERGY_EDGES = [4, 10, 15, 25, 50, 84];

const pcf = (
  name: string,
  descr: string,
  ptc: number,
  pfc: number,
  categ = 'N',
  curtx: string | null = null,
  unit = '',
): Record<string, string | number | null> => ({
  PCF_NAME: name,
  PCF_DESCR: descr,
  PCF_UNIT: unit,
  PCF_PTC: ptc,
  PCF_PFC: pfc,
  PCF_CATEG: categ,
  PCF_NATUR: 'R',
  PCF_CURTX: curtx,
});
const caf = (
  id: string,
  descr: string,
  unit: string,
  xs: number[],
  ys: number[],
  inter = 'F',
): { caf: Record<string, string | number>; cap: Record<string, number | string>[] } => ({
  caf: {
    CAF_NUMBR: id,
    CAF_DESCR: descr,
    CAF_ENGFMT: 'R',
    CAF_RAWFMT: 'U',
    CAF_RADIX: 'D',
    CAF_UNIT: unit,
    CAF_NCURVE: xs.length,
    CAF_INTER: inter,
  },
  cap: xs.map((x, i) => ({ CAP_NUMBR: id, CAP_XVALS: x, CAP_YVALS: ys[i] })),
});

/** The MIB rows of the simulated IDB. */
export function simulatedIdbRows(): MibRows {
  const curves = [
    caf('CIXT0001', 'HK temperature ADC to K', 'K', [0, 4095], [173.15, 373.15]),
    caf('CIXT0002', 'HK voltage ADC to V', 'V', [0, 4095], [0, 5]),
    caf('CIXT0003', 'HK current ADC to mA, low range', 'mA', [0, 4095], [0, 100]),
    caf('CIXT0004', 'HK current ADC to mA, high range', 'mA', [0, 4095], [0, 1000]),
    caf('CIXT0005', 'QL integration time, 0.1 s steps', 's', [0, 255], [0, 25.5], 'P'),
  ];
  const hkPlf: Array<[string, number]> = [
    ['NIX00020', 16],
    ['NIXD0001', 17],
    ['NIXD0002', 18],
    ['NIX00021', 19],
    ['NIX00022', 21],
    ['NIX00023', 23],
    ['NIX00024', 25],
  ];
  const vpd = (tpsd: number, names: Array<[string, number]>): Record<string, string | number>[] =>
    names.map(([n, g], i) => ({
      VPD_TPSD: tpsd,
      VPD_POS: i + 1,
      VPD_NAME: n,
      VPD_GRPSIZE: g,
      VPD_FIXREP: 0,
      VPD_CHOICE: 'N',
      VPD_PIDREF: 'N',
      VPD_OFFSET: 0,
    }));
  return {
    PID: [
      {
        PID_TYPE: 3,
        PID_STYPE: 25,
        PID_APID: SIM_APID_HK,
        PID_PI1_VAL: SIM_SSID.hk,
        PID_PI2_VAL: 0,
        PID_SPID: 54102,
        PID_DESCR: 'STIX HK report - SID 2',
        PID_TPSD: -1,
        PID_DFHSIZE: 10,
      },
      {
        PID_TYPE: 21,
        PID_STYPE: 6,
        PID_APID: SIM_APID_SCIENCE,
        PID_PI1_VAL: SIM_SSID.ql,
        PID_PI2_VAL: 0,
        PID_SPID: 54118,
        PID_DESCR: 'QL light curves',
        PID_TPSD: 54118,
        PID_DFHSIZE: 10,
      },
      {
        PID_TYPE: 21,
        PID_STYPE: 6,
        PID_APID: SIM_APID_SCIENCE,
        PID_PI1_VAL: SIM_SSID.sci,
        PID_PI2_VAL: 0,
        PID_SPID: 54115,
        PID_DESCR: 'Science compact pixel data',
        PID_TPSD: 54115,
        PID_DFHSIZE: 10,
      },
    ],
    PIC: [
      { PIC_TYPE: 3, PIC_STYPE: 25, PIC_PI1_OFF: 16, PIC_PI1_WID: 8, PIC_PI2_OFF: -1, PIC_PI2_WID: 0 },
      { PIC_TYPE: 21, PIC_STYPE: 6, PIC_PI1_OFF: 16, PIC_PI1_WID: 8, PIC_PI2_OFF: -1, PIC_PI2_WID: 0 },
    ],
    PLF: hkPlf.map(([n, off]) => ({ PLF_NAME: n, PLF_SPID: 54102, PLF_OFFBY: off, PLF_OFFBI: 0, PLF_NBOCC: 1 })),
    PCF: [
      pcf('NIX00020', 'SSID', 3, 4),
      pcf('NIXD0001', 'Instrument mode', 3, 4, 'S', 'CIXS0001'),
      pcf('NIXD0002', 'Current range', 3, 4),
      pcf('NIX00021', 'Detector temperature', 3, 12, 'N', 'CIXT0001'),
      pcf('NIX00022', 'Supply voltage', 3, 12, 'N', 'CIXT0002'),
      pcf('NIX00023', 'Supply current', 3, 12, 'N', 'CIXT0003'),
      pcf('NIX00024', 'On-board counter', 4, 14),
      pcf('NIX00030', 'QL integration time', 3, 4, 'N', 'CIXT0005'),
      pcf('NIX00031', 'QL number of samples', 3, 12),
      pcf('NIX00032', 'QL counts, band 1', 3, 14),
      pcf('NIX00033', 'QL counts, band 2', 3, 14),
      pcf('NIX00034', 'QL counts, band 3', 3, 14),
      pcf('NIX00035', 'QL counts, band 4', 3, 14),
      pcf('NIX00036', 'QL counts, band 5', 3, 14),
      pcf('NIX00040', 'Science request id', 3, 14),
      pcf('NIX00041', 'Science TC packet sequence control', 3, 12),
      pcf('NIX00042', 'Science number of samples', 3, 12),
      pcf('NIX00043', 'Science sample duration', 3, 12, 'N', null, 'ms'),
      pcf('NIX00044', 'Science counts', 3, 14),
    ],
    CUR: [
      { CUR_PNAME: 'NIX00023', CUR_POS: 1, CUR_RLCHK: 'NIXD0002', CUR_VALPAR: 0, CUR_SELECT: 'CIXT0003' },
      { CUR_PNAME: 'NIX00023', CUR_POS: 2, CUR_RLCHK: 'NIXD0002', CUR_VALPAR: 1, CUR_SELECT: 'CIXT0004' },
    ],
    CAF: curves.map((c) => c.caf),
    CAP: curves.flatMap((c) => c.cap),
    TXF: [{ TXF_NUMBR: 'CIXS0001', TXF_DESCR: 'Instrument mode', TXF_RAWFMT: 'U', TXF_NALIAS: 3 }],
    TXP: [
      { TXP_NUMBR: 'CIXS0001', TXP_FROM: 0, TXP_TO: 0, TXP_ALTXT: 'SAFE' },
      { TXP_NUMBR: 'CIXS0001', TXP_FROM: 1, TXP_TO: 1, TXP_ALTXT: 'NOMINAL' },
      { TXP_NUMBR: 'CIXS0001', TXP_FROM: 2, TXP_TO: 2, TXP_ALTXT: 'BOOT' },
    ],
    VPD: [
      ...vpd(54118, [
        ['NIX00020', 0],
        ['NIX00030', 0],
        ['NIX00031', 5],
        ['NIX00032', 0],
        ['NIX00033', 0],
        ['NIX00034', 0],
        ['NIX00035', 0],
        ['NIX00036', 0],
      ]),
      ...vpd(54115, [
        ['NIX00020', 0],
        ['NIX00040', 0],
        ['NIX00041', 0],
        ['NIX00042', 2],
        ['NIX00043', 0],
        ['NIX00044', 0],
      ]),
    ],
  };
}

/** Writes the simulated IDB to `file` (SQLite), e.g. `idb/idb_2.26.35.sqlite`. */
export function writeSimulatedIdb(file: string, version = '2.26.35'): void {
  createMibDatabase(file, simulatedIdbRows(), version);
}
