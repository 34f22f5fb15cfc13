export { boxSums, ALEXIS_BOX_HALF_WIDTHS } from './box-sums';
export type { BoxImage } from './box-sums';
