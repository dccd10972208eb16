import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { FakeGpioChip } from '../../../native-bridge/gpio/fake-gpio-chip.js';
import { FakeSyscalls } from '../../../native-bridge/libc/fake-syscalls.js';
import { doorInputsConfigSchema } from '../../shared/shapes/door-inputs.js';
import { parseDoorOutputsConfig } from './create-door-outputs.js';
import { chipProbe, gpioLineUses, missingLineProblems, sharedLineProblems } from './gpio-lines-check.js';

const outputs = parseDoorOutputsConfig([
  { kind: 'log' },
  { kind: 'gpio', chipPath: '/dev/gpiochip3', line: 7 },
  { kind: 'wiegand', chipPath: '/dev/gpiochip3', d0Line: 4, d1Line: 40 },
  { kind: 'wiegand', name: 'sysfs', driverPath: '/sys/class/wiegand/wiegand0/send' },
]);

describe('the GPIO lines of the door settings', () => {
  test('every line with its field and purpose; the inputs may not take a line an output drives', () => {
    const inputs = doorInputsConfigSchema.parse({ contact: { chipPath: '/dev/gpiochip3', line: 4 }, exitButton: { chipPath: '/dev/gpiochip9', line: 7 } });
    const uses = gpioLineUses(outputs, inputs);
    assert.deepEqual(
      uses.map(({ setting, lineField, chipPath, line, purpose }) => `${setting} ${lineField} ${chipPath}:${line} ${purpose}`),
      [
        'door.outputs outputs[1] (gpio) line /dev/gpiochip3:7 the door relay "relay"',
        'door.outputs outputs[2] (wiegand) d0Line /dev/gpiochip3:4 Wiegand D0 of "wiegand"',
        'door.outputs outputs[2] (wiegand) d1Line /dev/gpiochip3:40 Wiegand D1 of "wiegand"',
        'door.inputs contact.line /dev/gpiochip3:4 the door contact',
        'door.inputs exitButton.line /dev/gpiochip9:7 the exit button',
      ],
    );
    assert.deepEqual(sharedLineProblems(uses), [
      { setting: 'door.inputs', message: 'contact.line: /dev/gpiochip3 line 4 is already Wiegand D0 of "wiegand" (door.outputs outputs[2] (wiegand) d0Line)' },
      { setting: 'door.outputs', message: 'outputs[2] (wiegand) d0Line: /dev/gpiochip3 line 4 is already the door contact (door.inputs contact.line)' },
    ]);
  });

  test('a chip that is not there, or a line it does not have, is named by its field; only the settings being saved are asked about', async () => {
    const sys = new FakeSyscalls();
    new FakeGpioChip({ name: 'gpiochip3', label: 'gpio3', lines: 32 }).install(sys, '/dev/gpiochip3');
    const inputs = doorInputsConfigSchema.parse({ contact: { chipPath: '/dev/gpiochip3', line: 5 }, exitButton: { chipPath: '/dev/gpiochip9', line: 1 } });
    const uses = gpioLineUses(outputs, inputs);
    const probe = chipProbe(sys);
    assert.deepEqual(await missingLineProblems(uses, ['door.outputs'], probe), [
      { setting: 'door.outputs', message: 'outputs[2] (wiegand) d1Line: /dev/gpiochip3 (gpio3) has lines 0–31, not 40' },
    ]);
    assert.deepEqual(await missingLineProblems(uses, ['door.inputs'], probe), [
      { setting: 'door.inputs', message: 'exitButton.chipPath: /dev/gpiochip9: no such GPIO chip on this terminal (`lintel doctor` lists them)' },
    ]);
    // Each chip opened once per check, and closed again.
    const before = sys.log.filter((record) => record.syscall === 'open').length;
    await missingLineProblems(uses, ['door.outputs', 'door.inputs'], probe);
    assert.equal(sys.log.filter((record) => record.syscall === 'open').length - before, 2);
    assert.deepEqual(sys.openFds(), []);
  });

  test("the card reader's D0 and D1 are lines of the door inputs: refused when an output drives one, or the chip lacks it", async () => {
    const sys = new FakeSyscalls();
    new FakeGpioChip({ name: 'gpiochip3', label: 'gpio3', lines: 32 }).install(sys, '/dev/gpiochip3');
    const inputs = doorInputsConfigSchema.parse({ contact: { chipPath: '/dev/gpiochip3', line: 5 }, cardReader: { chipPath: '/dev/gpiochip3', d0Line: 7, d1Line: 33 } });
    const uses = gpioLineUses(outputs, inputs);
    assert.deepEqual(
      uses.filter(({ setting }) => setting === 'door.inputs').map(({ lineField, chipField, chipPath, line, purpose }) => `${lineField} (${chipField}) ${chipPath}:${line} ${purpose}`),
      ['contact.line (contact.chipPath) /dev/gpiochip3:5 the door contact', "cardReader.d0Line (cardReader.chipPath) /dev/gpiochip3:7 the card reader's D0", "cardReader.d1Line (cardReader.chipPath) /dev/gpiochip3:33 the card reader's D1"],
    );
    assert.deepEqual(sharedLineProblems(uses), [
      { setting: 'door.inputs', message: 'cardReader.d0Line: /dev/gpiochip3 line 7 is already the door relay "relay" (door.outputs outputs[1] (gpio) line)' },
      { setting: 'door.outputs', message: "outputs[1] (gpio) line: /dev/gpiochip3 line 7 is already the card reader's D0 (door.inputs cardReader.d0Line)" },
    ]);
    assert.deepEqual(await missingLineProblems(uses, ['door.inputs'], chipProbe(sys)), [{ setting: 'door.inputs', message: 'cardReader.d1Line: /dev/gpiochip3 (gpio3) has lines 0–31, not 33' }]);
    const elsewhere = gpioLineUses([], doorInputsConfigSchema.parse({ cardReader: { chipPath: '/dev/gpiochip9', d0Line: 0, d1Line: 1 } }));
    assert.deepEqual(await missingLineProblems(elsewhere, ['door.inputs'], chipProbe(sys)), [
      { setting: 'door.inputs', message: 'cardReader.chipPath: /dev/gpiochip9: no such GPIO chip on this terminal (`lintel doctor` lists them)' },
    ]);
  });

  test('/dev/null through the real system calls is not a GPIO chip', async () => {
    const uses = gpioLineUses(parseDoorOutputsConfig([{ kind: 'gpio', chipPath: '/dev/null', line: 1 }]), doorInputsConfigSchema.parse({}));
    const [problem] = await missingLineProblems(uses, ['door.outputs'], chipProbe());
    assert.match(problem?.message ?? '', /^outputs\[0\] \(gpio\) chipPath: \/dev\/null: ioctl\(GPIO_GET_CHIPINFO_IOCTL\) on \/dev\/null failed: ENOTTY .*not a GPIO character device/);
  });
});
