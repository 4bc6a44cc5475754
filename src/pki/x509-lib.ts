// The one place @peculiar/x509 is loaded: installs the Reflect metadata polyfill it needs (reflect-metadata) and the WebCrypto provider.
// Import x509 from here, never from '@peculiar/x509' directly.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(globalThis.crypto);

export { x509 };
