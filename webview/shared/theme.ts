// Canvas charts cannot use CSS variables, so they read the --vscode-* colours once and again
// whenever the theme changes: VS Code swaps the body class (vscode-light / vscode-dark /
// vscode-high-contrast[-light]) and rewrites the variables in the <html> style attribute.

export interface ThemeColors {
  kind: 'light' | 'dark' | 'high-contrast' | 'high-contrast-light';
  foreground: string;
  muted: string;
  grid: string;
  background: string;
  fontFamily: string;
  /** Series colours from --vscode-charts-*, in a fixed order. */
  series: string[];
  error: string;
}

const SERIES_VARS = ['blue', 'orange', 'green', 'purple', 'yellow', 'red'].map((c) => `--vscode-charts-${c}`);
const SERIES_FALLBACK = ['#3794ff', '#d18616', '#89d185', '#b180d7', '#cca700', '#f14c4c'];

export function themeKind(body: HTMLElement = document.body): ThemeColors['kind'] {
  const c = body.classList;
  if (c.contains('vscode-high-contrast-light')) return 'high-contrast-light';
  if (c.contains('vscode-high-contrast')) return 'high-contrast';
  if (c.contains('vscode-light')) return 'light';
  return 'dark';
}

export function readThemeColors(): ThemeColors {
  // VS Code sets the variables on <html>; read the body's computed value first (it inherits
  // them and may override), then <html>'s own.
  const body = getComputedStyle(document.body);
  const html = getComputedStyle(document.documentElement);
  const v = (name: string, fallback: string) => body.getPropertyValue(name).trim() || html.getPropertyValue(name).trim() || fallback;
  const kind = themeKind();
  const light = kind === 'light' || kind === 'high-contrast-light';
  return {
    kind,
    foreground: v('--vscode-foreground', light ? '#616161' : '#cccccc'),
    muted: v('--vscode-descriptionForeground', light ? '#717171' : '#9d9d9d'),
    grid: v('--vscode-charts-lines', light ? 'rgba(0,0,0,0.15)' : 'rgba(255,255,255,0.15)'),
    background: v('--vscode-editor-background', light ? '#ffffff' : '#1e1e1e'),
    fontFamily: v('--vscode-font-family', 'sans-serif'),
    series: SERIES_VARS.map((name, i) => v(name, SERIES_FALLBACK[i])),
    error: v('--vscode-charts-red', '#f14c4c'),
  };
}

/** Calls `onChange` with fresh colours after each theme change (coalesced); returns a stop function. */
export function watchTheme(onChange: (colors: ThemeColors) => void): () => void {
  let scheduled = false;
  let last = JSON.stringify(readThemeColors());
  const check = () => {
    scheduled = false;
    const colors = readThemeColors();
    const key = JSON.stringify(colors);
    if (key === last) return;
    last = key;
    onChange(colors);
  };
  const observer = new MutationObserver(() => {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(check);
  });
  observer.observe(document.body, { attributes: true, attributeFilter: ['class', 'data-vscode-theme-kind'] });
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
  return () => observer.disconnect();
}
