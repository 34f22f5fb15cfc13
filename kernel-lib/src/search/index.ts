// The embedded dataset search index (replaces Globus Search / Pilot on a site without them).
export { SearchIndex, flatten as flattenSearchFields } from './search-index';
export type { FieldType, IngestWarning, SearchHit, SearchOptions } from './search-index';
export { parseQuery } from './query';
export type { QueryNode } from './query';
