import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { createOriginPolicy, parsePublicOrigin } from './origin-policy.js';

const machine = { addresses: ['127.0.0.1', '192.168.1.20', '::1', 'fe80::1'], hostname: 'door-3' };

describe('origin policy', () => {
  test('on loopback: the loopback names on the served port, nothing else', () => {
    const policy = createOriginPolicy({ scheme: 'http', bindHost: '127.0.0.1', port: 7300, machine });
    for (const host of ['127.0.0.1:7300', 'localhost:7300', 'LOCALHOST:7300', '[::1]:7300']) assert.equal(policy.hostAllowed(host), true, host);
    for (const host of ['evil.example:7300', '127.0.0.1:7301', '127.0.0.1', '192.168.1.20:7300', 'door-3:7300', '', undefined]) {
      assert.equal(policy.hostAllowed(host), false, String(host));
    }
    assert.equal(policy.originAllowed('http://localhost:7300'), true);
    assert.equal(policy.originAllowed('http://127.0.0.1:7300'), true);
    for (const origin of ['http://evil.example:7300', 'https://localhost:7300', 'http://localhost:7301', 'null', 'http://localhost']) {
      assert.equal(policy.originAllowed(origin), false, origin);
    }
  });

  test('bound to every address: this machine’s addresses and name as well', () => {
    const policy = createOriginPolicy({ scheme: 'http', bindHost: '0.0.0.0', port: 7300, machine });
    for (const host of ['192.168.1.20:7300', '[fe80::1]:7300', 'door-3:7300', 'door-3.local:7300', 'localhost:7300']) assert.equal(policy.hostAllowed(host), true, host);
    assert.equal(policy.hostAllowed('evil.example:7300'), false);
    assert.equal(policy.hostAllowed('192.168.1.21:7300'), false);
    assert.equal(policy.originAllowed('http://192.168.1.20:7300'), true);
  });

  test('bound to one address: that address', () => {
    const policy = createOriginPolicy({ scheme: 'https', bindHost: '10.0.0.5', port: 8443, machine });
    assert.equal(policy.hostAllowed('10.0.0.5:8443'), true);
    assert.equal(policy.originAllowed('https://10.0.0.5:8443'), true);
    assert.equal(policy.originAllowed('http://10.0.0.5:8443'), false, 'the scheme served is https');
    assert.equal(policy.hostAllowed('192.168.1.20:8443'), false);
  });

  test('a public origin behind a proxy: its host with or without the default port', () => {
    const policy = createOriginPolicy({ scheme: 'http', bindHost: '127.0.0.1', port: 7300, publicOrigin: 'https://Door.Example.com', machine });
    for (const host of ['door.example.com', 'door.example.com:443', 'localhost:7300']) assert.equal(policy.hostAllowed(host), true, host);
    assert.equal(policy.hostAllowed('door.example.com:7300'), false);
    assert.equal(policy.originAllowed('https://door.example.com'), true);
    assert.equal(policy.originAllowed('http://door.example.com'), false);
    const withPort = createOriginPolicy({ scheme: 'http', bindHost: '127.0.0.1', port: 7300, publicOrigin: 'https://door.example.com:8443', machine });
    assert.equal(withPort.hostAllowed('door.example.com:8443'), true);
    assert.equal(withPort.hostAllowed('door.example.com'), false);
    assert.equal(withPort.originAllowed('https://door.example.com:8443'), true);
  });

  test('a public origin that is not one is refused, naming what is wrong', () => {
    assert.throws(() => parsePublicOrigin('door.example.com'), /like https:\/\/door\.example\.com/);
    assert.throws(() => parsePublicOrigin('ftp://door.example.com'), /https:\/\/ or http:\/\//);
    assert.throws(() => parsePublicOrigin('https://door.example.com/lintel'), /no path/);
    assert.equal(parsePublicOrigin('https://door.example.com/').origin, 'https://door.example.com');
  });
});
