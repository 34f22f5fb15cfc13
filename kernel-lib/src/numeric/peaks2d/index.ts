// Public API of the peaks2d kernels (see README.md, 'Numeric API').
export {};
