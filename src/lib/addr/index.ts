/** Addresses: the one parser and formatter of IP addresses, prefixes and ADDR:PORT, and the one Family type. Pure. */
export * from './endpoint';
export * from './ip';
