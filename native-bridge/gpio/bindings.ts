// koffi declarations of the GPIO character device uAPI (include/uapi/linux/gpio.h): v2 (Linux ≥ 5.10) for
// requesting and driving an output line and for input lines with edge events, v1 (Linux ≥ 4.8, the 4.19 BSP) as
// the outputs' fallback, and the chip info both share. Sizes and offsets are asserted in bindings.test.ts against reference/rk3568-platform.md §5.1. Calling the
// ioctls directly avoids libgpiod's v1/v2 ABI break (reference §0.10, §5.2).
import koffi from 'koffi';

import { _IOR, _IOWR } from '../libc/ioctl-number.js';

/** `GPIO_MAX_NAME_SIZE`: names and consumer labels are at most 31 bytes plus NUL. */
export const GPIO_MAX_NAME_SIZE = 32;
/** `GPIO_V2_LINES_MAX` (and v1's `GPIOHANDLES_MAX`): lines per request. */
export const GPIO_V2_LINES_MAX = 64;
/** `GPIO_V2_LINE_NUM_ATTRS_MAX`: attributes per line config. */
export const GPIO_V2_LINE_NUM_ATTRS_MAX = 10;

/** `struct gpiochip_info` (68 B): GPIO_GET_CHIPINFO_IOCTL, same in v1 and v2. */
export const GpioChipInfo = koffi.struct('lintel_gpiochip_info', {
  name: koffi.array('char', GPIO_MAX_NAME_SIZE),
  label: koffi.array('char', GPIO_MAX_NAME_SIZE),
  lines: 'uint32_t',
});

/** The value union of `struct gpio_v2_line_attribute` (8 B). */
export const GpioV2LineAttributeValue = koffi.union('lintel_gpio_v2_line_attribute_u', {
  flags: 'uint64_t',
  values: 'uint64_t',
  debounce_period_us: 'uint32_t',
});

/** `struct gpio_v2_line_attribute` (16 B). */
export const GpioV2LineAttribute = koffi.struct('lintel_gpio_v2_line_attribute', {
  id: 'uint32_t',
  padding: 'uint32_t',
  u: GpioV2LineAttributeValue,
});

/** `struct gpio_v2_line_config_attribute` (24 B): an attribute and the lines (bits of the request) it applies to. */
export const GpioV2LineConfigAttribute = koffi.struct('lintel_gpio_v2_line_config_attribute', {
  attr: GpioV2LineAttribute,
  mask: 'uint64_t',
});

/** `struct gpio_v2_line_config` (272 B). */
export const GpioV2LineConfig = koffi.struct('lintel_gpio_v2_line_config', {
  flags: 'uint64_t',
  num_attrs: 'uint32_t',
  padding: koffi.array('uint32_t', 5),
  attrs: koffi.array(GpioV2LineConfigAttribute, GPIO_V2_LINE_NUM_ATTRS_MAX),
});

/** `struct gpio_v2_line_request` (592 B): GPIO_V2_GET_LINE_IOCTL; the kernel writes the line fd into `fd`. */
export const GpioV2LineRequest = koffi.struct('lintel_gpio_v2_line_request', {
  offsets: koffi.array('uint32_t', GPIO_V2_LINES_MAX),
  consumer: koffi.array('char', GPIO_MAX_NAME_SIZE),
  config: GpioV2LineConfig,
  num_lines: 'uint32_t',
  event_buffer_size: 'uint32_t',
  padding: koffi.array('uint32_t', 5),
  fd: 'int32_t',
});

/** `struct gpio_v2_line_values` (16 B): bit i of `bits` is line i of the request, applied where `mask` has bit i. */
export const GpioV2LineValues = koffi.struct('lintel_gpio_v2_line_values', {
  bits: 'uint64_t',
  mask: 'uint64_t',
});

/**
 * `struct gpio_v2_line_event` (48 B): what read() on a line fd with edge detection returns, one per edge.
 * `timestamp_ns` is CLOCK_MONOTONIC unless the request asked for another clock; `id` is a GPIO_V2_LINE_EVENT_*;
 * `seqno` counts events of the request, `line_seqno` those of the line (a gap means the kernel's buffer overflowed).
 */
export const GpioV2LineEvent = koffi.struct('lintel_gpio_v2_line_event', {
  timestamp_ns: 'uint64_t',
  id: 'uint32_t',
  offset: 'uint32_t',
  seqno: 'uint32_t',
  line_seqno: 'uint32_t',
  padding: koffi.array('uint32_t', 6),
});

/** `struct gpiohandle_request` (364 B): v1 GPIO_GET_LINEHANDLE_IOCTL; the kernel writes the handle fd into `fd`. */
export const GpioHandleRequest = koffi.struct('lintel_gpiohandle_request', {
  lineoffsets: koffi.array('uint32_t', GPIO_V2_LINES_MAX),
  flags: 'uint32_t',
  default_values: koffi.array('uint8_t', GPIO_V2_LINES_MAX),
  consumer_label: koffi.array('char', GPIO_MAX_NAME_SIZE),
  lines: 'uint32_t',
  fd: 'int32_t',
});

