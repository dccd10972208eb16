// The on-screen keyboard's focus model. Keys never take the focus (their mousedown is cancelled), so the text
// field being edited stays focused; the controller edits that field through its native value setter and an
// `input` event, so React's onChange sees the change as if typed. The keyboard opens when a text field is
// tapped (or clicked) and closes when the focus leaves text fields; once a real keyboard is used it stops
// opening by itself. Fields choose a layout with `data-keyboard="text|number|digits|none"`, or by inputMode.
import type { KeyboardLayout, LintelState } from '../store/store.js';
import { applyEditKey, type EditKey } from './text-editing.js';

export type KeyPress = EditKey | { readonly kind: 'done' };

type TextEntry = HTMLInputElement | HTMLTextAreaElement;

const TEXT_INPUT_TYPES = new Set(['text', 'search', 'password', 'url', 'email', 'tel']);

export function isTextEntry(element: Element | null): element is TextEntry {
  if (element instanceof HTMLTextAreaElement) return !element.readOnly && !element.disabled;
  return element instanceof HTMLInputElement && TEXT_INPUT_TYPES.has(element.type) && !element.readOnly && !element.disabled;
}

function layoutOf(element: TextEntry): KeyboardLayout | 'none' {
  const wanted = element.dataset['keyboard'];
  if (wanted === 'none' || wanted === 'number' || wanted === 'digits' || wanted === 'text') return wanted;
  if (element.inputMode === 'numeric') return 'digits';
  return element.inputMode === 'decimal' ? 'number' : 'text';
}

/** Sets a field's value the way typing does, so a React-controlled field's onChange fires. */
function setValueAsTyped(element: TextEntry, value: string): void {
  const prototype = element instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
  Object.getOwnPropertyDescriptor(prototype, 'value')?.set?.call(element, value);
  element.dispatchEvent(new Event('input', { bubbles: true }));
}

type KeyboardStore = { getState(): Pick<LintelState, 'keyboard' | 'physicalKeyboardUsed' | 'openKeyboard' | 'closeKeyboard' | 'notePhysicalKeyboard'> };

export class KeyboardController {
  private target: TextEntry | null = null;

  constructor(
    private readonly doc: Document,
    private readonly store: KeyboardStore,
  ) {}

  /** Starts following the focus; returns the stop. */
  start(): () => void {
    const onClick = (event: MouseEvent): void => this.onTap(event.target);
    const onFocusIn = (event: FocusEvent): void => this.onFocusIn(event.target);
    const onFocusOut = (): void => this.onFocusOut();
    const onKeyDown = (event: KeyboardEvent): void => this.onKeyDown(event);
    const onResize = (): void => this.revealTarget();
    const view = this.doc.defaultView;
    this.doc.addEventListener('click', onClick, true);
    this.doc.addEventListener('focusin', onFocusIn);
    this.doc.addEventListener('focusout', onFocusOut);
    this.doc.addEventListener('keydown', onKeyDown, true);
    view?.addEventListener('resize', onResize);
    return () => {
      this.doc.removeEventListener('click', onClick, true);
      this.doc.removeEventListener('focusin', onFocusIn);
      this.doc.removeEventListener('focusout', onFocusOut);
      this.doc.removeEventListener('keydown', onKeyDown, true);
      view?.removeEventListener('resize', onResize);
    };
  }

  /** Opens the keyboard for the focused field (the "keyboard" button). */
  open(): void {
    const active = this.doc.activeElement;
    if (!isTextEntry(active)) return;
    this.target = active;
    const layout = layoutOf(active);
    if (layout !== 'none') this.show(layout);
  }

  close(): void {
    this.store.getState().closeKeyboard();
  }

  /** One key of the on-screen keyboard, applied to the field being edited. */
  press(key: KeyPress): void {
    const element = this.target;
    if (!element || !element.isConnected) {
      this.close();
      return;
    }
    if (key.kind === 'done') {
      this.close();
      const submits = element.enterKeyHint === 'go' || element.enterKeyHint === 'search' || element.enterKeyHint === 'send';
      if (submits && element.form) element.form.requestSubmit();
      else element.blur();
      return;
    }
    const length = element.value.length;
    const next = applyEditKey(
      { value: element.value, selectionStart: element.selectionStart ?? length, selectionEnd: element.selectionEnd ?? length },
      key,
      element.maxLength,
    );
    if (next.value !== element.value) setValueAsTyped(element, next.value);
    element.setSelectionRange(next.selectionStart, next.selectionEnd);
  }

  private show(layout: KeyboardLayout): void {
    this.store.getState().openKeyboard(layout);
    this.revealTarget();
  }

  /** The keyboard takes the bottom of the screen: keep the field being edited in sight above it. */
  private revealTarget(): void {
    const element = this.target;
    if (!element || !this.store.getState().keyboard.open) return;
    // After React has laid the keyboard out.
    requestAnimationFrame(() => element.scrollIntoView({ block: 'nearest' }));
  }

  private onTap(target: EventTarget | null): void {
    if (!(target instanceof Element) || !isTextEntry(target)) return;
    this.target = target;
    const layout = layoutOf(target);
    if (layout === 'none') this.close();
    else if (!this.store.getState().physicalKeyboardUsed) this.show(layout);
  }

  private onFocusIn(target: EventTarget | null): void {
    if (!(target instanceof Element)) return;
    if (!isTextEntry(target)) {
      this.target = null;
      this.close();
      return;
    }
    this.target = target;
    // Moving between fields with the keyboard open keeps it open, in the new field's layout.
    if (this.store.getState().keyboard.open) {
      const layout = layoutOf(target);
      if (layout === 'none') this.close();
      else this.show(layout);
    }
  }

  private onFocusOut(): void {
    // The focus lands after focusout; look once it has.
    requestAnimationFrame(() => {
      if (!isTextEntry(this.doc.activeElement)) {
        this.target = null;
        this.close();
      }
    });
  }

  private onKeyDown(event: KeyboardEvent): void {
    if (!event.isTrusted || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key.length === 1 || event.key === 'Backspace') this.store.getState().notePhysicalKeyboard();
  }
}
