/* Salon search: searches the index the build writes under /search/
   (docs/search.md) in the page; no other host is asked. */
'use strict';
(() => {
const PAGE = 10, WORDS = 10, CHECK = 50;
// Term shard bytes a query may fetch; the word being typed is completed
// only if its shards fit, so a query stays under 1 MB.
const BUDGET = 700 * 1024;
// Character classes as src/search/terms.rs has them.
const LATIN = /[\u00c0-\u024f\u1e00-\u1eff\ufb00-\ufb06\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]/u;
const CJK = /[\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f\u{20000}-\u{2ffff}]/u;
const LETTER = /[\p{Alphabetic}\p{N}]/u;
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const esc = s => s.replace(/[&<>"]/g, c => `&#${c.charCodeAt(0)};`);
// Whether `a` and `b` are one insertion, deletion, change or swap of
// two neighbours apart.
const edit1 = (a, b) => {
  a = [...a]; b = [...b];
  if (a.length < b.length) [a, b] = [b, a];
  let i = 0;
  while (a[i] === b[i] && i < b.length) i++;
  const rest = (x, y) => a.slice(x).join() === b.slice(y).join();
  return a.length - b.length < 2 && (a.length > b.length ? rest(i + 1, i) :
    rest(i + 1, i + 1) || a[i] === b[i + 1] && a[i + 1] === b[i] && rest(i + 2, i + 2));
};

/** A search over the index files that `load(name, version)` fetches. */
function engine(load) {
  let man, keys, fold, filt, starts;
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
      let f;
      if (ch < '\x80') f = ch.toLowerCase();
      else if (LATIN.test(ch)) {
        f = fold && fold[ch];
        if (f == null) f = ch.normalize('NFKD').replace(/[^\0-\x7f]/g, '').toLowerCase();
        if (!/[a-z0-9]/.test(f)) f = ' ';
      } else if (CJK.test(ch)) f = ch;
      else f = LETTER.test(ch) ? ch.toLowerCase() : ' ';
      for (const c of f) { out += c; from.push(i); }
      i += ch.length;
    }
    return { out, from };
  };
  // Terms of folded text with where they are: words and CJK pairs.
  const tokens = out => {
    const toks = [];
    let w = '', wa = 0, run = [];
    const endWord = i => {
      const n = [...w].length;
      if (n >= man.min_term && n <= man.max_term) toks.push({ t: w, a: wa, b: i });
      w = '';
    };
    const endRun = () => {
      if (run.length === 1) toks.push({ t: run[0][0], a: run[0][1], b: run[0][1] + run[0][0].length, cjk: true });
      run = [];
    };
    for (let i = 0; i < out.length;) {
      const ch = String.fromCodePoint(out.codePointAt(i));
      if (CJK.test(ch)) {
        endWord(i);
        const prev = run[run.length - 1];
        if (prev) toks.push({ t: prev[0] + ch, a: prev[1], b: i + ch.length, cjk: true });
        run.push([ch, i]);
      } else if (ch < '\x80' ? /[a-z0-9]/.test(ch) : LETTER.test(ch)) {
        endRun();
        if (!w) wa = i;
        w += ch;
      } else { endWord(i); endRun(); }
      i += ch.length;
    }
    endWord(out.length);
    endRun();
    return toks;
  };
  const terms = s => tokens(folded(s).out).map(t => t.t);
  const ready = async texts => {
    if (!fold && man.fold && texts.some(t => /[^\0-\x7f]/.test(t))) fold = await get('fold.json');
  };
  // The shard holding `w`: the longest key `w` starts with.
  const home = w => {
    for (let cs = [...w], n = cs.length; n >= 0; n--) if (keys.has(cs.slice(0, n).join(''))) return cs.slice(0, n).join('');
  };
  const file = k => `t-${k.replace(/[^a-z0-9]/gu, c => `_${c.codePointAt(0).toString(16)}_`)}.json`;
  const shards = new Map();
  const fetchShards = list => Promise.all([...new Set(list)].filter(k => k !== undefined)
    .map(async k => shards.set(k, await get(file(k)))));
  // A key's entry: `[ids, weights(, other stems)]` for a stem, or the
  // stems of a word that is none.
  const entry = k => { const sh = shards.get(home(k)); return sh && Object.hasOwn(sh, k) ? sh[k] : undefined; };
  const stemsOf = e => e === undefined ? [] : Array.isArray(e) ? (e[2] ? e[2].split(' ') : []) : e.split(' ');
  const ids = s => {
    const out = [], b = atob(s);
    if (!s) return out;
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

  /** Ranked hits of query `q`: `{hits: [[id, score]], words, prefix,
      stems, partial}` (partial: no document has every word, these have
      the most), or null when it has no word. */
  async function search(q) {
    if (!man) {
      man = await load('index.json');
      keys = new Map(Object.entries(man.terms));
    }
    await ready([q]);
    const f = folded(q.replace(/[“”„]/g, '"')).out;
    const toks = tokens(f);
    const words = [...new Set(toks.map(t => t.t))].slice(0, WORDS);
    if (!words.length) return null;
    // Quoted words must follow each other.
    const phrases = [...f.matchAll(/"([^"]+)"/g)].map(m => terms(m[1]).join(' ')).filter(p => p.includes(' '));
    // The last word is completed while it is being typed.
    const last = toks[toks.length - 1];
    let prefix = last.b === f.length && words.includes(last.t) && last.t;
    const exact = words.filter(w => w !== prefix);
    let need = new Set(exact.map(home));
    if (prefix) {
      const more = new Set([...need, home(prefix), ...[...keys.keys()].filter(k => k.startsWith(prefix))]);
      more.delete(undefined);
      if ([...more].reduce((n, k) => n + keys.get(k), 0) <= BUDGET) need = more;
      else { exact.push(prefix); need.add(home(prefix)); prefix = ''; }
    }
    await fetchShards([...need]);
    // A word not in the index: a typo when it has five letters or more
    // and its shard has words one edit away, else its longest start that
    // is a key, at most four letters shorter (`gardens` for `garden`).
    const near = w => {
      const cs = [...w], out = [];
      for (let n = cs.length - 1; n >= Math.max(3, cs.length - 4) && !CJK.test(w); n--) out.push(cs.slice(0, n).join(''));
      return out;
    };
    const typos = w => [...w].length < 5 || CJK.test(w) ? [] : Object.keys(shards.get(home(w)) || {}).filter(k => edit1(k, w));
    const looked = new Map(exact.map(w => [w, [w]]));
    await fetchShards(exact.filter(w => entry(w) === undefined).flatMap(near).map(home));
    for (const w of exact) if (entry(w) === undefined) {
      const t = typos(w);
      looked.set(w, t.length ? t : [near(w).find(p => entry(p) !== undefined) || w]);
    }
    await fetchShards(exact.flatMap(w => looked.get(w).flatMap(k => stemsOf(entry(k)))).map(home));
    const stems = new Set();
    // Per word, each document's best BM25 weight (the build's, by field,
    // frequency and length) over the word's stems.
    const score = (m, key) => {
      const e = entry(key);
      for (const k of [...Array.isArray(e) ? [key] : [], ...stemsOf(e)]) {
        const s = entry(k);
        if (!Array.isArray(s)) continue;
        stems.add(k);
        // A key of many documents has flags, a bit a document, for
        // digits: set, the word is in the title (8 · 4); clear, once in
        // the text (8 · 1).
        const w = s[1], flags = w[0] === '!';
        ids(s[0]).forEach((id, i) => {
          const v = flags ? (B64.indexOf(w[1 + (i / 6 | 0)]) >> i % 6 & 1 ? 32 : 8) : 2 ** (B64.indexOf(w[i]) / 8);
          if (!(m.get(id) >= v)) m.set(id, v);
        });
      }
    };
    const per = exact.map(w => {
      const m = new Map();
      for (const k of looked.get(w)) score(m, k);
      return m;
    });
    if (prefix) {
      const m = new Map();
      for (const k of need) for (const t in shards.get(k)) if (t.startsWith(prefix)) score(m, t);
      per.push(m);
    }
    // Times the word's rarity, BM25's idf.
    for (const m of per) {
      const idf = Math.log(1 + (man.documents - m.size + 0.5) / (m.size + 0.5));
      m.forEach((s, id) => m.set(id, s * idf));
    }
    // Documents with every word; when there are none, those with the most.
    const count = new Map(), sum = new Map();
    for (const m of per) m.forEach((s, id) => { count.set(id, (count.get(id) || 0) + 1); sum.set(id, (sum.get(id) || 0) + s); });
    let most = 0;
    count.forEach(n => { if (n > most) most = n; });
    let hits = [];
    if (most) count.forEach((n, id) => { if (n === most) hits.push([id, sum.get(id)]); });
    // Best first; among equals the newer, which has the larger id.
    hits.sort((a, b) => b[1] - a[1] || b[0] - a[0]);
    // A phrase is looked for in the text of the best documents having
    // its words, until a page of them is found.
    if (phrases.length) {
      const ok = [];
      for (let i = 0; i < Math.min(hits.length, CHECK) && ok.length < PAGE; i += PAGE) {
        const batch = hits.slice(i, i + PAGE), rows = await docs(batch.map(h => h[0]));
        batch.forEach((h, j) => {
          const t = ` ${terms(rows[j][0]).join(' ')} ${terms(rows[j][4]).join(' ')} `;
          if (phrases.every(p => t.includes(` ${p} `))) ok.push(h);
        });
      }
      hits = ok;
    }
    return { hits, words: exact, prefix, stems: [...stems], partial: hits.length > 0 && most < per.length };
  }

  /** `[shard, row]`: where document `id` is. Every `man.window`
      documents are cut into k shards of equal length, shard j starting
      at floor(j * length / k); `man.shards` gives each window's k as a base64
      digit, a run of n windows of the same k written `<digit>*<n>`.
      `starts[w]` is the first shard of window w. */
  function place(id) {
    const W = man.window;
    if (!starts) {
      starts = [0];
      const t = man.shards;
      for (let i = 0; i < t.length;) {
        const k = B64.indexOf(t[i++]);
        let n = 1;
        if (t[i] === '*') {
          const from = ++i;
          while (t[i] >= '0' && t[i] <= '9') i++;
          n = +t.slice(from, i);
        }
        for (; n > 0; n--) starts.push(starts[starts.length - 1] + k);
      }
    }
    const w = Math.floor(id / W), len = Math.min(W, man.documents - w * W);
    const k = starts[w + 1] - starts[w], at = id - w * W;
    let j = 0;
    while (Math.floor((j + 1) * len / k) <= at) j++;
    return [starts[w] + j, at - Math.floor(j * len / k)];
  }

  /** Rows `[title, path, kind, date, text(, headings)]` of documents `list`. */
  async function docs(list) {
    const at = list.map(place);
    const rows = await Promise.all(at.map(([n]) => get(`d-${n}.json`)));
    const out = at.map(([, r], i) => rows[i][r]);
    await ready(out.flatMap(r => [r[0], r[4]]));
    return out;
  }

  // `text` as HTML with the words `found` matched in <mark> (the words as
  // typed, words starting with the prefix or a stem found, CJK pairs of
  // the query), cut to about `width` characters around the passage with
  // the most different matched words when given; and where it starts.
  function cut(text, found, width) {
    const { out, from } = folded(text);
    const spans = [];
    const stems = found.stems.filter(s => [...s].length >= 3);
    for (const tk of tokens(out)) {
      const w = tk.t;
      if (found.words.includes(w) || (found.prefix && w.startsWith(found.prefix)) ||
          (!tk.cjk && stems.some(s => w.startsWith(s)))) {
        const lastAt = from[tk.b - 1];
        const end = lastAt + (text.codePointAt(lastAt) > 0xffff ? 2 : 1);
        const prev = spans[spans.length - 1];
        if (prev && from[tk.a] <= prev[1]) prev[1] = Math.max(prev[1], end);
        else spans.push([from[tk.a], end, w]);
      }
    }
    let a = 0, b = text.length, at = 0, best = 0;
    for (const [s] of spans) {
      const n = new Set(spans.filter(x => x[0] >= s && x[1] <= s + width * 0.7).map(x => x[2])).size;
      if (n > best) { best = n; at = s; }
    }
    if (width && b > width) {
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
    return [html + esc(text.slice(pos, b)) + (b < text.length ? '…' : ''), at];
  }

  /** `text` as HTML with the words of `found` marked. */
  const mark = (text, found) => cut(text, found)[0];

  /** A row's snippet: `{html, anchor}`, the anchor of the last heading
      before its best passage, if any. */
  function snippet(row, found) {
    const [html, at] = cut(row[4], found, 180);
    return { html, anchor: ((row[5] || []).filter(h => h[0] <= at).pop() || [])[1] };
  }

  // Per filter (kind, tag, author, year), each document's values, from
  // filters.json: loaded only to filter or count.
  const filters = async () => {
    if (!filt) {
      const f = await get('filters.json');
      filt = {};
      for (const g in f) {
        const m = filt[g] = new Map();
        for (const v in f[g]) for (const id of ids(f[g][v])) m.has(id) ? m.get(id).push(v) : m.set(id, [v]);
      }
    }
    return filt;
  };

  /** The hits in every filter of `sel` (`{kind: 'post', year: '2024'}`). */
  async function only(hits, sel) {
    const f = await filters();
    return hits.filter(([id]) => Object.keys(sel).every(g => !sel[g] || (f[g]?.get(id) || []).includes(sel[g])));
  }

  /** How many of `hits` each value of each filter has, with the other
      filters of `sel` applied: `{kind: {post: 3}, tag: {…}, …}`. */
  async function counts(hits, sel = {}) {
    const f = await filters(), c = {};
    for (const g in f) {
      c[g] = {};
      for (const [id] of await only(hits, { ...sel, [g]: '' })) for (const v of f[g].get(id) || []) c[g][v] = (c[g][v] || 0) + 1;
    }
    return c;
  }

  return { search, docs, mark, snippet, counts, only };
}

if (typeof module === 'object') module.exports = { engine };
const form = typeof document === 'object' && document.getElementById('search-form');
if (!form) return;

const $ = id => document.getElementById('search-' + id);
const input = $('input'), list = $('results'), status = $('status'), more = $('more');
const data = n => JSON.parse(form.dataset[n]);
const dir = form.dataset.index.replace(/[^/]*$/, '');
// Words by t_json; CLDR plurals; dates as the theme writes them.
const W = data('words'), P = new Intl.PluralRules(W.lang), FMT = data('date').text[''], MONTHS = data('months').text[''];
const tr = (k, v = {}, s = W.text[k]) =>
  (s.other ? s[P.select(v.count)] ?? s.other : s).replace(/\{(\w+)\}/g, (m, n) => v[n] ?? m);
const human = d => tr(0, { year: +d.slice(0, 4), month: MONTHS[d.slice(5, 7) - 1], month_number: +d.slice(5, 7), day: +d.slice(8) }, FMT);
const base = form.dataset.base;
const find = engine((name, v) =>
  fetch(dir + name + (v ? '?v=' + v : ''), v ? {} : { cache: 'no-cache' }).then(r => {
    if (!r.ok) throw new Error(`${name}: ${r.status}`);
    return r.json();
  }));
let run = 0, timer = 0, shown = 0, found = null;
// Filters with counts above the results: `?q=trust&kind=post&year=2024`.
const GROUPS = ['kind', 'tag', 'author', 'year'], KINDS = 'post thread page member comment'.split(' ');
const params = new URLSearchParams(location.search), sel = {};
for (const g of GROUPS) sel[g] = params.get(g) || '';
const bar = document.createElement('div');
bar.className = 'search-filters';
list.before(bar);
const address = (q, s = sel) => q ? '?' + new URLSearchParams([['q', q], ...GROUPS.filter(g => s[g]).map(g => [g, s[g]])]) : location.pathname;
async function showFilters(all, q, current) {
  const c = all.length ? await find.counts(all, sel) : {};
  if (current !== run) return;
  // A chosen tag, author or year is unchosen by choosing it again.
  const link = (g, v, label, n) =>
    `<a href="${esc(address(q, { ...sel, [g]: sel[g] === v && g !== 'kind' ? '' : v }))}" data-g="${g}" data-v="${esc(v)}"${sel[g] === v ? ' aria-current="true"' : ''}>${esc(label)} (${n})</a>`;
  const line = (g, vs) => vs.length ? `<p>${g === 'kind' ? '' : tr('filter_' + g) + ' '}${vs.map(([v, n]) => link(g, v, g === 'kind' ? tr(v ? 'kinds_' + v : 'all') : v, n)).join(' · ')}</p>` : '';
  const sorted = (g, by) => Object.entries(c[g] || {}).sort(by).filter(([v], i) => i < 8 || v === sel[g]);
  bar.innerHTML = line('kind', [['', Object.values(c.kind || {}).reduce((a, b) => a + b, 0)], ...KINDS.filter(k => c.kind?.[k]).map(k => [k, c.kind[k]])]) +
    ['tag', 'author'].map(g => line(g, sorted(g, (x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1)))).join('') +
    line('year', sorted('year', (x, y) => y[0] - x[0]));
  bar.hidden = !all.length;
}
bar.onclick = e => {
  const a = e.target.closest('a');
  if (a) { e.preventDefault(); const { g, v } = a.dataset; sel[g] = sel[g] === v && g !== 'kind' ? '' : v; go(); }
};
const say = text => { status.textContent = text; };

async function page(current) {
  const batch = found.hits.slice(shown, shown + PAGE);
  const rows = await find.docs(batch.map(h => h[0]));
  if (current !== run) return;
  for (const row of rows) {
    const [title, path, kind, date, text] = row, li = document.createElement('li'), s = find.snippet(row, found);
    li.innerHTML = `<a href="${esc(base + path)}">${find.mark(title, found)}</a>` +
      ` <span class="search-kind">${tr('kind_' + kind)}${date ? ` · <time datetime="${date}">${esc(human(date))}</time>` : ''}</span>` +
      (text ? `<p class="search-snippet">${s.anchor ? `<a href="${esc(base + path + '#' + s.anchor)}">${s.html}</a>` : s.html}</p>` : '');
    list.append(li);
  }
  shown += batch.length;
  if (more) more.hidden = shown >= found.hits.length;
}

async function go() {
  const q = input.value.trim();
  const current = ++run;
  history.replaceState(null, '', address(q));
  try {
    const res = q ? await find.search(q) : null;
    if (current !== run) return;
    list.textContent = '';
    if (more) more.hidden = true;
    shown = 0;
    found = res;
    if (!res) {
      bar.hidden = true;
      return say(q ? tr('too_short') : '');
    }
    const all = res.hits;
    if (GROUPS.some(g => sel[g])) res.hits = await find.only(all, sel);
    if (current !== run) return;
    const n = res.hits.length;
    say(tr(!n ? 'none' : res.partial ? 'partial' : 'results', { query: q, count: n }));
    if (n) await page(current);
    await showFilters(all, q, current);
  } catch (e) {
    if (current === run) say(tr('unavailable', { error: e.message }));
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
if (params.get('q')) { input.value = params.get('q'); go(); }
})();
