'use strict';
// Native dynamic import for ESM-only packages (vega, vega-lite) from this CommonJS library.
// TypeScript rewrites `import()` to `require()` under module=commonjs, hence `new Function`; it lives
// in a plain .js file loaded by Node's own require so the function gets Node's import callback even
// when the calling TypeScript module was evaluated by a test runner's vm (vitest).
module.exports = new Function('s', 'return import(s)');
