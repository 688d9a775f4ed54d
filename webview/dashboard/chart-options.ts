// The options every dashboard chart shares: theme colours and font, no animation (a live update
// must not flicker), the legend below, one tooltip for all datasets at an index. Each chart adds
// its own scales and says how a tooltip value reads.

import type { ChartType, TooltipItem } from 'chart.js';
import type { ThemeColors } from '../shared/theme';

export function baseChartOptions<T extends ChartType>(c: ThemeColors, label: (item: TooltipItem<T>) => string) {
  const font = { family: c.fontFamily };
  return {
    animation: false as const,
    responsive: true,
    maintainAspectRatio: false,
    color: c.foreground,
    font,
    interaction: { mode: 'index' as const, intersect: false },
    plugins: {
      legend: { position: 'bottom' as const, labels: { color: c.foreground, boxWidth: 12, font } },
      tooltip: { callbacks: { label } },
    },
  };
}
