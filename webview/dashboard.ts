// Entry of the dashboard's webview bundle: wiring only (chart.js is bundled by esbuild).
import type { DashboardHostToWebview, DashboardPersistedState, DashboardState, DashboardWebviewToHost } from '../src/protocol/webview';
import { connect, readInitialState } from './shared/connection';
import { BarChart } from './dashboard/charts';
import { SeriesChart } from './dashboard/series-chart';
import { mountDashboard } from './dashboard/view';

const connection = connect<DashboardWebviewToHost, DashboardHostToWebview, DashboardPersistedState>();
mountDashboard(document.getElementById('app')!, {
  endpoint: connection.endpoint,
  initial: readInitialState<DashboardState>(),
  persist: connection.persist,
  createChart: (canvas, kind, colors) => new BarChart(canvas, kind, colors),
  createSeriesChart: (canvas, _kind, colors) => new SeriesChart(canvas, colors),
});
connection.start();
