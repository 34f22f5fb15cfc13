// Public API of the peaks1d kernels (see README.md, 'Numeric API').
export {};
