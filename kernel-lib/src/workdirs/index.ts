export * from './confine';
export * from './atomic';
export * from './naming';
export * from './move';
