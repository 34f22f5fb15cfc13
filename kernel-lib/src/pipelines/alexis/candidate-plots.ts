/**
 * Vega-Lite specs of notebook 03 (ALEXIS stage 4, steps 1-7): the candidates on a registered image
 * with the temporal clusters of every channel and the four integration boxes, and the per-candidate
 * light curves (region flux on the 1-min XRS grid, min-max normalised) against GOES XRS. Pure
 * functions: rows in, spec out (rendered with showVegaLite, PNG twin included).
 */
import type { Candidate, ResampledImgRow, TemporalCluster } from './candidate-files';
import type { CleanedImage } from './clean-types';
import { imageDataUri } from './plots';

type Spec = Record<string, unknown>;

/** Candidates (orange rings, numbered), temporal clusters (small dots by channel), boxes (squares) on the image. */
export function candidatesImageSpec(input: {
  title: string;
  img: CleanedImage;
  temporal: readonly TemporalCluster[];
  candidates: readonly Candidate[];
  /** Box side lengths in arcsec drawn around each candidate (ALEXIS: 150, 100, 80, 50). */
  boxesArcsec: readonly number[];
  target?: { x: number; y: number };
}): Spec {
  const { uri, extent } = imageDataUri(input.img, 256);
  const x = { field: 'x', type: 'quantitative', scale: { domain: [extent[0], extent[1]] }, title: 'x (arcsec)' };
  const y = { field: 'y', type: 'quantitative', scale: { domain: [extent[2], extent[3]] }, title: 'y (arcsec)' };
  const boxes = input.candidates.flatMap((c) =>
    input.boxesArcsec.map((s) => ({
      x: c.x_hpc - s / 2,
      x2: c.x_hpc + s / 2,
      y: c.y_hpc - s / 2,
      y2: c.y_hpc + s / 2,
      box: `${s}"`,
    })),
  );
  return {
    title: input.title,
    width: 380,
    height: 380,
    layer: [
      {
        data: { values: [{ url: uri, x: extent[0], x2: extent[1], y: extent[3], y2: extent[2] }] },
        mark: { type: 'image', aspect: false },
        encoding: { url: { field: 'url', type: 'nominal' }, x, x2: { field: 'x2' }, y, y2: { field: 'y2' } },
      },
      {
        data: { values: boxes },
        mark: { type: 'rect', filled: false, stroke: 'white', strokeWidth: 0.8, opacity: 0.8 },
        encoding: { x, x2: { field: 'x2' }, y, y2: { field: 'y2' } },
      },
      {
        data: {
          values: input.temporal.map((t) => ({
            x: t.hpc_x,
            y: t.hpc_y,
            channel: `${t.instrument} ${t.wavelength}`,
            votes: t.vote_ratio,
          })),
        },
        mark: { type: 'point', filled: true, size: 30 },
        encoding: {
          x,
          y,
          color: { field: 'channel', type: 'nominal', title: 'temporal cluster', scale: { scheme: 'tableau10' } },
          tooltip: [{ field: 'channel' }, { field: 'votes', type: 'quantitative', format: '.2f' }],
        },
      },
      {
        data: {
          values: input.candidates.map((c) => ({
            x: c.x_hpc,
            y: c.y_hpc,
            label: `cluster ${c.label}`,
            votes: c.num_votes,
          })),
        },
        layer: [
          {
            mark: { type: 'point', color: 'orange', size: 260, strokeWidth: 2.5 },
            encoding: { x, y, tooltip: [{ field: 'label' }, { field: 'votes' }] },
          },
          {
            mark: { type: 'text', color: 'orange', dx: 16, dy: -12, fontSize: 12, fontWeight: 'bold' },
            encoding: { x, y, text: { field: 'label' } },
          },
        ],
      },
      ...(input.target
        ? [
            {
              data: { values: [{ ...input.target, what: 'injected flare' }] },
              mark: { type: 'point', shape: 'cross', color: 'deepskyblue', size: 140, strokeWidth: 2 },
              encoding: { x, y, tooltip: [{ field: 'what' }] },
            },
          ]
        : []),
    ],
  };
}

const norm = (v: number[]): number[] => {
  const lo = Math.min(...v);
  const hi = Math.max(...v);
  return v.map((x) => (hi > lo ? (x - lo) / (hi - lo) : 0));
};

/** Rows of a light-curve chart: per panel and series, time and min-max normalised value. */
export interface CurvePoint {
  panel: string;
  series: string;
  time: string;
  value: number;
}

