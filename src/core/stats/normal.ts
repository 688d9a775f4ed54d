// The standard normal distribution, as the tests here need it. The CDF comes from
// simple-statistics' error function (max error ~1e-7); its probit is only good to ~3 decimals, so
// the two quantiles used for 95% intervals and 80% power are fixed constants.

import { errorFunction } from 'simple-statistics';

/** z for a two-sided 95% interval. */
export const Z_95 = 1.959963984540054;
/** z for 80% power. */
export const Z_POWER_80 = 0.8416212335729143;

export function normalCdf(z: number): number {
  return 0.5 * (1 + errorFunction(z / Math.SQRT2));
}

/** Two-sided p-value of a z statistic. */
export function twoSidedP(z: number): number {
  return Math.min(1, 2 * (1 - normalCdf(Math.abs(z))));
}
