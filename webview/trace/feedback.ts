// Thumbs up / thumbs down with an optional comment, on an LLM call or on the whole trace. One
// click records the rating; the comment box then opens, and Enter saves it. Clicking the pressed
// thumb again takes the rating back. The user's earlier rating of the same target is replaced,
// not piled up. Keyboard: both thumbs are buttons in the tab order, Escape closes the comment.

import type { AnnotationDto } from '../../src/protocol/api';
import { button, h, icon, replaceChildren } from '../shared/dom';

export type Thumb = 'up' | 'down';

/** The user's own feedback annotations on one target, newest last. */
export function ownFeedback(annotations: readonly AnnotationDto[] | null | undefined): AnnotationDto[] {
  return (annotations ?? []).filter((a) => a.kind === 'feedback' && a.source === 'user' && (a.label === 'up' || a.label === 'down'));
}

export interface FeedbackUiState {
  /** The comment box is open (kept across re-renders of the same target). */
  commentOpen: boolean;
  draft: string | null;
  status: string;
}

export interface FeedbackHandlers {
  /** Records the rating (with a comment); it replaces the user's earlier one. */
  submit: (label: Thumb, comment: string | undefined) => Promise<unknown>;
  remove: (ids: string[]) => Promise<unknown>;
  /** Saved or failed: render again from `ui` and the annotations, focus where the user is. */
  changed: (focus: 'text' | Thumb | null) => void;
}

export interface FeedbackOptions {
  /** "call" or "trace": in labels and ids. */
  target: 'call' | 'trace';
  mine: readonly AnnotationDto[];
  ui: FeedbackUiState;
  handlers: FeedbackHandlers;
}

export function renderFeedback({ target, mine, ui, handlers }: FeedbackOptions): HTMLElement {
  const current = mine.at(-1) ?? null;
  const label = current?.label === 'up' || current?.label === 'down' ? current.label : null;
  const ids = mine.map((a) => a.id);
  const root = h('div', { class: `feedback feedback-${target}`, role: 'group', id: `feedback-${target}`, attrs: { 'aria-label': `Your feedback on this ${target}` } });
  const status = h('span', { class: 'feedback-status', attrs: { 'aria-live': 'polite' } }, ui.status);
  let busy = false;

  const run = async (what: () => Promise<unknown>, done: string, openComment: boolean, focus: 'text' | Thumb | null) => {
    if (busy) return;
    busy = true;
    root.classList.add('busy');
    root.setAttribute('aria-busy', 'true');
    ui.status = 'Saving…';
    status.textContent = ui.status;
    try {
      await what();
      ui.status = done;
      ui.commentOpen = openComment;
      if (!openComment) ui.draft = null;
    } catch (err) {
      ui.status = `Could not save: ${err instanceof Error ? err.message : String(err)}`;
    } finally {
      busy = false;
      handlers.changed(ui.commentOpen ? 'text' : focus);
    }
  };

  const thumb = (which: Thumb) => {
    const pressed = label === which;
    const name = which === 'up' ? 'Good' : 'Bad';
    const b = button('', pressed ? `thumbs${which}-filled` : `thumbs${which}`, () => {
      if (pressed) void run(() => handlers.remove(ids), 'Feedback removed', false, which);
      else void run(() => handlers.submit(which, current?.explanation ?? undefined), `Saved: thumbs ${which}`, true, which);
    }, {
      class: `icon-button feedback-thumb feedback-${which}${pressed ? ' pressed' : ''}`,
      id: `feedback-${target}-${which}`,
      title: pressed ? `${name} ${target} (thumbs ${which}): click to take it back` : `${name} ${target} (thumbs ${which})`,
      attrs: { 'aria-pressed': pressed ? 'true' : 'false', 'aria-label': `Thumbs ${which}` },
    });
    return b;
  };

  const up = thumb('up');
  const down = thumb('down');
  const commentButton = label
    ? button(current?.explanation ? 'Edit comment' : 'Add comment', 'comment', () => {
        ui.commentOpen = true;
        renderBox();
        box.querySelector('textarea')?.focus();
      }, { class: 'link-button feedback-comment-toggle', id: `feedback-${target}-comment`, title: current?.explanation ? `Your comment: ${current.explanation.slice(0, 500)}` : 'Say why (optional)' })
    : null;

  const box = h('div', { class: 'feedback-box' });
  const renderBox = () => {
    if (!ui.commentOpen || !label) {
      replaceChildren(box, current?.explanation ? h('div', { class: 'feedback-comment-text', title: 'Your comment' }, icon('quote'), h('span', {}, current.explanation)) : null);
      return;
    }
    const area = h('textarea', {
      class: 'feedback-textarea',
      id: `feedback-${target}-text`,
      attrs: { rows: 2, placeholder: 'Why? (optional; Enter saves, Shift+Enter for a new line, Escape closes)', 'aria-label': `Comment on your thumbs ${label}` },
    });
    area.value = ui.draft ?? current?.explanation ?? '';
    area.addEventListener('input', () => (ui.draft = area.value));
    const save = () => void run(() => handlers.submit(label, area.value.trim() || undefined), 'Comment saved', false, label);
    const close = () => {
      ui.commentOpen = false;
      ui.draft = null;
      renderBox();
      (label === 'up' ? up : down).focus();
    };
    area.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        save();
      } else if (e.key === 'Escape') {
        e.preventDefault();
        e.stopPropagation();
        close();
      }
    });
    replaceChildren(
      box,
      area,
      h(
        'div',
        { class: 'feedback-actions' },
        button('Save comment', 'check', save, { id: `feedback-${target}-save` }),
        button('Cancel', null, close, { class: 'secondary' }),
      ),
    );
  };
  renderBox();

  root.append(
    h('div', { class: 'feedback-row' }, h('span', { class: 'feedback-label' }, target === 'call' ? 'Rate this call' : 'Rate this trace'), up, down, commentButton, status),
    box,
  );
  return root;
}
