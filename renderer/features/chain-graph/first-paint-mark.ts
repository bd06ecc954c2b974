/** performance.mark name set the first time the graph paints fetched entries: `npm run bench` reads it. */
export const FIRST_PAINT_MARK = 'theater:graph-first-paint';
