/**
 * The lines of `npm start`'s banner that programs read: the bench spawns `npm start` and waits for the
 * ready line, then for the banner's last line before it reads the URLs printed between them.
 */
export const readyLine = (seconds: number) => `Tradeflow is ready (${seconds.toFixed(1)} s).`;
export const READY_LINE = /Tradeflow is ready \(([\d.]+) s\)/;
export const END_OF_BANNER = 'Ctrl-C stops everything; npm start -- --fresh starts over with only the demo data.';
