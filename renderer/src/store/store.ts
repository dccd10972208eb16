// The UI's one store, made of slices. React re-renders from it for state changes only — the connection, the
// health figures (about once a second), the screen, the decision shown, enrollment progress. Camera frames and
// overlays never pass through it: they are painted on a canvas from the live feed (live/).
import { create, type StateCreator } from 'zustand';

import type { StreamStatus } from '../api/stream-status.js';
import type { ChallengePrompt, DecisionEvent, EnrollmentFeedback, PanelState, StageTimingsMs, TerminalHealth } from './types.js';

/** How many health samples of stage timings the system screen charts. */
export const TIMINGS_HISTORY_LENGTH = 60;
/** How long a decision stays on the door screen, ms. */
export const DECISION_SHOWN_MS = 3_000;

export type Screen = 'door' | 'login' | 'admin';
export type AdminTab = 'enroll' | 'people' | 'import' | 'events' | 'settings' | 'system';

export interface TimingSample {
  readonly atMs: number;
  readonly timingsMs: StageTimingsMs;
}

interface ConnectionSlice {
  stream: StreamStatus;
  setStreamStatus(status: StreamStatus): void;
}

interface HealthSlice {
  health: TerminalHealth | null;
  timingsHistory: readonly TimingSample[];
  receiveHealth(health: TerminalHealth, atMs: number): void;
}

interface SessionSlice {
  screen: Screen;
  adminTab: AdminTab;
  /** The logged-in administrator; null outside the admin area. */
  admin: { readonly username: string; readonly expiresAtMs: number } | null;
  /** Whether this client has a session (a paired browser, the kiosk); null until asked. */
  paired: boolean | null;
  /** Known once an administrator has read the settings; the door shows "Lintel" before that. */
  terminalName: string | null;
  idleLogoutMs: number | null;
  /** Why the login screen shows (the session ended), for the person who comes back to it. */
  loginNotice: string | null;
  /** A one-off confirmation at the top of the admin area, e.g. after an enrollment. */
  adminNotice: string | null;
  openLogin(notice?: string): void;
  showDoor(): void;
  adminLoggedIn(username: string, expiresAtMs: number): void;
  adminSessionLost(): void;
  setAdminTab(tab: AdminTab): void;
  setPaired(paired: boolean): void;
  setTerminalSettings(values: { terminalName?: string; idleLogoutMs?: number }): void;
  setAdminNotice(notice: string | null): void;
}

interface DecisionSlice {
  decision: DecisionEvent | null;
  /** Newest decision seen, so a replay after a reconnect does not show it twice. */
  lastDecisionEventId: number;
  /**
   * What the door asks of the people at it (the active liveness challenge): one prompt per challenged face, in
   * the order their challenges began, each until a decision on that face replaces it or the face leaves. A
   * failed attempt that will be retried is not a decision on screen: the face's prompt says it.
   */
  challenges: readonly ChallengePrompt[];
  /** A card was read and the door waits for the card holder's face until `untilMs`; null otherwise. */
  cardWaiting: { readonly untilMs: number } | null;
  showDecision(decision: DecisionEvent): void;
  dismissDecision(eventId: number): void;
  receiveChallenge(trackId: number, prompt: ChallengePrompt | null): void;
  receiveCard(waiting: { readonly untilMs: number } | null): void;
}

export interface EnrollmentProgress {
  readonly sessionId: string;
  readonly hint: EnrollmentFeedback['hint'];
  readonly samplesTaken: number;
  readonly samplesWanted: number;
  /** The session ended without its admin (taken over, nobody at the camera), in words. */
  readonly ended?: { readonly reason: string; readonly message: string };
}

interface EnrollmentSlice {
  enrollment: EnrollmentProgress | null;
  /**
   * The last session that ended without its admin: kept apart from `enrollment`, which the next session's feedback
   * (the admin who took over) replaces.
   */
  enrollmentEnded: { readonly sessionId: string; readonly reason: string; readonly message: string } | null;
  receiveEnrollmentFeedback(sessionId: string, feedback: EnrollmentFeedback): void;
  receiveEnrollmentEnded(sessionId: string, ended: { readonly reason: string; readonly message: string }): void;
  clearEnrollment(): void;
}

interface ImportSlice {
  /** The import started at this screen, followed until someone starts a new one (it runs on without the screen). */
  importId: string | null;
  setImportId(importId: string | null): void;
}

/** Letters and symbols; a number pad with sign and decimal point; digits only (PINs). */
export type KeyboardLayout = 'text' | 'number' | 'digits';

interface PanelSlice {
  /** What the access-control panel shows through the terminal as its reader (OSDP), newest; null before any. */
  panel: PanelState | null;
  receivePanel(panel: PanelState): void;
}

interface KeyboardSlice {
  keyboard: { readonly open: boolean; readonly layout: KeyboardLayout };
  /** Someone typed on a real keyboard: the on-screen one stops opening by itself. */
  physicalKeyboardUsed: boolean;
  openKeyboard(layout: KeyboardLayout): void;
  closeKeyboard(): void;
  notePhysicalKeyboard(): void;
}

export type LintelState = ConnectionSlice & HealthSlice & SessionSlice & DecisionSlice & EnrollmentSlice & ImportSlice & KeyboardSlice & PanelSlice;

type Slice<T> = StateCreator<LintelState, [], [], T>;

const connectionSlice: Slice<ConnectionSlice> = (set) => ({
  stream: { state: 'connecting' },
  setStreamStatus: (stream) => set({ stream }),
});

