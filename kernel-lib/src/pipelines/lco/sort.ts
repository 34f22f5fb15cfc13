/**
 * Sorting frames into reduction datasets, as microlensing_photometry's data_download.py does:
 * instrument class from the INSTRUME substring (fl|fa -> sinistro, ep -> muscat, sq -> qhy imagers;
 * en -> floyds, ghts_red/ghts_blue -> goodman spectrographs); imagers go to
 * `<reduction_dir>/<target>/<class>/<FILTER>`, spectrographs to `<reduction_dir>/<target>/<class>/<DAY-OBS without '-'>`.
 * Fixed on purpose: the seed set the class 'FLOYDS' but tested 'floyds', so FLOYDS frames raised
 * IOError; here every class is one lower-case name used in both places.
 * Also here: `.fz` decompression with stagebook's own FITS code (no funpack) and the dataset's
 * reduction_config.yaml template.
 */
import { promises as fsp } from 'node:fs';
import { stringify } from 'yaml';
import { openFits } from '../../formats/fits/file';
import { writeFits } from '../../formats/fits/write';
import type { FitsHeader } from '../../formats/fits/header';
import { sanitizeSegment } from '../../acquisition/names';
import { StagebookError } from '../../errors/stagebook-error';
import { parseYaml } from '../../config/loader';

/** An instrument class and whether it is a spectrograph. */
export interface InstrumentClass {
  name: 'sinistro' | 'muscat' | 'qhy' | 'floyds' | 'goodman';
  spectrograph: boolean;
}

/** Instrument class of an INSTRUME value (undefined when unknown). */
export function instrumentClass(instrume: string): InstrumentClass | undefined {
  const i = instrume.toLowerCase();
  if (i.includes('ghts_red') || i.includes('ghts_blue')) return { name: 'goodman', spectrograph: true };
  if (i.includes('fl') || i.includes('fa')) return { name: 'sinistro', spectrograph: false };
  if (i.includes('ep')) return { name: 'muscat', spectrograph: false };
  if (i.includes('sq')) return { name: 'qhy', spectrograph: false };
  if (i.includes('en')) return { name: 'floyds', spectrograph: true };
  return undefined;
}

/** A path segment safe for directory names (target names such as `OGLE-2025-BLG-0042`): `sanitizeSegment`. */
export function safeSegment(s: string): string {
  return sanitizeSegment(s);
}

/** Header facts used for sorting. */
export interface FrameFacts {
  object: string;
  instrume: string;
  filter: string;
  dayObs: string;
  ra?: string;
  dec?: string;
}

/** Dataset directory (relative to the reduction dir) of a frame. */
export function datasetDir(f: FrameFacts): string {
  const cls = instrumentClass(f.instrume);
  if (!cls)
    throw new StagebookError(
      'E_LCO_INSTRUMENT',
      `datasetDir: unknown instrument ${JSON.stringify(f.instrume)} (expected fl/fa, ep, sq, en or ghts_red/ghts_blue)`,
      { where: 'datasetDir', field: 'INSTRUME' },
    );
  const sub = cls.spectrograph ? f.dayObs.replace(/-/g, '') : f.filter;
  return `${safeSegment(f.object)}/${cls.name}/${safeSegment(sub)}`;
}

function factsOf(h: FitsHeader): FrameFacts {
  const str = (k: string): string => {
    const v = h.get(k);
    return v === undefined || v === null ? '' : String(v);
  };
  return {
    object: str('OBJECT'),
    instrume: str('INSTRUME'),
    filter: str('FILTER'),
    dayObs: str('DAY-OBS') || str('DATE-OBS').slice(0, 10),
    ra: str('RA') || undefined,
    dec: str('DEC') || undefined,
  };
}

/** Header facts of a `.fits` or `.fits.fz` file (the image header, for compressed files). */
export function readFrameFacts(file: string): FrameFacts {
  const f = openFits(file);
  const hdus = f.hdus();
  const img = hdus.find((h) => h.kind === 'compressed-image') ?? hdus[0];
  return factsOf(img.header);
}

/**
 * Decompresses a tile-compressed `.fits.fz` into a plain FITS at `out` (what funpack does: the
 * compressed image becomes the primary HDU with its own header). Returns the image header facts.
 */
export function decompressFz(src: string, out: string): FrameFacts {
  const f = openFits(src);
  const hdu = f.hdus().find((h) => h.kind === 'compressed-image');
  if (!hdu)
    throw new StagebookError('E_FORMAT', `decompressFz: ${src} has no tile-compressed image HDU`, {
      where: 'decompressFz',
      file: src,
    });
  const image = hdu.readImage();
  const header = hdu.header;
  writeFits(out, [{ data: image.data, shape: image.shape, header }], { overwrite: true });
  return factsOf(header);
}

/** The built-in reduction config template (microlensing_photometry example_reduction_configuration.yaml shape). */
export const DEFAULT_REDUCTION_TEMPLATE = {
  target: { name: '', RA: '', Dec: '' },
  photometry: { aperture_arcsec: 4.0, reference_image: null },
  tom: { upload: false, config_file: null, data_label: null },
};

/** The reduction_config.yaml text for a dataset: the template with target name/RA/Dec filled in. */
export async function reductionConfigText(templateFile: string | undefined, facts: FrameFacts): Promise<string> {
  let tpl: Record<string, unknown> = structuredClone(DEFAULT_REDUCTION_TEMPLATE);
  if (templateFile) {
    const text = await fsp.readFile(templateFile, 'utf8');
    tpl = (parseYaml(text, templateFile).value ?? {}) as Record<string, unknown>;
  }
  const target = (typeof tpl.target === 'object' && tpl.target !== null ? tpl.target : {}) as Record<string, unknown>;
  tpl.target = { ...target, name: facts.object, RA: facts.ra ?? '', Dec: facts.dec ?? '' };
  return `# written by stagebook lco-data-management; edit freely, it is never overwritten\n${stringify(tpl)}`;
}
