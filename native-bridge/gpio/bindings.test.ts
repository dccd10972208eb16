import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import koffi from 'koffi';

import {
  GPIO_GET_CHIPINFO_IOCTL,
  GPIO_GET_LINEHANDLE_IOCTL,
  GPIO_V2_GET_LINE_IOCTL,
  GPIO_V2_LINE_ATTR_ID_DEBOUNCE,
  GPIO_V2_LINE_ATTR_ID_FLAGS,
  GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES,
  GPIO_V2_LINE_FLAG_ACTIVE_LOW,
  GPIO_V2_LINE_EVENT_FALLING_EDGE,
  GPIO_V2_LINE_EVENT_RISING_EDGE,
  GPIO_V2_LINE_FLAG_BIAS_DISABLED,
  GPIO_V2_LINE_FLAG_BIAS_PULL_DOWN,
  GPIO_V2_LINE_FLAG_BIAS_PULL_UP,
  GPIO_V2_LINE_FLAG_EDGE_FALLING,
  GPIO_V2_LINE_FLAG_EDGE_RISING,
  GPIO_V2_LINE_FLAG_INPUT,
  GPIO_V2_LINE_FLAG_OPEN_DRAIN,
  GPIO_V2_LINE_FLAG_OUTPUT,
  GPIO_V2_LINE_GET_VALUES_IOCTL,
  GPIO_V2_LINE_SET_CONFIG_IOCTL,
  GPIO_V2_LINE_SET_VALUES_IOCTL,
  GPIOHANDLE_GET_LINE_VALUES_IOCTL,
  GPIOHANDLE_REQUEST_ACTIVE_LOW,
  GPIOHANDLE_REQUEST_INPUT,
  GPIOHANDLE_REQUEST_OUTPUT,
  GPIOHANDLE_SET_LINE_VALUES_IOCTL,
  GpioChipInfo,
  GpioHandleData,
  GpioHandleRequest,
  GpioV2LineAttribute,
  GpioV2LineConfig,
  GpioV2LineConfigAttribute,
  GpioV2LineEvent,
  GpioV2LineRequest,
  GpioV2LineValues,
} from './bindings.js';

// Expected values: reference/rk3568-platform.md §5.1 (identical on arm64 and x86_64).
describe('GPIO uAPI struct layouts (koffi vs reference §5.1)', () => {
  const offsets = (type: Parameters<typeof koffi.offsetof>[0], members: Record<string, number>): void => {
    for (const [member, offset] of Object.entries(members)) assert.equal(koffi.offsetof(type, member), offset, member);
  };

  it('gpiochip_info: 68 B', () => {
    assert.equal(koffi.sizeof(GpioChipInfo), 68);
    offsets(GpioChipInfo, { name: 0, label: 32, lines: 64 });
  });

  it('gpiohandle_request: 364 B, lineoffsets@0, flags@256, default_values@260, consumer_label@324, lines@356, fd@360', () => {
    assert.equal(koffi.sizeof(GpioHandleRequest), 364);
    offsets(GpioHandleRequest, { lineoffsets: 0, flags: 256, default_values: 260, consumer_label: 324, lines: 356, fd: 360 });
  });

  it('gpiohandle_data: 64 B', () => {
    assert.equal(koffi.sizeof(GpioHandleData), 64);
  });

  it('gpio_v2_line_config: 272 B, flags@0, num_attrs@8, padding@12, attrs[10]@32 of 24 B each', () => {
    assert.equal(koffi.sizeof(GpioV2LineAttribute), 16);
    offsets(GpioV2LineAttribute, { id: 0, padding: 4, u: 8 });
    assert.equal(koffi.sizeof(GpioV2LineConfigAttribute), 24);
    offsets(GpioV2LineConfigAttribute, { attr: 0, mask: 16 });
    assert.equal(koffi.sizeof(GpioV2LineConfig), 272);
    offsets(GpioV2LineConfig, { flags: 0, num_attrs: 8, padding: 12, attrs: 32 });
  });

  it('gpio_v2_line_request: 592 B, offsets@0, consumer@256, config@288, num_lines@560, event_buffer_size@564, padding@568, fd@588', () => {
    assert.equal(koffi.sizeof(GpioV2LineRequest), 592);
    offsets(GpioV2LineRequest, { offsets: 0, consumer: 256, config: 288, num_lines: 560, event_buffer_size: 564, padding: 568, fd: 588 });
  });

  it('gpio_v2_line_values: 16 B {u64 bits; u64 mask}', () => {
    assert.equal(koffi.sizeof(GpioV2LineValues), 16);
    offsets(GpioV2LineValues, { bits: 0, mask: 8 });
  });

  // Not in the reference: from <linux/gpio.h> compiled with gcc on x86_64 (the layout has no LP64-dependent member).
  it('gpio_v2_line_event: 48 B, timestamp_ns@0, id@8, offset@12, seqno@16, line_seqno@20, padding[6]@24', () => {
    assert.equal(koffi.sizeof(GpioV2LineEvent), 48);
    offsets(GpioV2LineEvent, { timestamp_ns: 0, id: 8, offset: 12, seqno: 16, line_seqno: 20, padding: 24 });
  });
});

