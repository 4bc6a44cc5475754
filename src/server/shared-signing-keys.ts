// SA signing keys shared through the store: every replica follows the Secret with a watch and swaps in the new key
// set on each change, so a rotation (or retirement) on one replica reaches all of them; open/rotate races re-read.
import { StorageError, type Storage, type Watcher } from '../apiserver/storage/interface.ts';
import { openSigningKeys, type SigningKeys } from '../pki/signing-keys.ts';
import { SIGNING_KEYS_SECRET_NAME, retryOnRaceLost, sharedSecretKey, storeSigningKeyStore } from './shared-secrets.ts';

export interface SharedSigningKeys extends SigningKeys {
  /** Re-reads the key set from the store now (also done on every watch event). */
  reload(): Promise<void>;
  stop(): void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms).unref());

export async function openSharedSigningKeys(storage: Storage, log: (m: string) => void, name = SIGNING_KEYS_SECRET_NAME): Promise<SharedSigningKeys> {
  const SIGNING_KEYS_SECRET_KEY = sharedSecretKey(name);
  // A fresh SigningKeyStore per open: its save() is a CAS against exactly the version that instance loaded.
  const open = () => openSigningKeys(storeSigningKeyStore(storage, name));
  let current = await retryOnRaceLost(open);
  let stopped = false;
  let watcher: Watcher | undefined;
  let chain: Promise<unknown> = Promise.resolve();

  /** Runs reloads and writes one at a time, in the order they were asked for. */
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = chain.then(fn);
    chain = next.catch(() => undefined);
    return next;
  };
  const load = async (): Promise<void> => {
    if (stopped) return;
    if (!(await storage.get(SIGNING_KEYS_SECRET_KEY))) {
      log(`signing keys: ${SIGNING_KEYS_SECRET_KEY} was deleted; keeping the keys in memory`);
      return;
    }
    const before = current.activeKid;
    current = await open();
    if (current.activeKid !== before) log(`signing keys: active key is now ${current.activeKid}`);
  };
  const reload = (): Promise<void> => serial(load);

  /** Follows the Secret; if the watch ends (storage re-listing), re-reads and watches again. */
  const follow = async (): Promise<void> => {
    for (let delay = 100; !stopped; delay = Math.min(delay * 2, 5000)) {
      try {
        const { rv } = await storage.list(SIGNING_KEYS_SECRET_KEY, { limit: 1 });
        watcher = storage.watch(SIGNING_KEYS_SECRET_KEY, rv, (ev) => {
          if (ev.key === SIGNING_KEYS_SECRET_KEY) reload().catch((e) => log(`signing keys: reload failed: ${(e as Error).message}`));
        }, (err) => {
          watcher = undefined;
          if (!stopped) { log(`signing keys: watch ended (${err.message}); re-following`); void follow(); }
        });
        await reload(); // anything changed before the watch started
        return;
      } catch (e) {
        if (!(e instanceof StorageError)) log(`signing keys: cannot follow ${SIGNING_KEYS_SECRET_KEY}: ${(e as Error).message}`);
        await sleep(delay);
      }
    }
  };
  await follow();

  return {
    get activeKid() { return current.activeKid; },
    signingKey: () => current.signingKey(),
    verificationKey: (kid) => current.verificationKey(kid),
    jwks: () => current.jwks(),
    // Each starts from a fresh read; if another replica wrote in between, the CAS fails and it starts over.
    rotate: () => serial(() => retryOnRaceLost(async () => { await load(); return current.rotate(); })),
    retire: (kid) => serial(() => retryOnRaceLost(async () => { await load(); await current.retire(kid); })),
    reload,
    stop() {
      stopped = true;
      watcher?.stop();
      watcher = undefined;
    },
  };
}
