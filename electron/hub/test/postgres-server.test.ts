import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, test } from 'node:test';

import pg from 'pg';

import { startPostgresServer } from './postgres-server.js';

describe('startPostgresServer', () => {
  test('starts a cluster on 127.0.0.1 with password auth, and stop removes its temp folder', async () => {
    const server = await startPostgresServer({ durable: false });
    try {
      assert.equal(server.host, '127.0.0.1');
      const client = new pg.Client({ connectionString: server.connectionString });
      await client.connect();
      const { rows } = await client.query<{ db: string; listen: string }>("SELECT current_database() AS db, current_setting('listen_addresses') AS listen");
      await client.end();
      assert.deepEqual(rows[0], { db: 'lintel', listen: '127.0.0.1' });

      const wrong = new pg.Client({ host: server.host, port: server.port, user: server.user, password: 'not-the-password', database: server.database });
      await assert.rejects(wrong.connect(), /password authentication failed/);
      await wrong.end().catch(() => undefined);
    } finally {
      await server.stop();
    }
    assert.equal(existsSync(server.dataDir), false);
  });
});