/** `struct gpiohandle_data` (64 B): v1 line values, one byte per requested line. */
export const GpioHandleData = koffi.struct('lintel_gpiohandle_data', {
  values: koffi.array('uint8_t', GPIO_V2_LINES_MAX),
});

// v2 line flags (enum gpio_v2_line_flag; u64 in the struct, all below 2^32)
/** Active low: the kernel inverts, so "active" is the asserted level whatever the wiring. */
export const GPIO_V2_LINE_FLAG_ACTIVE_LOW = 0x2;
/** Input. */
export const GPIO_V2_LINE_FLAG_INPUT = 0x4;
/** Output. */
export const GPIO_V2_LINE_FLAG_OUTPUT = 0x8;
/** Open drain output. */
export const GPIO_V2_LINE_FLAG_OPEN_DRAIN = 0x40;
/** Open source output. */
export const GPIO_V2_LINE_FLAG_OPEN_SOURCE = 0x80;
/** Input: report rising edges (inactive to active). */
export const GPIO_V2_LINE_FLAG_EDGE_RISING = 0x10;
/** Input: report falling edges (active to inactive). */
export const GPIO_V2_LINE_FLAG_EDGE_FALLING = 0x20;
/** Pull-up bias enabled. */
export const GPIO_V2_LINE_FLAG_BIAS_PULL_UP = 0x100;
/** Pull-down bias enabled. */
export const GPIO_V2_LINE_FLAG_BIAS_PULL_DOWN = 0x200;
/** Bias disabled. */
export const GPIO_V2_LINE_FLAG_BIAS_DISABLED = 0x400;

// v2 edge event ids (enum gpio_v2_line_event_id)
/** Event: a rising edge (inactive to active; the kernel applies ACTIVE_LOW first). */
export const GPIO_V2_LINE_EVENT_RISING_EDGE = 1;
/** Event: a falling edge (active to inactive). */
export const GPIO_V2_LINE_EVENT_FALLING_EDGE = 2;
/** The kernel's event buffer holds `event_buffer_size` events, 16 per line when 0, at most 16 × GPIO_V2_LINES_MAX. */
export const GPIO_V2_LINE_EVENT_BUFFER_MAX = 16 * GPIO_V2_LINES_MAX;

// v2 attribute ids (enum gpio_v2_line_attr_id)
/** Attribute: flags for a subset of lines. */
export const GPIO_V2_LINE_ATTR_ID_FLAGS = 1;
/** Attribute: initial output values for a subset of lines. */
export const GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES = 2;
/** Attribute: input debounce period. */
export const GPIO_V2_LINE_ATTR_ID_DEBOUNCE = 3;

// v1 handle request flags
/** v1: input. */
export const GPIOHANDLE_REQUEST_INPUT = 0x1;
/** v1: output. */
export const GPIOHANDLE_REQUEST_OUTPUT = 0x2;
/** v1: active low. */
export const GPIOHANDLE_REQUEST_ACTIVE_LOW = 0x4;
/** v1: open drain. */
export const GPIOHANDLE_REQUEST_OPEN_DRAIN = 0x8;

// ioctl request numbers ('\xB4' is the GPIO ioctl type), computed from the declared sizes; bindings.test.ts checks
// them against reference §5.1.
/** Chip name, label and line count. */
export const GPIO_GET_CHIPINFO_IOCTL = _IOR(0xb4, 0x01, koffi.sizeof(GpioChipInfo));
/** v1: request lines as a handle. */
export const GPIO_GET_LINEHANDLE_IOCTL = _IOWR(0xb4, 0x03, koffi.sizeof(GpioHandleRequest));
/** v1: read line values of a handle. */
export const GPIOHANDLE_GET_LINE_VALUES_IOCTL = _IOWR(0xb4, 0x08, koffi.sizeof(GpioHandleData));
/** v1: set line values of a handle. */
export const GPIOHANDLE_SET_LINE_VALUES_IOCTL = _IOWR(0xb4, 0x09, koffi.sizeof(GpioHandleData));
/** v2: request lines. */
export const GPIO_V2_GET_LINE_IOCTL = _IOWR(0xb4, 0x07, koffi.sizeof(GpioV2LineRequest));
/** v2: reconfigure requested lines. */
export const GPIO_V2_LINE_SET_CONFIG_IOCTL = _IOWR(0xb4, 0x0d, koffi.sizeof(GpioV2LineConfig));
/** v2: read line values. */
export const GPIO_V2_LINE_GET_VALUES_IOCTL = _IOWR(0xb4, 0x0e, koffi.sizeof(GpioV2LineValues));
/** v2: set line values. */
export const GPIO_V2_LINE_SET_VALUES_IOCTL = _IOWR(0xb4, 0x0f, koffi.sizeof(GpioV2LineValues));
