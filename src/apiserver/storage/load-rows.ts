// The watch cache's load (cacher.ts) of a backend's rows as they are stored (Storage.listRaw), without parsing most
// of them: each logical cluster's rows become one cold cluster (CacheIndex.putRaw: their JSON text joined into the
// Stored[] JSON its restore parses), so a start parses only what it uses. Parsed at once: root-level keys, clusters
// too small to be held cold, and shared-set marker rows (the shared view needs their uid and rv).
import type { KObject, Stored } from './interface.ts';
import { COLD_MIN_ROWS, PART_ROWS, parsedRow, type RawPart } from './cache-index.ts';
import { isMarkerKey } from './shared-sets.ts';

/** A cluster held cold: its rows in parts of at most PART_ROWS (CacheIndex.putRaw). */
export interface ColdCluster { prefix: string; parts: RawPart[] }

export interface LoadedRows {
  /** Parsed, deep-frozen records to hold warm. */
  warm: Stored[];
  cold: ColdCluster[];
  /** The marker rows of the cold clusters, parsed. */
  markers: Stored[];
}

/** Takes rows in key order (`row`, a Storage.listRaw listener), then `done()` sorts them. */
export class RowSorter {
  private readonly out: LoadedRows = { warm: [], cold: [], markers: [] };
  /** The cluster whose rows are arriving ('' for root-level keys), its rows as Stored JSON, keys and markers. */
  private prefix = '';
  private parts: string[] = [];
  private keys: string[] = [];
  private markers: Stored[] = [];

  readonly row = (key: string, rv: number, json: string): void => {
    if (this.prefix === '' || !key.startsWith(this.prefix)) this.begin(key);
    if (this.prefix === '') {
      this.out.warm.push(parsedRow(key, rv, JSON.parse(json) as KObject));
      return;
    }
    this.keys.push(key);
    this.parts.push(`{"key":${JSON.stringify(key)},"rv":${rv},"object":${json}}`);
    if (isMarkerKey(key)) this.markers.push(parsedRow(key, rv, JSON.parse(json) as KObject));
  };

  done(): LoadedRows {
    this.flush();
    return this.out;
  }

  private begin(key: string): void {
    this.flush();
    const slash = key.indexOf('/', 1);
    this.prefix = slash < 0 ? '' : key.slice(0, slash + 1);
  }

  private flush(): void {
    if (this.keys.length === 0) return;
    if (this.keys.length < COLD_MIN_ROWS) {
      const rows = JSON.parse(`[${this.parts.join(',')}]`) as Stored[];
      for (const r of rows) this.out.warm.push(parsedRow(r.key, r.rv, r.object));
    } else {
      const parts: RawPart[] = [];
      for (let i = 0; i < this.keys.length; i += PART_ROWS) {
        const json = `[${this.parts.slice(i, i + PART_ROWS).join(',')}]`;
        parts.push({ json, keys: this.keys.slice(i, i + PART_ROWS) });
      }
      this.out.cold.push({ prefix: this.prefix, parts });
      this.out.markers.push(...this.markers);
    }
    this.parts = [];
    this.keys = [];
    this.markers = [];
  }
}
