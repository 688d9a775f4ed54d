// The native Traces tree: time groups (counted by the store) → sessions (one node each, with all
// their traces) → traces → their spans, level by level as in the trace. Reloads the first page of
// the trace list when the collector reports changes (throttled), and refreshes only the rows that
// changed when the tree's shape stayed the same.

import * as vscode from 'vscode';
import type { CollectorEvent } from '../../protocol/api';
import { isLlmCall } from '../../protocol/outline';
import type { ApiClient } from '../connection/api-client';
import {
  callDescription,
  callIcon,
  callLabel,
  bucketRanges,
  callTooltip,
  filterToQuery,
  groupDescription,
  groupTraces,
  isFilterActive,
  sessionDescription,
  sessionLabel,
  spanForest,
  structureKey,
  traceDescription,
  traceLabel,
  traceMarker,
  traceTooltip,
  userFeedback,
  type CallNode,
  type GroupNode,
  type SessionNode,
  type SpanForest,
  type TraceFilter,
  type TraceNode,
  type TraceRow,
} from './trace-tree-model';
import { Throttle } from '../connection/throttle';

export interface InfoNode {
  kind: 'info';
  id: string;
  label: string;
  description?: string;
  icon?: string;
  command?: vscode.Command;
}

export type TracesTreeNode = GroupNode | SessionNode | TraceNode | CallNode | InfoNode;

interface TreeCounts {
  groups: Map<string, { count: number; exact: boolean }>;
  sessions: Map<string, { traces: number; costUsd: number }>;
}

export interface TracesTreeOptions {
  getApi: () => ApiClient | null;
  throttleMs?: number;
  pageSize?: number;
  now?: () => number;
  onError?: (message: string) => void;
}

const CALLS_CACHE_SIZE = 50;
/** Calls whose thumbs are read from their detail when a trace is expanded, at most. */
const MAX_FEEDBACK_LOOKUPS = 25;

function signature(n: TracesTreeNode): string {
  switch (n.kind) {
    case 'trace':
      return JSON.stringify(n.trace);
    case 'group':
      return groupDescription(n);
    case 'session':
      return sessionDescription(n);
    default:
      return '';
  }
}