const healthSlice: Slice<HealthSlice> = (set, get) => ({
  health: null,
  timingsHistory: [],
  receiveHealth: (health, atMs) => {
    const previous = get().health;
    // A sample per processed batch: while nothing is processed (camera offline) the timings are old news.
    const processedMore = previous === null || health.framesProcessed !== previous.framesProcessed;
    if (health.lastTimingsMs && processedMore) {
      const timingsHistory = [...get().timingsHistory, { atMs, timingsMs: health.lastTimingsMs }].slice(-TIMINGS_HISTORY_LENGTH);
      set({ health, timingsHistory });
    } else {
      set({ health });
    }
  },
});

const sessionSlice: Slice<SessionSlice> = (set) => ({
  screen: 'door',
  adminTab: 'enroll',
  admin: null,
  paired: null,
  terminalName: null,
  idleLogoutMs: null,
  loginNotice: null,
  adminNotice: null,
  openLogin: (notice) => set({ screen: 'login', loginNotice: notice ?? null }),
  showDoor: () => set({ screen: 'door', adminTab: 'enroll', admin: null, loginNotice: null, adminNotice: null }),
  adminLoggedIn: (username, expiresAtMs) => set({ screen: 'admin', admin: { username, expiresAtMs }, loginNotice: null }),
  adminSessionLost: () =>
    set((state) => (state.screen === 'admin' ? { screen: 'login', admin: null, adminNotice: null, loginNotice: 'Your administrator session has ended. Please log in again.' } : {})),
  setAdminTab: (adminTab) => set({ adminTab, adminNotice: null }),
  setPaired: (paired) => set({ paired }),
  setTerminalSettings: ({ terminalName, idleLogoutMs }) =>
    set((state) => ({ terminalName: terminalName ?? state.terminalName, idleLogoutMs: idleLogoutMs ?? state.idleLogoutMs })),
  setAdminNotice: (adminNotice) => set({ adminNotice }),
});

const decisionSlice: Slice<DecisionSlice> = (set, get) => ({
  decision: null,
  lastDecisionEventId: 0,
  challenges: [],
  cardWaiting: null,
  showDecision: (decision) => {
    if (decision.eventId <= get().lastDecisionEventId) return;
    if (decision.retrying) {
      set({ lastDecisionEventId: decision.eventId });
      return;
    }
    // The decided face's prompt gives way to the decision; other faces' challenges run on and stay shown.
    const challenges = get().challenges.filter((prompt) => prompt.trackId !== decision.trackId);
    set({ decision, lastDecisionEventId: decision.eventId, challenges });
  },
  dismissDecision: (eventId) => set((state) => (state.decision?.eventId === eventId ? { decision: null } : {})),
  receiveChallenge: (trackId, prompt) => {
    const current = get().challenges;
    const index = current.findIndex((shown) => shown.trackId === trackId);
    if (prompt === null) {
      if (index >= 0) set({ challenges: current.filter((shown) => shown.trackId !== trackId) });
      return;
    }
    // A final outcome comes as a decision right after: the prompt need not show it.
    if (prompt.status === 'passed' || (prompt.status === 'failed' && prompt.retryAtMs === undefined)) return;
    set({ challenges: index >= 0 ? current.with(index, prompt) : [...current, prompt] });
  },
  receiveCard: (cardWaiting) => set({ cardWaiting }),
});

const enrollmentSlice: Slice<EnrollmentSlice> = (set, get) => ({
  enrollment: null,
  enrollmentEnded: null,
  receiveEnrollmentFeedback: (sessionId, feedback) => {
    const current = get().enrollment;
    const next: EnrollmentProgress = {
      sessionId,
      hint: feedback.hint,
      samplesTaken: feedback.samplesTaken,
      samplesWanted: feedback.samplesWanted,
    };
    // Feedback comes with every processed frame; re-render only when what is shown changes.
    if (
      current &&
      current.sessionId === next.sessionId &&
      current.hint === next.hint &&
      current.samplesTaken === next.samplesTaken &&
      current.samplesWanted === next.samplesWanted
    ) {
      return;
    }
    set({ enrollment: next });
  },
  receiveEnrollmentEnded: (sessionId, ended) => {
    const current = get().enrollment;
    const record = { reason: ended.reason, message: ended.message };
    set({ enrollmentEnded: { sessionId, ...record }, ...(current?.sessionId === sessionId ? { enrollment: { ...current, ended: record } } : {}) });
  },
  clearEnrollment: () => set({ enrollment: null }),
});

const importSlice: Slice<ImportSlice> = (set) => ({
  importId: null,
  setImportId: (importId) => set({ importId }),
});

const panelSlice: Slice<PanelSlice> = (set, get) => ({
  panel: null,
  receivePanel: (panel) => {
    const current = get().panel;
    // A stream replayed after a reconnect may bring an older state of the same output.
    if (current !== null && current.output === panel.output && panel.seq <= current.seq && panel.timestampMs <= current.timestampMs) return;
    set({ panel });
  },
});

const keyboardSlice: Slice<KeyboardSlice> = (set) => ({
  keyboard: { open: false, layout: 'text' },
  physicalKeyboardUsed: false,
  openKeyboard: (layout) => set((state) => (state.keyboard.open && state.keyboard.layout === layout ? {} : { keyboard: { open: true, layout } })),
  closeKeyboard: () => set((state) => (state.keyboard.open ? { keyboard: { ...state.keyboard, open: false } } : {})),
  notePhysicalKeyboard: () => set((state) => (state.physicalKeyboardUsed && !state.keyboard.open ? {} : { physicalKeyboardUsed: true, keyboard: { ...state.keyboard, open: false } })),
});

export const useLintel = create<LintelState>()((...args) => ({
  ...connectionSlice(...args),
  ...healthSlice(...args),
  ...sessionSlice(...args),
  ...decisionSlice(...args),
  ...panelSlice(...args),
  ...enrollmentSlice(...args),
  ...importSlice(...args),
  ...keyboardSlice(...args),
}));
