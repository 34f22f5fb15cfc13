/**
 * The catalogue-recovery day (issue 14 item 5) and how a catalogue is scored against it: six flares,
 * B to X class, two overlapping in time in different active regions, one beside the bright
 * non-flaring region at (180", 120"), one inside a gap of AIA 171. A flare is recovered by an
 * ALEXIS row with its peak within 1 minute, its position within 50", the class letter right and
 * the magnitude within 10 %; an ALEXIS row matching no flare in time and position is spurious.
 */
import { goesClassFlux, type FlareInput } from './scene';

const t = (hms: string): string => `2011-02-08T${hms}Z`;

export const RECOVERY_FLARES: FlareInput[] = [
  { start: t('02:50:00'), peak: t('03:00:00'), end: t('03:25:00'), x: 520, y: -210, goesClass: 'X1.2' },
  { start: t('06:52:00'), peak: t('07:00:00'), end: t('07:16:00'), x: -420, y: -300, goesClass: 'B8.0', inHek: false },
  // Overlapping in time (09:55-10:10 and 10:04-10:25), in different active regions.
  { start: t('09:55:00'), peak: t('10:00:00'), end: t('10:10:00'), x: -300, y: -180, goesClass: 'C3.0' },
  { start: t('10:04:00'), peak: t('10:09:00'), end: t('10:25:00'), x: 300, y: 320, goesClass: 'M1.5' },
  // 72" from the bright non-flaring region at (180, 120).
  { start: t('13:53:00'), peak: t('14:00:00'), end: t('14:15:00'), x: 110, y: 100, goesClass: 'C5.0' },
  // Inside the AIA 171 gap.
  { start: t('17:52:00'), peak: t('18:00:00'), end: t('18:18:00'), x: -520, y: 120, goesClass: 'M2.0' },
];

export const RECOVERY_GAPS = [{ instrument: 'aia' as const, channel: '171', start: t('17:45:00'), end: t('18:15:00') }];

/** The catalogue fields the scoring reads (a subset of the HEK-style report row). */
export interface CatalogueEntry {
  id_team: string;
  peak_time: string | null;
  goes_class: string | null;
  hpc_x: number;
  hpc_y: number;
}

export interface FlareScore {
  injected: { peak: string; x: number; y: number; goesClass: string };
  /** The best ALEXIS row meeting every criterion, or null. */
  recovered: CatalogueEntry | null;
  /** The ALEXIS row closest in time (for the comparison table), with its errors. */
  nearest: (CatalogueEntry & { dtSeconds: number; dArcsec: number; magnitudeError: number }) | null;
}

const letterOf = (c: string): string => c.trim()[0].toUpperCase();

/** Scores catalogue rows (ALEXIS's only) against injected flares. */
export function matchCatalogue<R extends CatalogueEntry>(
  flares: FlareInput[],
  rows: R[],
): { flares: FlareScore[]; spurious: R[] } {
  const alexis = rows.filter((r) => r.id_team === 'ALEXIS' && r.peak_time !== null && r.goes_class !== null);
  const facts = (f: FlareInput, r: R) => ({
    dtSeconds: (Date.parse(r.peak_time as string) - Date.parse(f.peak)) / 1000,
    dArcsec: Math.hypot(r.hpc_x - f.x, r.hpc_y - f.y),
    magnitudeError: goesClassFlux(r.goes_class as string) / goesClassFlux(f.goesClass) - 1,
  });
  const scores = flares.map((f): FlareScore => {
    const withFacts = alexis.map((r) => ({ ...r, ...facts(f, r) }));
    const ok = withFacts.filter(
      (r) =>
        Math.abs(r.dtSeconds) <= 60 &&
        r.dArcsec <= 50 &&
        letterOf(r.goes_class as string) === letterOf(f.goesClass) &&
        Math.abs(r.magnitudeError) <= 0.1,
    );
    const nearest = withFacts.reduce<(typeof withFacts)[number] | null>(
      (a, b) => (a === null || Math.abs(b.dtSeconds) + b.dArcsec / 10 < Math.abs(a.dtSeconds) + a.dArcsec / 10 ? b : a),
      null,
    );
    return {
      injected: { peak: f.peak, x: f.x, y: f.y, goesClass: f.goesClass },
      recovered: ok.sort((a, b) => Math.abs(a.dtSeconds) - Math.abs(b.dtSeconds))[0] ?? null,
      nearest,
    };
  });
  const spurious = alexis.filter(
    (r) =>
      !flares.some((f) => {
        const x = facts(f, r);
        return Math.abs(x.dtSeconds) <= 60 && x.dArcsec <= 50;
      }),
  );
  return { flares: scores, spurious };
}