describe('GPIO ioctl numbers and flags', () => {
  it('match reference §5.1', () => {
    assert.equal(GPIO_GET_CHIPINFO_IOCTL, 0x8044b401);
    assert.equal(GPIO_GET_LINEHANDLE_IOCTL, 0xc16cb403);
    assert.equal(GPIOHANDLE_GET_LINE_VALUES_IOCTL, 0xc040b408);
    assert.equal(GPIOHANDLE_SET_LINE_VALUES_IOCTL, 0xc040b409);
    assert.equal(GPIO_V2_GET_LINE_IOCTL, 0xc250b407);
    assert.equal(GPIO_V2_LINE_SET_CONFIG_IOCTL, 0xc110b40d);
    assert.equal(GPIO_V2_LINE_GET_VALUES_IOCTL, 0xc010b40e);
    assert.equal(GPIO_V2_LINE_SET_VALUES_IOCTL, 0xc010b40f);
  });

  it('flag values match reference §5.1', () => {
    assert.equal(GPIO_V2_LINE_FLAG_INPUT, 0x4);
    assert.equal(GPIO_V2_LINE_FLAG_OUTPUT, 0x8);
    assert.equal(GPIO_V2_LINE_FLAG_ACTIVE_LOW, 0x2);
    assert.equal(GPIO_V2_LINE_FLAG_OPEN_DRAIN, 0x40);
    assert.equal(GPIO_V2_LINE_FLAG_BIAS_DISABLED, 0x400);
    // <linux/gpio.h>: _BITULL(4), (5), (8), (9); event ids 1 and 2.
    assert.deepEqual([GPIO_V2_LINE_FLAG_EDGE_RISING, GPIO_V2_LINE_FLAG_EDGE_FALLING, GPIO_V2_LINE_FLAG_BIAS_PULL_UP, GPIO_V2_LINE_FLAG_BIAS_PULL_DOWN], [0x10, 0x20, 0x100, 0x200]);
    assert.deepEqual([GPIO_V2_LINE_EVENT_RISING_EDGE, GPIO_V2_LINE_EVENT_FALLING_EDGE], [1, 2]);
    assert.deepEqual([GPIO_V2_LINE_ATTR_ID_FLAGS, GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES, GPIO_V2_LINE_ATTR_ID_DEBOUNCE], [1, 2, 3]);
    assert.deepEqual([GPIOHANDLE_REQUEST_INPUT, GPIOHANDLE_REQUEST_OUTPUT, GPIOHANDLE_REQUEST_ACTIVE_LOW], [1, 2, 4]);
  });
});
