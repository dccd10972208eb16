import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { assertSiteId, assertTerminalId, homeAssistantConfigTopic, siteTopics } from './topics.js';

describe('site topics', () => {
  const topics = siteTopics('main-office');

  test('builds the topics of the protocol', () => {
    assert.equal(topics.head, 'lintel/main-office/hub/head');
    assert.equal(topics.terminalOut('door-1', 'events'), 'lintel/main-office/terminal/door-1/out/events');
    assert.equal(topics.terminalIn('door-1', 'events-ack'), 'lintel/main-office/terminal/door-1/in/events-ack');
    assert.equal(topics.terminalInAll('door-1'), 'lintel/main-office/terminal/door-1/in/#');
    assert.equal(homeAssistantConfigTopic('lock', 'main-office', 'door-1'), 'homeassistant/lock/lintel_main-office_door-1/config');
  });

  test('parses a terminal topic back, and nothing else', () => {
    assert.deepEqual(topics.parseTerminalOut('lintel/main-office/terminal/door-1/out/pull'), { terminalId: 'door-1', name: 'pull' });
    assert.deepEqual(topics.parseTerminalIn('lintel/main-office/terminal/door-1/in/changes'), { terminalId: 'door-1', name: 'changes' });
    assert.equal(topics.parseTerminalOut('lintel/other-site/terminal/door-1/out/pull'), null);
    assert.equal(topics.parseTerminalOut('lintel/main-office/terminal/door-1/out/unknown'), null);
    assert.equal(topics.parseTerminalOut('lintel/main-office/terminal/door-1/in/changes'), null);
    assert.equal(topics.parseTerminalOut('lintel/main-office/terminal/hub/out/pull'), null);
    assert.equal(topics.parseTerminalOut('lintel/main-office/terminal/door-1/out/pull/extra'), null);
  });

  test('refuses ids that would break a topic level, the certificate name or the hub\'s identity', () => {
    for (const bad of ['', 'Door', 'a/b', 'a+', 'a#', '-a', 'x'.repeat(64)]) assert.throws(() => assertTerminalId(bad), RangeError, bad);
    assert.throws(() => assertTerminalId('hub'), /the hub's own name/);
    assert.throws(() => assertTerminalId('homeassistant'), /Home Assistant's name/);
    assert.throws(() => topics.terminalOut('a/b', 'pull'), /terminal id/);
    for (const bad of ['', 'Site', 'a b', 'x'.repeat(33)]) assert.throws(() => assertSiteId(bad), RangeError, bad);
    assert.doesNotThrow(() => assertTerminalId('door-1'));
  });
});
