// MQTT topic names of a Lintel site: one place builds and parses them, so the hub, the terminals, the broker's
// ACL and Home Assistant discovery never disagree about a level.

/** A site id: a short slug chosen at `lintel hub init`; it is one MQTT topic level. */
export const SITE_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,31}$/;
/**
 * A terminal id: one topic level and the CN of the terminal's certificate (the broker's username), so no
 * `/`, `+`, `#` or upper case. `hub` and `homeassistant` are the CNs of the hub and Home Assistant, never a terminal's.
 */
export const TERMINAL_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** The CN of the hub's MQTT client certificate; the broker's ACL gives it the whole site. */
export const HUB_CLIENT_ID = 'hub';
/** The CN of Home Assistant's MQTT client certificate: it reads the doors' entities and sends OPEN. */
export const HOME_ASSISTANT_CLIENT_ID = 'homeassistant';
/** Root of every Lintel topic. */
export const TOPIC_ROOT = 'lintel';
/** Home Assistant's default discovery prefix. */
export const HOME_ASSISTANT_PREFIX = 'homeassistant';

/** What a terminal publishes (the broker lets it write only these, under its own id). */
export const TERMINAL_OUT = ['pull', 'applied', 'events', 'enroll', 'state'] as const;
export type TerminalOutName = (typeof TERMINAL_OUT)[number];
/** What the hub sends one terminal (every one of them signed). */
export const TERMINAL_IN = ['changes', 'events-ack', 'enroll-result', 'command'] as const;
export type TerminalInName = (typeof TERMINAL_IN)[number];

/** Throws a RangeError naming the bad id unless `siteId` is a valid site slug. */
export function assertSiteId(siteId: string): void {
  if (!SITE_ID_PATTERN.test(siteId)) {
    throw new RangeError(`site id must be 1–32 lower-case letters, digits and - (starting with a letter or digit), got "${siteId}"`);
  }
}

/** Throws a RangeError naming the bad id unless `terminalId` is a valid terminal id (and not the hub's). */
export function assertTerminalId(terminalId: string): void {
  if (!TERMINAL_ID_PATTERN.test(terminalId)) {
    throw new RangeError(`terminal id must be 1–63 lower-case letters, digits and - (starting with a letter or digit), got "${terminalId}"`);
  }
  if (terminalId === HUB_CLIENT_ID) throw new RangeError(`terminal id "${HUB_CLIENT_ID}" is the hub's own name`);
  if (terminalId === HOME_ASSISTANT_CLIENT_ID) throw new RangeError(`terminal id "${HOME_ASSISTANT_CLIENT_ID}" is Home Assistant's name`);
}

/** True when `terminalId` is a valid terminal id. */
export function isTerminalId(terminalId: string): boolean {
  return TERMINAL_ID_PATTERN.test(terminalId) && terminalId !== HUB_CLIENT_ID && terminalId !== HOME_ASSISTANT_CLIENT_ID;
}

/** Topic builders of one site. */
export interface SiteTopics {
  readonly siteId: string;
  /** `lintel/<site>/#`: everything of the site (the hub's ACL). */
  readonly all: string;
  /** `lintel/<site>/hub/#`: what every terminal may read. */
  readonly hubAll: string;
  /** `lintel/<site>/hub/head` (retained, signed): the newest change's sequence number. */
  readonly head: string;
  /** `lintel/<site>/terminal/+/out/+`: the hub's subscription to every terminal's messages. */
  readonly everyTerminalOut: string;
  /** `lintel/<site>/terminal/<id>/out/<name>`: what terminal `id` publishes. */
  terminalOut(terminalId: string, name: TerminalOutName): string;
  /** `lintel/<site>/terminal/<id>/in/<name>`: what the hub sends terminal `id`. */
  terminalIn(terminalId: string, name: TerminalInName): string;
  /** `lintel/<site>/terminal/<id>/in/#`: the terminal's subscription to its own inbox. */
  terminalInAll(terminalId: string): string;
  /** Which terminal sent `topic` and what it is, or null for a topic that is not a terminal's `out/<name>`. */
  parseTerminalOut(topic: string): { readonly terminalId: string; readonly name: TerminalOutName } | null;
  /** Which terminal's inbox `topic` is and what it carries, or null. */
  parseTerminalIn(topic: string): { readonly terminalId: string; readonly name: TerminalInName } | null;
}

/** The topics of site `siteId` (checked: a RangeError names a bad id). */
export function siteTopics(siteId: string): SiteTopics {
  assertSiteId(siteId);
  const base = `${TOPIC_ROOT}/${siteId}`;
  const parse = <N extends string>(topic: string, direction: 'in' | 'out', names: readonly N[]): { terminalId: string; name: N } | null => {
    const levels = topic.split('/');
    if (levels.length !== 6 || levels[0] !== TOPIC_ROOT || levels[1] !== siteId || levels[2] !== 'terminal' || levels[4] !== direction) return null;
    const terminalId = levels[3] ?? '';
    const name = levels[5] as N;
    if (!isTerminalId(terminalId) || !names.includes(name)) return null;
    return { terminalId, name };
  };
  return {
    siteId,
    all: `${base}/#`,
    hubAll: `${base}/hub/#`,
    head: `${base}/hub/head`,
    everyTerminalOut: `${base}/terminal/+/out/+`,
    terminalOut(terminalId, name) {
      assertTerminalId(terminalId);
      return `${base}/terminal/${terminalId}/out/${name}`;
    },
    terminalIn(terminalId, name) {
      assertTerminalId(terminalId);
      return `${base}/terminal/${terminalId}/in/${name}`;
    },
    terminalInAll(terminalId) {
      assertTerminalId(terminalId);
      return `${base}/terminal/${terminalId}/in/#`;
    },
    parseTerminalOut: (topic) => parse(topic, 'out', TERMINAL_OUT),
    parseTerminalIn: (topic) => parse(topic, 'in', TERMINAL_IN),
  };
}

/** Home Assistant entity kinds the hub announces per door. */
export type HomeAssistantComponent = 'lock' | 'binary_sensor' | 'event';

/**
 * `homeassistant/<component>/lintel_<site>_<terminal>/config`: the retained discovery topic of one door's entity
 * (node ids may hold letters, digits, _ and -).
 */
export function homeAssistantConfigTopic(component: HomeAssistantComponent, siteId: string, terminalId: string): string {
  assertSiteId(siteId);
  assertTerminalId(terminalId);
  return `${HOME_ASSISTANT_PREFIX}/${component}/lintel_${siteId}_${terminalId}/config`;
}

/** `lintel/<site>/ha/<terminal>/<name>`: the hub's own topics that Home Assistant reads and commands. */
export function homeAssistantTopic(siteId: string, terminalId: string, name: 'lock-state' | 'lock-set' | 'door' | 'event' | 'availability'): string {
  assertSiteId(siteId);
  assertTerminalId(terminalId);
  return `${TOPIC_ROOT}/${siteId}/ha/${terminalId}/${name}`;
}
