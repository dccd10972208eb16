/** Whether `value` is a plain object of keys (not null, not an array): a settings record or one of its parts. */
export const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
