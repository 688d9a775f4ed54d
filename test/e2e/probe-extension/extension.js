// The probe: opens an in-memory SQLite database through better-sqlite3 (the native module the
// real extension ships), lists its rows in a tree, adds rows from a command, and shows a webview
// that asks the host for data through postMessage.
'use strict';
const vscode = require('vscode');
const Database = require('better-sqlite3');

function activate(context) {
  const db = new Database(':memory:');
  db.exec('create table items (label text not null)');
  const sqlite = db.prepare('select sqlite_version() as v').get().v;
  db.prepare('insert into items (label) values (?)').run(`sqlite ${sqlite}`);
  db.prepare('insert into items (label) values (?)').run(`node ${process.version}`);

  const changed = new vscode.EventEmitter();
  const tree = {
    onDidChangeTreeData: changed.event,
    getTreeItem: (label) => new vscode.TreeItem(label),
    getChildren: () => db.prepare('select label from items order by rowid').all().map((r) => r.label),
  };
  context.subscriptions.push(vscode.window.registerTreeDataProvider('probe.items', tree));

  context.subscriptions.push(
    vscode.commands.registerCommand('probe.addItem', () => {
      const n = db.prepare('select count(*) as n from items').get().n;
      db.prepare('insert into items (label) values (?)').run(`item ${n + 1}`);
      changed.fire();
    }),
  );

  context.subscriptions.push(
    vscode.commands.registerCommand('probe.openPanel', () => {
      const panel = vscode.window.createWebviewPanel('probe.panel', 'Probe Panel', vscode.ViewColumn.One, { enableScripts: true });
      const nonce = Math.random().toString(36).slice(2);
      panel.webview.html = `<!DOCTYPE html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'nonce-${nonce}'; style-src 'unsafe-inline'">
</head><body><h1 id="title">Probe panel</h1><p id="reply">waiting for the host</p>
<script nonce="${nonce}">
const api = acquireVsCodeApi();
window.addEventListener('message', (e) => { document.getElementById('reply').textContent = 'host says: ' + e.data.text; });
api.postMessage({ type: 'ready' });
</script></body></html>`;
      panel.webview.onDidReceiveMessage((m) => {
        if (m && m.type === 'ready') {
          const count = db.prepare('select count(*) as n from items').get().n;
          panel.webview.postMessage({ text: `${count} items in sqlite ${sqlite}` });
        }
      });
    }),
  );

  const status = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 100);
  status.text = '$(beaker) Probe ready';
  status.show();
  context.subscriptions.push(status, { dispose: () => db.close() });
}

module.exports = { activate, deactivate() {} };
