// What VS Code's extension-host side of a tree view does when a TreeDataProvider fires
// onDidChangeTreeData, so the benchmark pays the same costs on the host thread: refresh the
// root (or the given elements), call getTreeItem for every child returned, descend into the
// expanded ones, and serialise the items for the RPC to the renderer (ExtHostTreeView does
// that on the host thread). The mock's tree view by itself only records the provider.

import type { TreeViewMock } from '../../test/helpers/vscode-mock';

const EXPANDED = 2; // vscode.TreeItemCollapsibleState.Expanded

export interface TreeViewStats {
  refreshes: number;
  getChildrenCalls: number;
  treeItems: number;
  serializedBytes: number;
  errors: string[];
  /** Rows (tree items) in the last full refresh. */
  lastRows: number;
}

interface Item {
  collapsibleState?: number;
  [k: string]: unknown;
}

export function emulateTreeView(view: TreeViewMock<unknown>): { stats: TreeViewStats; idle(): Promise<void>; dispose(): void } {
  const provider = view.provider;
  const stats: TreeViewStats = { refreshes: 0, getChildrenCalls: 0, treeItems: 0, serializedBytes: 0, errors: [], lastRows: 0 };
  let running: Promise<void> | null = null;
  let pendingRoot = false;
  const pendingElements = new Set<unknown>();

  const render = (el: unknown): Item => {
    const item = provider.getTreeItem(el) as Item;
    stats.treeItems++;
    stats.serializedBytes += JSON.stringify(item).length;
    return item;
  };

  const expand = async (parent: unknown, depth: number): Promise<number> => {
    stats.getChildrenCalls++;
    const children = ((await provider.getChildren(parent)) ?? []) as unknown[];
    let rows = children.length;
    for (const c of children) {
      const item = render(c);
      if (item.collapsibleState === EXPANDED && depth < 4) rows += await expand(c, depth + 1);
    }
    return rows;
  };

  const drain = async () => {
    while (pendingRoot || pendingElements.size > 0) {
      stats.refreshes++;
      if (pendingRoot) {
        pendingRoot = false;
        pendingElements.clear();
        stats.lastRows = await expand(undefined, 0);
      } else {
        const els = [...pendingElements];
        pendingElements.clear();
        for (const el of els) {
          const item = render(el);
          if (item.collapsibleState === EXPANDED) await expand(el, 1);
        }
      }
    }
  };

  const kick = () => {
    if (running) return;
    // VS Code answers on a later turn (the renderer asks back over RPC), never inside fire().
    running = new Promise<void>((resolve) => setImmediate(resolve))
      .then(drain)
      .catch((e: Error) => {
        stats.errors.push(e.message);
      })
      .finally(() => {
        running = null;
        if (pendingRoot || pendingElements.size > 0) kick();
      });
  };

  const sub = provider.onDidChangeTreeData!((e: unknown) => {
    if (e === undefined || e === null) pendingRoot = true;
    else for (const el of Array.isArray(e) ? e : [e]) pendingElements.add(el);
    kick();
  });
  // The view is visible: VS Code asks for the root once at the start.
  pendingRoot = true;
  kick();

  return {
    stats,
    async idle() {
      while (running) await running;
    },
    dispose() {
      sub.dispose();
    },
  };
}
