// Build-time stand-in (see package.json). Only @jupyterlab/notebook's testutils import it.
export declare function createMarkdownParser(...args: unknown[]): unknown;
