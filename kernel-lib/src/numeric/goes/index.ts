export { goesClass, formatPython3g } from './goes-class';
export type { GoesClass, GoesClassOptions, GoesLetter } from './goes-class';