/**
 * Light curves of one image channel: a panel per candidate, a line per zoom, and the XRS channel
 * (dashed) on the same 1-min grid, each min-max normalised over the panel's time span.
 */
export function candidateCurves(
  rows: readonly ResampledImgRow[],
  channel: { instrument: string; wavelength: string },
  xrsWavelength = 'B',
): CurvePoint[] {
  const sel = rows.filter(
    (r) =>
      r.img_instrument === channel.instrument &&
      r.img_wavelength === channel.wavelength &&
      r.xrs_wavelength === xrsWavelength,
  );
  const out: CurvePoint[] = [];
  for (const label of [...new Set(sel.map((r) => r.final_cluster_label))].sort((a, b) => a - b)) {
    const panel = `cluster ${label}`;
    const mine = sel.filter((r) => r.final_cluster_label === label);
    for (const size of [...new Set(mine.map((r) => r.bbox_linear_size_arcsec))].sort((a, b) => b - a)) {
      const s = mine
        .filter((r) => r.bbox_linear_size_arcsec === size)
        .sort((a, b) => a.resampled_time_stamp - b.resampled_time_stamp);
      norm(s.map((r) => r.img_resampled_value_cluster)).forEach((v, i) =>
        out.push({ panel, series: `${size}" box`, time: s[i].resampled_date_time, value: v }),
      );
      if (size === Math.max(...mine.map((r) => r.bbox_linear_size_arcsec)))
        norm(s.map((r) => r.xrs_resampled_data)).forEach((v, i) =>
          out.push({ panel, series: `XRS ${xrsWavelength}`, time: s[i].resampled_date_time, value: v }),
        );
    }
  }
  return out;
}

/** All channels of one candidate at one zoom against XRS (panel = the candidate). */
export function channelCurves(
  rows: readonly ResampledImgRow[],
  label: number,
  sizeArcsec: number,
  xrsWavelength = 'B',
): CurvePoint[] {
  const sel = rows.filter(
    (r) =>
      r.final_cluster_label === label && r.bbox_linear_size_arcsec === sizeArcsec && r.xrs_wavelength === xrsWavelength,
  );
  const out: CurvePoint[] = [];
  const channels = [...new Set(sel.map((r) => `${r.img_instrument} ${r.img_wavelength}`))].sort();
  for (const ch of channels) {
    const s = sel
      .filter((r) => `${r.img_instrument} ${r.img_wavelength}` === ch)
      .sort((a, b) => a.resampled_time_stamp - b.resampled_time_stamp);
    norm(s.map((r) => r.img_resampled_value_cluster)).forEach((v, i) =>
      out.push({ panel: `cluster ${label}, ${sizeArcsec}" box`, series: ch, time: s[i].resampled_date_time, value: v }),
    );
  }
  const xs = sel
    .filter((r) => `${r.img_instrument} ${r.img_wavelength}` === channels[0])
    .sort((a, b) => a.resampled_time_stamp - b.resampled_time_stamp);
  norm(xs.map((r) => r.xrs_resampled_data)).forEach((v, i) =>
    out.push({
      panel: `cluster ${label}, ${sizeArcsec}" box`,
      series: `XRS ${xrsWavelength}`,
      time: xs[i].resampled_date_time,
      value: v,
    }),
  );
  return out;
}

/** Faceted line chart of curve points (XRS dashed and black). */
export function curvesSpec(points: readonly CurvePoint[], title: string, columns = 3): Spec {
  const series = [...new Set(points.map((p) => p.series))];
  const xrs = series.filter((s) => s.startsWith('XRS'));
  const other = series.filter((s) => !s.startsWith('XRS'));
  const palette = ['#4c78a8', '#f58518', '#54a24b', '#e45756', '#72b7b2', '#b279a2', '#ff9da6', '#9d755d', '#bab0ac'];
  return {
    title,
    data: { values: points },
    facet: { field: 'panel', type: 'nominal', title: null },
    columns,
    spec: {
      width: 260,
      height: 170,
      mark: { type: 'line', strokeWidth: 1.6 },
      encoding: {
        x: { field: 'time', type: 'temporal', title: 'UTC', axis: { format: '%H:%M' } },
        y: { field: 'value', type: 'quantitative', title: 'normalised flux' },
        color: {
          field: 'series',
          type: 'nominal',
          title: null,
          scale: { domain: [...other, ...xrs], range: [...palette.slice(0, other.length), ...xrs.map(() => 'black')] },
        },
        strokeDash: { condition: { test: "indexof(datum.series, 'XRS') === 0", value: [5, 3] }, value: [1, 0] },
      },
    },
  };
}
