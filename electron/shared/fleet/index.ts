// What the hub and its terminals share: the messages, their topics, and how the hub signs what it sends.
export * from './bundle.js';
export * from './messages.js';
export * from './signing.js';
export * from './topics.js';