export class TracesTreeProvider implements vscode.TreeDataProvider<TracesTreeNode>, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<TracesTreeNode | TracesTreeNode[] | undefined>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  private readonly stateEmitter = new vscode.EventEmitter<void>();
  /** Fires after every reload: trace count, filter and message may have changed. */
  readonly onDidReload = this.stateEmitter.event;

  private groups: GroupNode[] = [];
  private traces: TraceRow[] = [];
  private hasMore = false;
  private loaded = false;
  private firstLoad: Promise<void> | null = null;
  private shape = '';
  private readonly nodes = new Map<string, TracesTreeNode>();
  private readonly parents = new Map<string, TracesTreeNode>();
  private readonly calls = new Map<string, Promise<SpanForest>>();
  private filterValue: TraceFilter = {};
  private limit: number;
  private readonly throttle: Throttle;
  private readonly minuteTimer: NodeJS.Timeout;
  /** Shown above the tree (errors, "no match"); undefined shows the welcome view when empty. */
  message: string | undefined;

  constructor(private readonly opts: TracesTreeOptions) {
    this.limit = opts.pageSize ?? 200;
    this.throttle = new Throttle(opts.throttleMs ?? 250, () => this.reload());
    // Traces move from "Last 5 minutes" to "Last hour" as time passes even with no new data.
    this.minuteTimer = setInterval(() => {
      if (this.traces.length > 0) this.throttle.schedule();
    }, 60_000);
  }

  get filter(): TraceFilter {
    return { ...this.filterValue };
  }

  get traceCount(): number {
    return this.traces.length;
  }

  get isLoaded(): boolean {
    return this.loaded;
  }

  /** The traces currently listed (newest first), e.g. for the filter's model/service pickers. */
  get currentTraces(): readonly TraceRow[] {
    return this.traces;
  }

  setFilter(filter: TraceFilter): void {
    this.filterValue = { ...filter };
    this.limit = this.opts.pageSize ?? 200;
    this.throttle.flush();
  }

  /** Reload now (Refresh command, a new collector connection). */
  refresh(): void {
    this.calls.clear();
    this.throttle.flush();
  }

  /** Live updates: throttled reload; cached calls of changed traces are dropped. */
  handleEvent(event: CollectorEvent): void {
    switch (event.type) {
      case 'traces-changed':
      case 'annotations-changed':
        // The collector caps the id list per event; a full list means some may be missing.
        if (event.traceIds.length >= 200) this.calls.clear();
        for (const id of event.traceIds) this.calls.delete(id);
        this.throttle.schedule();
        break;
      case 'cleared':
      case 'hello':
        this.calls.clear();
        this.throttle.flush();
        break;
    }
  }

  showMore(): void {
    this.limit += this.opts.pageSize ?? 200;
    this.throttle.flush();
  }

  /** Loads the first page and works out what changed. Resolves after the tree was told. */
  async reload(): Promise<void> {
    const api = this.opts.getApi();
    let traces: TraceRow[] = [];
    let hasMore = false;
    let message: string | undefined;
    const now = this.opts.now?.() ?? Date.now();
    let counts: Promise<TreeCounts | null> = Promise.resolve(null);
    if (api) {
      try {
        // The groups are counted while the page loads (both are indexed reads).
        const groupCounts = this.groupCounts(api, now).catch(() => null);
        const page = await api.listTraces(filterToQuery(this.filterValue, this.limit));
        traces = page.traces;
        hasMore = page.nextCursor !== null;
        counts = this.sessionCounts(api, traces).then(async (sessions) => ({ groups: (await groupCounts) ?? new Map(), sessions }), () => null);
      } catch (e) {
        message = `Cannot load traces: ${(e as Error).message}`;
        this.opts.onError?.(message);
        traces = this.traces; // keep showing what we had
        hasMore = this.hasMore;
      }
    }
    if (!message && traces.length === 0 && isFilterActive(this.filterValue)) message = 'No traces match the filter.';
    this.apply(traces, hasMore, message, now, message ? null : await counts);
  }

  /** Each time group's trace count in the store, under the filter (exact up to the API's cap). */
  private async groupCounts(api: ApiClient, now: number): Promise<Map<string, { count: number; exact: boolean }>> {
    const base = filterToQuery(this.filterValue, 1);
    const groups = new Map<string, { count: number; exact: boolean }>();
    await Promise.all(Object.entries(bucketRanges(now)).map(async ([bucket, r]) => {
      const page = await api.listTraces({ ...base, ...(r.from !== null ? { from: r.from } : {}), ...(r.to !== null ? { to: r.to } : {}) });
      if (page.total !== undefined) groups.set(bucket, { count: page.total, exact: page.totalExact ?? true });
    }));
    return groups;
  }

  /** The listed sessions' traces and cost in the store, wherever their traces fall in time. */
  private async sessionCounts(api: ApiClient, traces: TraceRow[]): Promise<Map<string, { traces: number; costUsd: number }>> {
    const sessions = new Map<string, { traces: number; costUsd: number }>();
    const oldest = traces.reduce((m, t) => (t.sessionId ? Math.min(m, t.startTime) : m), Number.POSITIVE_INFINITY);
    if (!Number.isFinite(oldest)) return sessions;
    const list = await api.listSessions({ from: oldest, limit: 500 }).catch(() => ({ sessions: [] }));
    for (const x of list.sessions) sessions.set(x.sessionId, { traces: x.traceCount, costUsd: x.costUsd });
    return sessions;
  }

  private apply(traces: TraceRow[], hasMore: boolean, message: string | undefined, now: number, counts: TreeCounts | null): void {
    const changed: TracesTreeNode[] = [];
    const intern = <T extends TracesTreeNode>(n: T, parent: TracesTreeNode | undefined): T => {
      const old = this.nodes.get(n.id);
      let result = n;
      if (old && old.kind === n.kind) {
        if (signature(old) !== signature(n)) changed.push(old);
        Object.assign(old, n);
        result = old as T;
      } else {
        this.nodes.set(n.id, n);
      }
      if (parent) this.parents.set(n.id, parent);
      else this.parents.delete(n.id);
      return result;
    };

    const fresh = groupTraces(traces, now);
    for (const g of fresh) {
      g.total = counts?.groups.get(g.bucket);
      for (const c of g.children) if (c.kind === 'session') c.total = counts?.sessions.get(c.sessionId);
    }
    const liveIds = new Set<string>();
    this.groups = fresh.map((g) => {
      const group = intern(g, undefined);
      liveIds.add(group.id);
      group.children = g.children.map((c) => {
        if (c.kind === 'trace') {
          liveIds.add(c.id);
          return intern(c, group);
        }
        const session = intern(c, group);
        liveIds.add(session.id);
        session.traces = c.traces.map((t) => {
          liveIds.add(t.id);
          return intern(t, session);
        });
        return session;
      });
      return group;
    });
    for (const id of [...this.nodes.keys()]) {
      if (!liveIds.has(id)) {
        this.nodes.delete(id);
        this.parents.delete(id);
      }
    }
    const shape = `${structureKey(this.groups)}|more=${hasMore}`;
    const first = !this.loaded;
    this.loaded = true;
    this.traces = traces;
    this.hasMore = hasMore;
    this.message = message;
    if (first || shape !== this.shape) {
      this.shape = shape;
      this.changeEmitter.fire(undefined);
    } else if (changed.length > 0) {
      this.changeEmitter.fire(changed);
    }
    this.stateEmitter.fire();
  }

  /**
   * A trace's spans as a tree, from its light outline (not the whole trace), read once and cached:
   * levels expand from it without another request; the spans someone gave feedback read their
   * detail for which thumb it was.
   */
  private forestOf(traceId: string): Promise<SpanForest> {
    let p = this.calls.get(traceId);
    if (!p) {
      const api = this.opts.getApi();
      if (!api) return Promise.reject(new Error('Spyglass is not connected to a collector'));
      p = api.traceOutline(traceId).then(async (outline) => {
        const forest = spanForest(outline);
        const all = [...forest.roots, ...[...forest.children.values()].flat()];
        const rated = all.filter((n) => (n.span.annotationCounts?.feedback ?? 0) > 0).slice(0, MAX_FEEDBACK_LOOKUPS);
        await Promise.all(
          rated.map(async (n) => {
            try {
              n.span.feedback = userFeedback((await api.spanDetail(traceId, n.span.spanId)).annotations ?? []);
            } catch {
              // the count still shows; the thumb is a detail
            }
          }),
        );
        return forest;
      });
      p.catch(() => this.calls.delete(traceId));
      this.calls.set(traceId, p);
      while (this.calls.size > CALLS_CACHE_SIZE) this.calls.delete(this.calls.keys().next().value!);
    }
    return p;
  }

  /** All of a session's traces (under the filter), oldest first, wherever they fall in time. */
  private async sessionTraces(node: SessionNode): Promise<TracesTreeNode[]> {
    const api = this.opts.getApi();
    if (!api) return node.traces;
    try {
      const page = await api.listTraces({ ...filterToQuery(this.filterValue, 500), session: node.sessionId });
      return page.traces.map((t) => {
        const n = this.nodes.get(`trace:${t.traceId}`);
        const trace: TraceNode = n?.kind === 'trace' ? Object.assign(n, { trace: t }) : { kind: 'trace', id: `trace:${t.traceId}`, trace: t };
        this.nodes.set(trace.id, trace);
        this.parents.set(trace.id, node);
        return trace;
      });
    } catch {
      return node.traces;
    }
  }

  async getChildren(node?: TracesTreeNode): Promise<TracesTreeNode[]> {
    if (!node) {
      // VS Code asks for the root as soon as the view is visible; share one first load.
      if (!this.loaded) await (this.firstLoad ??= this.reload());
      const roots: TracesTreeNode[] = [...this.groups];
      if (this.hasMore) {
        roots.push({
          kind: 'info',
          id: 'info:more',
          label: 'Show more traces…',
          description: `showing the newest ${this.traces.length}`,
          icon: 'ellipsis',
          command: { command: 'spyglass.showMoreTraces', title: 'Show More Traces' },
        });
      }
      return roots;
    }
    switch (node.kind) {
      case 'group':
        return node.children;
      case 'session':
        return this.sessionTraces(node);
      case 'trace': {
        try {
          const forest = await this.forestOf(node.trace.traceId);
          // The trace row stands for its one root span: its children come directly under it.
          const only = forest.roots.length === 1 ? forest.roots[0]! : null;
          const roots = only && only.childCount ? forest.children.get(only.span.spanId) ?? [] : forest.roots;
          for (const c of roots) this.parents.set(c.id, node);
          if (roots.length === 0) {
            return [{ kind: 'info', id: `info:nocalls:${node.trace.traceId}`, label: 'No spans in this trace', icon: 'info' }];
          }
          return roots;
        } catch (e) {
          return [{ kind: 'info', id: `info:error:${node.trace.traceId}`, label: `Cannot load this trace: ${(e as Error).message}`, icon: 'warning' }];
        }
      }
      case 'call': {
        const forest = await this.forestOf(node.traceId).catch(() => null);
        const children = forest?.children.get(node.span.spanId) ?? [];
        for (const c of children) this.parents.set(c.id, node);
        return children;
      }
      default:
        return [];
    }
  }

  getParent(node: TracesTreeNode): TracesTreeNode | undefined {
    return this.parents.get(node.id);
  }

  /** The node of a listed trace, e.g. to reveal it. */
  traceNode(traceId: string): TraceNode | undefined {
    const n = this.nodes.get(`trace:${traceId}`);
    return n?.kind === 'trace' ? n : undefined;
  }

  getTreeItem(node: TracesTreeNode): vscode.TreeItem {
    const C = vscode.TreeItemCollapsibleState;
    switch (node.kind) {
      case 'group': {
        const item = new vscode.TreeItem(node.label, node.expanded ? C.Expanded : C.Collapsed);
        item.id = node.id;
        item.description = groupDescription(node);
        item.contextValue = 'spyglass.group';
        return item;
      }
      case 'session': {
        const item = new vscode.TreeItem(sessionLabel(node), C.Collapsed);
        item.id = node.id;
        item.description = sessionDescription(node);
        item.iconPath = new vscode.ThemeIcon('comment-discussion');
        item.tooltip = new vscode.MarkdownString().appendText(`Session ${node.sessionId}`);
        item.contextValue = 'spyglass.session';
        return item;
      }
      case 'trace': {
        const t = node.trace;
        const item = new vscode.TreeItem(traceLabel(t), C.Collapsed);
        item.id = node.id;
        item.description = traceDescription(t);
        const marker = traceMarker(t);
        item.iconPath = markerIcon(marker);
        item.tooltip = new vscode.MarkdownString(traceTooltip(t));
        item.contextValue = 'spyglass.trace';
        item.command = { command: 'spyglass.openTrace', title: 'Open Trace', arguments: [t.traceId] };
        item.accessibilityInformation = { label: `Trace ${traceLabel(t)}, ${traceDescription(t)}` };
        return item;
      }
      case 'call': {
        const item = new vscode.TreeItem(callLabel(node.span), node.childCount ? C.Collapsed : C.None);
        item.id = node.id;
        item.description = callDescription(node);
        item.iconPath = markerIcon(callIcon(node.span));
        item.tooltip = new vscode.MarkdownString(callTooltip(node.span));
        item.contextValue = isLlmCall(node.span) ? 'spyglass.llmCall' : 'spyglass.call';
        item.accessibilityInformation = { label: `${callLabel(node.span)}, ${callDescription(node)}` };
        item.command = { command: 'spyglass.openTrace', title: 'Open Trace', arguments: [node.traceId, node.span.spanId] };
        return item;
      }
      case 'info': {
        const item = new vscode.TreeItem(node.label, C.None);
        item.id = node.id;
        item.description = node.description;
        if (node.icon) item.iconPath = new vscode.ThemeIcon(node.icon);
        item.command = node.command;
        item.contextValue = 'spyglass.info';
        return item;
      }
    }
  }

  dispose(): void {
    clearInterval(this.minuteTimer);
    this.throttle.dispose();
    this.changeEmitter.dispose();
    this.stateEmitter.dispose();
  }
}

/** Theme colours carry the meaning: errors red, a thumbs down and guardrail hits warn. */
function markerIcon(name: string): vscode.ThemeIcon {
  switch (name) {
    case 'error':
      return new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
    case 'thumbsdown':
      return new vscode.ThemeIcon('thumbsdown', new vscode.ThemeColor('editorWarning.foreground'));
    case 'guardrail':
      return new vscode.ThemeIcon('shield', new vscode.ThemeColor('editorWarning.foreground'));
    case 'thumbsup':
      return new vscode.ThemeIcon('thumbsup', new vscode.ThemeColor('testing.iconPassed'));
    case 'llm':
      return new vscode.ThemeIcon('sparkle');
    case 'plain':
      return new vscode.ThemeIcon('pulse');
    default:
      return new vscode.ThemeIcon(name);
  }
}
