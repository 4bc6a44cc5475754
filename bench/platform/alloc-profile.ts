// bench/platform --alloc-profile: V8's sampling heap profiler over a phase, counting objects a GC already collected
// (the short-lived garbage of provisioning, not only what survives), written as a .heapprofile (Chrome DevTools).
import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';

/**
 * Starts sampling (one sample per 32 KB allocated); the returned function stops and writes the profile to `file`.
 * `survivors`: only objects no scavenge collected (promoted to the old generation, or still live at the end).
 */
export async function allocationProfile(survivors = false, interval = 32 * 1024): Promise<(file: string) => Promise<void>> {
  const session = new Session();
  session.connect();
  const post = <T>(method: string, params?: object) => new Promise<T>((resolve, reject) => {
    session.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res as T)));
  });
  await post('HeapProfiler.enable');
  await post('HeapProfiler.startSampling', { samplingInterval: interval, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: !survivors });
  return async (file) => {
    const { profile } = await post<{ profile: unknown }>('HeapProfiler.stopSampling');
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  };
}
