// Budget projection: what a period will have cost at its end if spending goes on at the recent
// rate. The rate is the spend of the last `rateWindowMs` (an hour), whatever period it fell in,
// so a runaway loop shows within minutes and a single call just after midnight does not project
// a day of spending from five minutes of data.

export interface BudgetInput {
  budgetUsd: number;
  /** Spent since the period started. */
  spentUsd: number;
  /** Spent in the last rateWindowMs. */
  recentUsd: number;
  rateWindowMs: number;
  now: number;
  periodEnd: number;
}

export type BudgetStatus = 'ok' | 'projected' | 'crossed';

export interface BudgetProjection {
  status: BudgetStatus;
  projectedUsd: number;
  /** USD per hour at the recent rate. */
  ratePerHour: number;
  /** When the budget is reached at the recent rate (epoch ms), null when not before the period ends or already crossed. */
  crossesAt: number | null;
}

export function projectBudget(b: BudgetInput): BudgetProjection {
  const rate = b.rateWindowMs > 0 ? Math.max(0, b.recentUsd) / b.rateWindowMs : 0;
  const remaining = Math.max(0, b.periodEnd - b.now);
  const projectedUsd = b.spentUsd + rate * remaining;
  let status: BudgetStatus = 'ok';
  let crossesAt: number | null = null;
  if (b.spentUsd >= b.budgetUsd) status = 'crossed';
  else if (projectedUsd >= b.budgetUsd) {
    status = 'projected';
    crossesAt = b.now + (b.budgetUsd - b.spentUsd) / rate;
  }
  return { status, projectedUsd, ratePerHour: rate * 3_600_000, crossesAt };
}
