// Public API of the signals kernels (see README.md, 'Numeric API').
export {};
