import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { lineName } from './GpioFields.js';

describe('GPIO line names', () => {
  test("a Rockchip bank's lines carry the schematic's pin name; other chips only the offset", () => {
    assert.equal(lineName({ label: 'gpio3', lines: 32 }, 7), '7 — GPIO3_A7');
    assert.equal(lineName({ label: 'gpio0', lines: 32 }, 29), '29 — GPIO0_D5');
    assert.equal(lineName({ label: 'rk817-gpio', lines: 1 }, 0), '0');
  });
});
