/** Vessel library: particulars, hydrostatics and tank tables of a ship, imported, validated, versioned. Pure, no I/O. */
export * from './assemble.js';
export * from './ballast-level.js';
export * from './density-basis.js';
export * from './errors.js';
export * from './grid.js';
export * from './import-csv.js';
export * from './interpolate.js';
export * from './record.js';
export * from './schema.js';
export * from './tank-table.js';
export * from './to-case.js';
