/* Salon search: searches the index the build writes under /search/
   (docs/search.md) in the page; no other host is asked. */
'use strict';
(() => {
const PAGE = 10, WORDS = 10;
// Term shard bytes a query may fetch; with PAGE document shards it stays
// under 1 MB. The word being typed is completed only if its shards fit.
const BUDGET = 700 * 1024;
const esc = s => s.replace(/[&<>"]/g, c => `&#${c.charCodeAt(0)};`);

/** A search over the index files that `load(name, version)` fetches. */
function engine(load) {
  let man, keys, fold;
  const cache = new Map();
  const get = name => {
    if (!cache.has(name)) cache.set(name, load(name, man.version));
    return cache.get(name);
  };
  // Text folded as src/search/terms.rs does, and where each folded
  // character came from.
  const folded = s => {
    let out = '';
    const from = [];
    for (let i = 0; i < s.length;) {
      const ch = String.fromCodePoint(s.codePointAt(i));
      let f = ch < '\x80' ? ch.toLowerCase() : fold && fold[ch];
      if (f == null) f = ch.normalize('NFKD').replace(/[^\0-\x7f]/g, '').toLowerCase() || ' ';
      for (const c of f) { out += c; from.push(i); }
      i += ch.length;
    }
    return { out, from };
  };
  const ready = async texts => {
    if (!fold && man.fold && texts.some(t => /[^\0-\x7f]/.test(t))) fold = await get('fold.json');
  };
  // The shard holding `w`: the longest key `w` starts with.
  const home = w => {
    for (let n = w.length; n >= 0; n--) if (keys.has(w.slice(0, n))) return w.slice(0, n);
  };
  const ids = s => {
    const out = [];
    if (!s) return out;
    const b = atob(s);
    let i = 1;
    const num = () => {
      let v = 0, m = 1, c;
      do { c = b.charCodeAt(i++); v += (c & 127) * m; m *= 128; } while (c > 127);
      return v;
    };
    if (b.charCodeAt(0)) {
      const o = num() * 8;
      for (let k = i; k < b.length; k++)
        for (let j = 0, c = b.charCodeAt(k); j < 8; j++) if (c >> j & 1) out.push(o + (k - i) * 8 + j);
    } else for (let p = 0; i < b.length;) out.push(p += num());
    return out;
  };

  /** Ranked hits of query `q`: `{hits: [[id, score]], words, prefix}`, or
      null when it has no word of two letters or more. */
  async function search(q) {
    if (!man) {
      man = await load('index.json');
      keys = new Map(Object.entries(man.terms));
    }
    await ready([q]);
    const f = folded(q).out;
    const all = f.split(/[^a-z0-9]+/).filter(w => w.length >= man.min_term && w.length <= man.max_term);
    const words = [...new Set(all)].slice(0, WORDS);
    if (!words.length) return null;
    // The last word is completed while it is being typed.
    let prefix = /[a-z0-9]$/.test(f) && words.includes(all[all.length - 1]) && all[all.length - 1];
    const exact = words.filter(w => w !== prefix);
    let need = new Set(exact.map(home));
    if (prefix) {
      const more = new Set([...need, home(prefix), ...[...keys.keys()].filter(k => k.startsWith(prefix))]);
      more.delete(undefined);
      if ([...more].reduce((n, k) => n + keys.get(k), 0) <= BUDGET) need = more;
      else { exact.push(prefix); need.add(home(prefix)); prefix = ''; }
    }
    need.delete(undefined);
    const shards = await Promise.all([...need].map(k => get(`t-${k}.json`)));
    // Per word, each document's best score: title 4, tags and authors 2, text 1.
    const score = (map, entry) => {
      const got = new Map();
      entry.forEach((set, f) => ids(set).forEach(id => got.set(id, (got.get(id) || 0) + [4, 2, 1][f])));
      got.forEach((s, id) => { if (!(map.get(id) >= s)) map.set(id, s); });
    };
    const tests = exact.map(w => t => t === w);
    if (prefix) tests.push(t => t.startsWith(prefix));
    const per = tests.map(ok => {
      const m = new Map();
      for (const sh of shards) for (const t in sh) if (ok(t)) score(m, sh[t]);
      return m;
    });
    per.sort((a, b) => a.size - b.size);
    const hits = [];
    per[0].forEach((s, id) => {
      for (const m of per.slice(1)) { if (!m.has(id)) return; s += m.get(id); }
      hits.push([id, s]);
    });
    // Best first; among equals the newer, which has the larger id.
    hits.sort((a, b) => b[1] - a[1] || b[0] - a[0]);
    return { hits, words: exact, prefix };
  }

  /** Rows `[title, path, kind, date, excerpt]` of documents `list`. */
  async function docs(list) {
    const per = man.per_shard;
    const rows = await Promise.all(list.map(id => get(`d-${Math.floor(id / per)}.json`)));
    const out = list.map((id, i) => rows[i][id % per]);
    await ready(out.flatMap(r => [r[0], r[4]]));
    return out;
  }

  /** `text` as HTML with the words `found` matched in <mark>; cut to about
      `width` characters around the first match when given. */
  function mark(text, found, width) {
    const { out, from } = folded(text);
    const spans = [];
    for (const m of out.matchAll(/[a-z0-9]+/g)) {
      const w = m[0];
      if (found.words.includes(w) || (found.prefix && w.startsWith(found.prefix))) {
        const last = from[m.index + w.length - 1];
        spans.push([from[m.index], last + (text.codePointAt(last) > 0xffff ? 2 : 1)]);
      }
    }
    let a = 0, b = text.length;
    if (width && b > width) {
      const at = spans.length ? spans[0][0] : 0;
      if (at > width / 3) a = text.lastIndexOf(' ', Math.min(at - width / 3, b - width)) + 1;
      b = Math.min(b, a + width);
      const sp = text.lastIndexOf(' ', b);
      if (b < text.length && sp > a + width / 2) b = sp;
    }
    let html = a ? '…' : '', pos = a;
    for (const [s, e] of spans) {
      if (s < pos || e > b) continue;
      html += esc(text.slice(pos, s)) + '<mark>' + esc(text.slice(s, e)) + '</mark>';
      pos = e;
    }
    return html + esc(text.slice(pos, b)) + (b < text.length ? '…' : '');
  }

  return { search, docs, mark };
}

if (typeof module === 'object') module.exports = { engine };
const form = typeof document === 'object' && document.getElementById('search-form');
if (!form) return;

const input = document.getElementById('search-input');
const list = document.getElementById('search-results');
const status = document.getElementById('search-status');
const more = document.getElementById('search-more');
const dir = form.dataset.index.replace(/[^/]*$/, '');
const base = form.dataset.base;
const find = engine((name, v) =>
  fetch(dir + name + (v ? '?v=' + v : ''), v ? {} : { cache: 'no-cache' }).then(r => {
    if (!r.ok) throw new Error(`${name}: ${r.status}`);
    return r.json();
  }));
let run = 0, timer = 0, shown = 0, found = null;
const say = text => { status.textContent = text; };

async function page(current) {
  const batch = found.hits.slice(shown, shown + PAGE);
  const rows = await find.docs(batch.map(h => h[0]));
  if (current !== run) return;
  for (const [title, path, kind, date, excerpt] of rows) {
    const li = document.createElement('li');
    li.innerHTML = `<a href="${esc(base + path)}">${find.mark(title, found)}</a>` +
      ` <span class="search-kind">${kind[0].toUpperCase() + kind.slice(1)}${date ? ' · ' + date : ''}</span>` +
      (excerpt ? `<p class="search-snippet">${find.mark(excerpt, found, 180)}</p>` : '');
    list.append(li);
  }
  shown += batch.length;
  if (more) more.hidden = shown >= found.hits.length;
}

async function go() {
  const q = input.value.trim();
  const current = ++run;
  history.replaceState(null, '', q ? '?q=' + encodeURIComponent(q) : location.pathname);
  try {
    const res = q ? await find.search(q) : null;
    if (current !== run) return;
    list.textContent = '';
    if (more) more.hidden = true;
    shown = 0;
    found = res;
    if (!res) return say(q ? 'Type a word of two letters or more.' : '');
    const n = res.hits.length;
    say(n ? `${n} result${n > 1 ? 's' : ''} for “${q}”` : `No results for “${q}”`);
    if (n) await page(current);
  } catch (e) {
    if (current === run) say('Search is unavailable: ' + e.message);
  }
}

if (more) more.onclick = () => {
  const first = list.children.length;
  page(run).then(() => list.children[first]?.querySelector('a').focus());
};
input.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(go, 150); });
form.addEventListener('submit', e => { e.preventDefault(); clearTimeout(timer); go(); });
// Arrow keys move between the search box and the results.
form.parentNode.addEventListener('keydown', e => {
  const step = { ArrowDown: 1, ArrowUp: -1 }[e.key];
  const links = [input, ...list.querySelectorAll('a')];
  const next = step && links[links.indexOf(document.activeElement) + step];
  if (next && links.includes(document.activeElement)) { e.preventDefault(); next.focus(); }
});
const q = new URLSearchParams(location.search).get('q');
if (q) { input.value = q; go(); }
})();
