import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

  test('a given data folder is kept between runs: its data and password survive a restart', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'lintel-pg-kept-'));
    // The server's user (postgres, when this runs as root) must reach the folder.
    chmodSync(parent, 0o755);
    try {
      const dataDir = join(parent, 'postgres');
      const first = await startPostgresServer({ dataDir, durable: false });
      const client = new pg.Client({ connectionString: first.connectionString });
      await client.connect();
      await client.query('CREATE TABLE kept (n integer); INSERT INTO kept VALUES (42)');
      await client.end();
      await first.stop();
      assert.equal(existsSync(join(dataDir, 'PG_VERSION')), true);

      const second = await startPostgresServer({ dataDir, durable: false });
      try {
        assert.equal(second.password, first.password);
        const again = new pg.Client({ connectionString: second.connectionString });
        await again.connect();
        const { rows } = await again.query<{ n: number }>('SELECT n FROM kept');
        await again.end();
        assert.deepEqual(rows, [{ n: 42 }]);
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });
});
