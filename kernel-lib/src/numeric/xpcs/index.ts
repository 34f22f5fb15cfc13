// Public API of the xpcs kernels (see README.md, 'Numeric API').
export {};
