import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { downloadTarget } from './download-policy.js';

describe('downloads', () => {
  test('our own CSV export goes into the folder, without a dialog', () => {
    assert.equal(downloadTarget('/data/exports', 'blob:app://lintel/0b6f3a52-5d3c', 'lintel-events-2026-11-24.csv'), '/data/exports/lintel-events-2026-11-24.csv');
    assert.equal(downloadTarget('/data/exports', 'app://lintel/assets/x.csv', 'x.csv'), '/data/exports/x.csv');
  });

  test('anything from elsewhere is cancelled', () => {
    for (const url of ['https://evil.example/payload.sh', 'blob:https://evil.example/1', 'file:///etc/passwd', 'data:text/plain,hi', 'blob:null/1']) {
      assert.equal(downloadTarget('/data/exports', url, 'x.csv'), null, url);
    }
  });

  test('a suggested name cannot leave the folder or hide', () => {
    assert.equal(downloadTarget('/d', 'blob:app://lintel/1', '../../etc/cron.d/x'), '/d/x');
    assert.equal(downloadTarget('/d', 'blob:app://lintel/1', '..\\..\\x.csv'), '/d/x.csv');
    assert.equal(downloadTarget('/d', 'blob:app://lintel/1', '.bashrc'), '/d/bashrc');
    assert.equal(downloadTarget('/d', 'blob:app://lintel/1', 'a b;c$(d).csv'), '/d/a_b_c_d_.csv');
    assert.equal(downloadTarget('/d', 'blob:app://lintel/1', '..'), '/d/download');
    assert.equal(downloadTarget('/d', 'blob:app://lintel/1', 'x'.repeat(300))?.length, '/d/'.length + 120);
  });
});
