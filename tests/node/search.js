// Runs themes/default/static/search.js against a built site's index from
// Node, for tests/integration/search.rs: `node search.js <out> <query>...`
// prints, per query (`query@kind=post&year=2024` filters as the page's
// address does), the ranked hits with their rows, marked HTML and
// snippets, the bytes of index files the query loaded, the milliseconds
// it took (reading files from disk included), and the count of hits of
// each value of each filter.
'use strict';
const fs = require('fs');
const path = require('path');
const [out, ...queries] = process.argv.slice(2);
// The script as the build shipped it (minified), so the minifier is held
// to every search test; the source when the site has none of its own.
const shipped = path.resolve(out, 'search.js');
const { engine } = require(fs.existsSync(shipped) ? shipped : '../../themes/default/static/search.js');
const dir = path.join(out, 'search');

(async () => {
  const results = [];
  for (const q of queries) {
    // A fresh engine per query: its bytes are those of a reader's first search.
    const files = [];
    const find = engine(async name => {
      const text = fs.readFileSync(path.join(dir, name), 'utf8');
      files.push([name, Buffer.byteLength(text)]);
      return JSON.parse(text);
    });
    // `query@filters` filters after the search, as the page does.
    const [text, filters] = q.split('@');
    const sel = Object.fromEntries(new URLSearchParams(filters || ''));
    const start = process.hrtime.bigint();
    const found = await find.search(text);
    const all = found ? found.hits : [];
    if (found && filters) found.hits = await find.only(all, sel);
    const top = found ? found.hits.slice(0, 10) : [];
    const rows = await find.docs(top.map(h => h[0]));
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    // What the search itself fetched; counting kinds fetches more.
    const fetched = files.slice();
    const counts = all.length ? await find.counts(all, sel) : {};
    results.push({
      query: q,
      total: found ? found.hits.length : 0,
      partial: found ? found.partial : false,
      hits: top.map(([id, score], i) => {
        const snippet = find.snippet(rows[i], found);
        return {
          id,
          score,
          title: rows[i][0],
          path: rows[i][1],
          kind: rows[i][2],
          date: rows[i][3],
          title_html: find.mark(rows[i][0], found),
          snippet_html: snippet.html,
          anchor: snippet.anchor || null,
        };
      }),
      files: fetched,
      bytes: fetched.reduce((n, f) => n + f[1], 0),
      ms,
      counts,
    });
  }
  process.stdout.write(JSON.stringify(results, null, 1));
})().catch(e => {
  console.error(e);
  process.exit(1);
});
