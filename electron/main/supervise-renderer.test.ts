import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, test } from 'node:test';

import { APP_ENTRY_URL } from './app-origin.js';
import { RestartBackoff } from './restart-backoff.js';
import { superviseRenderer, type SuperviseOptions } from './supervise-renderer.js';
import { memoryLogger } from './test/fakes.js';

function setup(hangLimitMs = 20) {
  const contents = Object.assign(new EventEmitter(), {
    loads: [] as string[],
    crashes: 0,
    destroyed: false,
    loadURL(url: string) {
      contents.loads.push(url);
      return Promise.resolve();
    },
    isDestroyed: () => contents.destroyed,
    forcefullyCrashRenderer() {
      contents.crashes++;
    },
  });
  const life = { pageChanges: 0, gone: 0 };
  const logger = memoryLogger();
  const stop = superviseRenderer({
    contents: contents as unknown as SuperviseOptions['contents'],
    connection: { pageChanged: () => void life.pageChanges++, rendererGone: () => void life.gone++ },
    logger,
    backoff: new RestartBackoff({ firstDelayMs: 5, maxDelayMs: 40 }),
    hangLimitMs,
  });
  return { contents, life, logger, stop };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('renderer supervisor', () => {
  test('a crash clears the session, is logged, and reloads our page after the back-off', async () => {
    const { contents, life, logger, stop } = setup();
    contents.emit('render-process-gone', {}, { reason: 'crashed', exitCode: 11 });
    assert.equal(life.gone, 1);
    assert.deepEqual(contents.loads, []);
    await sleep(20);
    assert.deepEqual(contents.loads, [APP_ENTRY_URL]);
    assert.ok(logger.lines.some((line) => line.message === 'renderer.gone' && line.fields.reason === 'crashed'));
    stop();
  });

  test('crashes in a row wait longer, and one reload is pending at a time', async () => {
    const { contents, logger, stop } = setup();
    contents.emit('render-process-gone', {}, { reason: 'oom', exitCode: 0 });
    contents.emit('render-process-gone', {}, { reason: 'oom', exitCode: 0 });
    await sleep(20);
    assert.equal(contents.loads.length, 1);
    contents.emit('render-process-gone', {}, { reason: 'oom', exitCode: 0 });
    const delays = logger.lines.filter((line) => line.message === 'renderer.reload-scheduled').map((line) => line.fields.delayMs);
    assert.deepEqual(delays, [5, 10]);
    stop();
  });

  test('no reload into destroyed contents; stop cancels a pending reload', async () => {
    const destroyed = setup();
    destroyed.contents.emit('render-process-gone', {}, { reason: 'killed', exitCode: 9 });
    destroyed.contents.destroyed = true;
    await sleep(20);
    assert.deepEqual(destroyed.contents.loads, []);

    const stopped = setup();
    stopped.contents.emit('render-process-gone', {}, { reason: 'killed', exitCode: 9 });
    stopped.stop();
    await sleep(20);
    assert.deepEqual(stopped.contents.loads, []);
  });

  test('a main-frame document navigation (load, reload) is a new page; in-page and subframe ones are not', () => {
    const { contents, life, stop } = setup();
    contents.emit('did-start-navigation', { isMainFrame: true, isSameDocument: false, url: APP_ENTRY_URL });
    contents.emit('did-start-navigation', { isMainFrame: true, isSameDocument: true, url: `${APP_ENTRY_URL}#/admin` });
    contents.emit('did-start-navigation', { isMainFrame: false, isSameDocument: false, url: APP_ENTRY_URL });
    assert.equal(life.pageChanges, 1);
    stop();
  });

  test('a page hung past the limit is crashed on purpose (and then reloaded); one that recovers is not', async () => {
    const hung = setup(10);
    hung.contents.emit('unresponsive');
    await sleep(25);
    assert.equal(hung.contents.crashes, 1);
    hung.stop();

    const recovered = setup(10);
    recovered.contents.emit('unresponsive');
    recovered.contents.emit('responsive');
    await sleep(25);
    assert.equal(recovered.contents.crashes, 0);
    recovered.stop();
  });

  test('a failed main-frame load is retried; an aborted one is not', async () => {
    const { contents, stop } = setup();
    contents.emit('did-fail-load', {}, -3, 'ERR_ABORTED', APP_ENTRY_URL, true);
    contents.emit('did-fail-load', {}, -6, 'ERR_FILE_NOT_FOUND', APP_ENTRY_URL, false);
    await sleep(20);
    assert.deepEqual(contents.loads, []);
    contents.emit('did-fail-load', {}, -6, 'ERR_FILE_NOT_FOUND', APP_ENTRY_URL, true);
    await sleep(20);
    assert.deepEqual(contents.loads, [APP_ENTRY_URL]);
    stop();
  });

  test('renderer warnings and errors reach the log', () => {
    const { contents, logger, stop } = setup();
    contents.emit('console-message', { level: 'error', message: 'boom', sourceId: 'app://lintel/assets/index.js', lineNumber: 3 });
    contents.emit('console-message', { level: 'info', message: 'quiet', sourceId: '', lineNumber: 1 });
    assert.deepEqual(
      logger.lines.filter((line) => line.message === 'renderer.console').map((line) => line.fields.message),
      ['boom'],
    );
    stop();
  });
});
