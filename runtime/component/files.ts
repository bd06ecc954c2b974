/** Files of a component's cache folder that the workers read too (they must not import loader.ts, which loads jco). */

/** jco's output as an ES module. */
export const MODULE_FILE = 'component.mjs';
/** The same as a classic script whose value is its `instantiate` (loader.ts `asScript`); absent if it did not fit. */
export const SCRIPT_FILE = 'component.script.js';
