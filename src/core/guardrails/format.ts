/** Number formats for violation messages; fixed to en-US so messages read the same on every machine. */

const countFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
// Two decimals for ordinary amounts, up to four so that tiny costs do not all read "$0.00".
const usdFormat = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 4 });
const secondsFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 3 });

/** 12480 → "12,480" */
export const formatCount = (n: number): string => countFormat.format(n);

/** 0.52 → "$0.52", 0.0031 → "$0.0031" */
export const formatUsd = (usd: number): string => `$${usdFormat.format(usd)}`;

/** 850 → "850ms", 65200 → "65.2s" */
export const formatDuration = (ms: number): string =>
  ms < 1000 ? `${countFormat.format(ms)}ms` : `${secondsFormat.format(ms / 1000)}s`;

/** ['a', 'b'] → "a, b" */
export const formatList = (items: readonly string[]): string => items.join(', ');
