/** Draft survey (水尺计重): pure calculation, no I/O. */
export * from './case-schema.js';
export * from './decimal.js';
export * from './engine.js';
export * from './eos80.js';
export * from './errors.js';
export * from './hydrostatics.js';
export * from './lcf.js';
export * from './marks.js';
export * from './rounding.js';
