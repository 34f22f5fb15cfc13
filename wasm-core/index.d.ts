/** Directory holding the compiled modules. */
export declare const buildDir: string;
/** Absolute path of build/<family>.wasm. */
export declare function wasmPath(family: string): string;
/** Names of the compiled families present in build/. */
export declare function families(): string[];
