// Real-browser tests of the default theme, run by tests/integration/browser.rs
// against the demo site served by `salon serve` on 127.0.0.1.
//
//   node tests/browser/run.mjs http://127.0.0.1:PORT/
//
// Environment: SALON_CHROMIUM (default /usr/bin/chromium), SALON_BROWSER_OUT
// (default target/browser), SALON_EXPECT_SEARCH=1 when the theme has a
// search page (then the search step must pass, else it is skipped).
//
// One browser launch: a reader's journey (home → tag → post → nested reply
// → palette → search → member), then screenshots at 320, 390 and 1280 px
// with a horizontal overflow check, then axe-core on the same pages in
// every palette, light and dark, then Lighthouse (lighthouse.mjs) on the
// front, post, thread and member pages, then (with SALON_SITE, the served
// site's folder) live reload after an edit of the post. A failing step
// saves a screenshot and the run exits 1.

import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import net from "node:net";
import { chromium } from "playwright-core";
import * as lighthouse from "./lighthouse.mjs";

const require = createRequire(import.meta.url);
const base = new URL(process.argv[2] || "");
const out = process.env.SALON_BROWSER_OUT || "target/browser";
const shots = path.join(out, "screenshots");
const expectSearch = process.env.SALON_EXPECT_SEARCH === "1";
const axeSource = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
fs.mkdirSync(shots, { recursive: true });

const failures = [];
const log = (msg) => console.log(msg);

class StepError extends Error {}
const SKIPPED = Symbol("skipped");
function check(ok, msg) {
  if (!ok) throw new StepError(msg);
}

/// Runs a named step; a failure is recorded with a screenshot.
async function step(name, page, fn) {
  try {
    const skipped = (await fn()) === SKIPPED;
    log(`${skipped ? "skip" : "ok  "} ${name}`);
    return true;
  } catch (e) {
    const file = path.join(out, `failed-${name.replace(/[^a-z0-9]+/gi, "-")}.png`);
    await page.screenshot({ path: file, fullPage: true }).catch(() => {});
    failures.push(`${name}: ${e.message.split("\n")[0]} (screenshot: ${file})`);
    log(`FAIL ${name}: ${e.message}\n     screenshot: ${file}`);
    return false;
  }
}

/// A free TCP port on 127.0.0.1, for the DevTools port Lighthouse uses.
const freePort = () =>
  new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
const devtoolsPort = await freePort();

const browser = await chromium.launch({
  executablePath: process.env.SALON_CHROMIUM || "/usr/bin/chromium",
  // This machine's network is closed: keep Chromium from calling home.
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    `--remote-debugging-port=${devtoolsPort}`,
  ],
});

/// A fresh page that records requests to other hosts and script errors.
async function newPage(options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  const page = await context.newPage();
  page.setDefaultTimeout(10000);
  page.on("request", (r) => {
    const u = new URL(r.url());
    if (u.protocol.startsWith("http") && u.origin !== base.origin) {
      failures.push(`request to another host: ${r.url()} (from ${page.url()})`);
    }
  });
  page.on("pageerror", (e) => failures.push(`script error on ${page.url()}: ${e.message}`));
  return page;
}

const url = (p) => new URL(p.replace(/^\//, ""), base).href;
const bodyBg = (page) => page.evaluate(() => getComputedStyle(document.body).backgroundColor);

// ---------------------------------------------------------------- journey

const page = await newPage();
let postUrl = null;

await step("home page", page, async () => {
  await page.goto(url("/"));
  check((await page.locator("main h1").count()) === 1, "one h1 in main");
  check((await page.locator(".post-list article").count()) > 0, "posts listed");
  check(await page.locator("nav[aria-label=Main]").isVisible(), "main navigation visible");
});

await step("skip link and visible focus", page, async () => {
  await page.keyboard.press("Tab");
  const focused = () =>
    page.evaluate(() => {
      const a = document.activeElement;
      const r = a.getBoundingClientRect();
      const s = getComputedStyle(a);
      return { id: a.id, cls: a.className, top: r.top, outline: s.outlineStyle, width: s.outlineWidth };
    });
  const skip = await focused();
  check(skip.cls === "skip-link" && skip.top >= 0, `first Tab shows the skip link: ${JSON.stringify(skip)}`);
  check(skip.outline === "solid" && parseFloat(skip.width) >= 2, "the focused link has a ring");
  await page.keyboard.press("Enter");
  check((await focused()).id === "main", "the skip link moves focus to main");
});

await step("follow a tag to its archive", page, async () => {
  const tag = page.locator(".post-card .term-list.tags a", { hasText: /^Archiving$/ }).first();
  await Promise.all([page.waitForURL(/\/tags\/archiving\/$/), tag.click()]);
  const h1 = await page.locator("main h1").innerText();
  check(/Archiving/.test(h1), `archive heading: ${h1}`);
  check((await page.locator(".post-list article").count()) > 0, "tagged posts listed");
});

await step("open the post with the most comments", page, async () => {
  const cards = await page.locator(".post-card").evaluateAll((cards) =>
    cards.map((c) => ({
      href: c.querySelector(".card-title a").href,
      title: c.querySelector(".card-title a").textContent.trim(),
      comments: parseInt((c.querySelector('a[href$="#comments"]') || {}).textContent, 10) || 0,
    })),
  );
  cards.sort((a, b) => b.comments - a.comments);
  const target = cards[0];
  check(target && target.comments > 0, "a tagged post has comments");
  await Promise.all([
    page.waitForURL(target.href),
    page.locator(".post-card .card-title a", { hasText: target.title }).first().click(),
  ]);
  check((await page.locator("article.post h1").innerText()).includes(target.title), "post title");
  postUrl = page.url();
});

await step("see a nested comment reply", page, async () => {
  const reply = page.locator(".comment-list .replies article.comment").first();
  await reply.scrollIntoViewIfNeeded();
  check(await reply.isVisible(), "a reply is visible");
  // A deep reply names whom it answers, and its link leads there.
  const to = page.locator(".reply-to a").first();
  check(await to.isVisible(), "a deep reply says whom it answers");
  const target = (await to.getAttribute("href")).slice(1);
  await to.click();
  await page.waitForFunction((id) => location.hash === `#${id}`, target);
  const targeted = await page.locator(`#${target}`).evaluate((e) => e.matches(":target"));
  check(targeted, "the answered comment is the target");
});

await step("switch palette and reload", page, async () => {
  const before = await bodyBg(page);
  check(await page.locator("#palette-select").isVisible(), "the picker shows with JavaScript");
  await page.selectOption("#palette-select", "fire");
  const after = await bodyBg(page);
  check(after !== before, `background changes (${before} → ${after})`);
  // The choice survives a reload even with salon.js blocked: the inline
  // script in <head> applies it, before the first paint.
  await page.route("**/salon.js", (r) => r.abort());
  await page.reload();
  check((await page.evaluate(() => document.documentElement.dataset.palette)) === "fire", "kept");
  check((await bodyBg(page)) === after, "same colours after reload");
  await page.unroute("**/salon.js");
  await page.reload();
  check((await page.inputValue("#palette-select")) === "fire", "the picker shows the choice");
  await page.selectOption("#palette-select", "default");
});

await step("choose dark, then auto, next to the palette", page, async () => {
  // The reader's system is light here: "dark" must win over it.
  const light = await bodyBg(page);
  check(await page.locator("#scheme-select").isVisible(), "the scheme picker shows");
  await page.selectOption("#scheme-select", "dark");
  const dark = await bodyBg(page);
  check(dark !== light, `dark background (${light} → ${dark})`);
  // Every palette has its own dark colours under the choice.
  await page.selectOption("#palette-select", "water");
  const water = await bodyBg(page);
  check(water !== dark, `water's dark differs from default's (${water})`);
  await page.selectOption("#palette-select", "default");
  // Kept across a reload, before salon.js runs.
  await page.route("**/salon.js", (r) => r.abort());
  await page.reload();
  check((await bodyBg(page)) === dark, "still dark after a reload");
  await page.unroute("**/salon.js");
  await page.reload();
  check((await page.inputValue("#scheme-select")) === "dark", "the picker shows the choice");
  await page.selectOption("#scheme-select", "auto");
  check((await bodyBg(page)) === light, "auto follows the system again");
});

await step("fold a reply subtree", page, async () => {
  await page.goto(postUrl);
  const fold = page.locator("details.thread-fold").first();
  const replies = fold.locator(":scope > ol.replies");
  check(await replies.isVisible(), "replies show at first");
  await fold.locator(":scope > summary").click();
  check(!(await replies.isVisible()), "a click folds them");
  await fold.locator(":scope > summary").click();
  check(await replies.isVisible(), "and unfolds them");
});

await step("without JavaScript the site's palette shows", page, async () => {
  const plain = await newPage({ javaScriptEnabled: false });
  await plain.goto(url("/"));
  const palette = await plain.locator("html").getAttribute("data-palette");
  check(palette === "default", `site palette: ${palette}`);
  check(!(await plain.locator(".palette-picker").isVisible()), "no dead picker");
  await plain.context().close();
});

await step("search for a phrase from a post body and open the result", page, async () => {
  const has = (await page.request.get(url("/search/"))).ok();
  if (!has && !expectSearch) {
    log("     (this build has no /search/ page: the theme has no search.html)");
    return SKIPPED;
  }
  check(has, "/search/ exists");
  await page.goto(postUrl);
  // Four words in a row from the post's first paragraph, quoted: a reader
  // who remembers a phrase finds the post, however common its words.
  const word = await page
    .locator(".e-content p")
    .first()
    .evaluate((p) => {
      const words = p.textContent.split(/\s+/);
      for (let i = 0; i + 4 <= words.length; i++) {
        const run = words.slice(i, i + 4);
        if (run.every((w) => /^[A-Za-z]{2,}$/.test(w))) return `"${run.join(" ").toLowerCase()}"`;
      }
      throw new Error("no four plain words in a row");
    });
  const form = page.locator("header form[role=search], header a[href$='/search/']").first();
  check((await form.count()) === 1, "the header offers search");
  await page.goto(url("/search/"));
  await page.locator("#search-input").fill(word);
  const hit = page.locator(`#search-results li a[href="${new URL(postUrl).pathname}"]`).first();
  await hit.waitFor();
  check((await page.locator("#search-results mark").count()) > 0, "snippets highlight the word");
  await Promise.all([page.waitForURL(postUrl), hit.click()]);
  // A query in the address runs on load.
  await page.goto(url(`/search/?q=${encodeURIComponent(word)}`));
  await page.locator("#search-results li a").first().waitFor();
  await page.goto(postUrl);
});

await step("open a member page from a comment author link", page, async () => {
  const author = page.locator(".comment-author a[href*='/members/']").first();
  const href = await author.getAttribute("href");
  await Promise.all([page.waitForURL(new URL(href, base).href), author.click()]);
  check(await page.locator(".profile h1").isVisible(), "profile heading");
  const back = await page
    .locator("section[aria-labelledby=comments-title] a[href*='#comment-']")
    .evaluateAll((as) => as.map((a) => a.href));
  check(back.some((h) => h.startsWith(postUrl)), "the profile links back to the comment");
});

await page.context().close();

// ----------------------------------------------- screenshots and overflow

const palettes = ["default", "life", "earth", "wind", "water", "fire", "light"];
const axeResults = [];

/// Serious and critical axe violations on the current page.
async function axe(p, options) {
  if (!(await p.evaluate(() => "axe" in window))) await p.addScriptTag({ content: axeSource });
  const found = await p.evaluate((o) => window.axe.run(document, o), options);
  return found.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
}


const pages = {
  home: "/",
  post: postUrl ? new URL(postUrl).pathname : "/posts/leaving-a-platform-without-losing-the-room/",
  member: "/members/hmensah/",
  thread: "/threads/should-a-small-forum-federate/",
};

/// Elements wider than the viewport, or sticking out of it sideways;
/// scrolling code blocks and tables may hold wider content.
const overflow = () => {
  const vw = document.documentElement.clientWidth;
  const bad = [];
  for (const el of document.querySelectorAll("body *")) {
    if (el.parentElement.closest("pre, .prose table")) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    // Inside a closed <details>: laid out, never shown.
    if (!el.checkVisibility()) continue;
    if (r.right > vw + 1 || r.left < -1 || r.width > vw + 1) {
      const id = el.id ? `#${el.id}` : el.className ? `.${String(el.className).split(" ")[0]}` : "";
      bad.push(`${el.tagName.toLowerCase()}${id} [${Math.round(r.left)}, ${Math.round(r.right)}]`);
    }
  }
  return { scrollWidth: document.documentElement.scrollWidth, innerWidth, bad: bad.slice(0, 10) };
};

/// Tap targets under 44×44 px. A link inside a sentence is exempt (WCAG
/// 2.5.5's inline exception): one whose nearest block also holds text of
/// its own, outside the link.
const smallTargets = () => {
  const blockOf = (el) => {
    let b = el.parentElement;
    while (b && getComputedStyle(b).display.startsWith("inline")) b = b.parentElement;
    return b;
  };
  const inSentence = (el) => {
    const block = blockOf(el);
    if (!block) return false;
    const clone = block.cloneNode(true);
    const mark = "data-tap-probe";
    el.setAttribute(mark, "");
    const twin = block.querySelector(`[${mark}]`);
    el.removeAttribute(mark);
    const path = [];
    for (let n = twin; n !== block; n = n.parentNode) path.unshift([...n.parentNode.childNodes].indexOf(n));
    let n = clone;
    for (const i of path) n = n.childNodes[i];
    n.remove();
    return /[\p{L}\p{N}]/u.test(clone.textContent);
  };
  const bad = [];
  // A disabled control (a task list's box) is no target.
  for (const el of document.querySelectorAll("a[href], button:enabled, select:enabled, input:enabled, summary")) {
    const r = el.getBoundingClientRect();
    const s = getComputedStyle(el);
    if (r.width === 0 || r.height === 0 || s.visibility === "hidden" || r.bottom < 0) continue;
    if (!el.checkVisibility()) continue;
    if (el.matches("a") && inSentence(el)) continue;
    if (r.width < 43.5 || r.height < 43.5) {
      const what = el.textContent.trim().slice(0, 30) || el.getAttribute("aria-label") || el.tagName;
      bad.push(`${el.tagName.toLowerCase()}.${String(el.className).split(" ")[0]} "${what}" ${Math.round(r.width)}×${Math.round(r.height)}`);
    }
  }
  return bad;
};

// 320 px is the narrowest phone still sold; 390 px the common one.
for (const width of [320, 390, 1280]) {
  const p = await newPage({ viewport: { width, height: 900 } });
  for (const [name, path_] of Object.entries(pages)) {
    await step(`no horizontal overflow: ${name} at ${width} px`, p, async () => {
      await p.goto(url(path_));
      await p.screenshot({ path: path.join(shots, `${name}-${width}.png`), fullPage: true });
      const o = await p.evaluate(overflow);
      check(o.scrollWidth <= o.innerWidth, `page is ${o.scrollWidth} px wide in ${o.innerWidth}`);
      check(o.bad.length === 0, `wider than the viewport: ${o.bad.join(", ")}`);
      // Deep threads: at most five thread lines beside a reply (three on
      // a phone), and its text keeps a readable share of the column.
      const deep = await p.evaluate(() => {
        let lines = 0;
        let narrowest = Infinity;
        for (const body of document.querySelectorAll(".comment-body")) {
          let n = 0;
          for (let e = body.parentElement; e; e = e.parentElement) {
            if (e.matches("ol.replies") && parseFloat(getComputedStyle(e).borderLeftWidth) > 0) n += 1;
          }
          lines = Math.max(lines, n);
          narrowest = Math.min(narrowest, body.getBoundingClientRect().width);
        }
        const column = document.querySelector("main").getBoundingClientRect().width;
        return { lines, share: narrowest / column };
      });
      if (name === "post") {
        check(deep.lines <= (width < 600 ? 3 : 5), `${deep.lines} thread lines side by side`);
        // 50% of a 42rem column is still a 40-character line.
        const least = width < 600 ? 0.6 : 0.5;
        check(deep.share > least, `the deepest reply keeps ${Math.round(deep.share * 100)}% of the column`);
      }
      if (width === 390) {
        const small = await p.evaluate(smallTargets);
        check(small.length === 0, `tap targets under 44×44 px: ${small.slice(0, 12).join("; ")}`);
      }
      const v = await axe(p, { resultTypes: ["violations"] });
      axeResults.push({ page: name, scheme: `light ${width} px`, palette: "default", violations: v.length });
      check(v.length === 0, `axe at ${width} px: ${v.map((x) => x.id).join(", ")}`);
    });
  }
  await p.context().close();
}

await step("the phone header is one row, its menu folded", page, async () => {
  const p = await newPage({ viewport: { width: 390, height: 800 } });
  await p.goto(url("/"));
  const box = (sel) => p.locator(sel).first().boundingBox();
  const [brand, menu, search] = await Promise.all([
    box(".brand"),
    box(".header-fold > summary"),
    box(".search-link"),
  ]);
  const mid = (b) => b.y + b.height / 2;
  check(
    Math.abs(mid(brand) - mid(menu)) < 4 && Math.abs(mid(menu) - mid(search)) < 4,
    `one row: ${JSON.stringify([brand, menu, search])}`,
  );
  check(!(await p.locator("nav.site-nav").isVisible()), "the menu is folded");
  await p.locator(".header-fold > summary").click();
  check(await p.locator("nav.site-nav").isVisible(), "the menu opens");
  check(await p.locator("#palette-select").isVisible(), "the palette is in the menu");
  const small = await p.evaluate(smallTargets);
  check(small.length === 0, `tap targets in the open menu: ${small.join("; ")}`);
  await p.context().close();
});

// The directory, the archive, the tags index and the not-found page: on a
// phone too, nothing sticks out and every target is big enough.
{
  const p = await newPage({ viewport: { width: 390, height: 900 } });
  for (const path_ of ["/members/", "/archive/", "/tags/", "/tags/moderation/", "/404.html"]) {
    await step(`tap targets and overflow: ${path_} at 390 px`, p, async () => {
      await p.goto(url(path_));
      const o = await p.evaluate(overflow);
      check(o.scrollWidth <= o.innerWidth, `page is ${o.scrollWidth} px wide in ${o.innerWidth}`);
      check(o.bad.length === 0, `wider than the viewport: ${o.bad.join(", ")}`);
      const small = await p.evaluate(smallTargets);
      check(small.length === 0, `tap targets under 44×44 px: ${small.slice(0, 12).join("; ")}`);
    });
  }
  await p.context().close();
}

// ------------------------------------------------------------ accessibility

for (const scheme of ["light", "dark"]) {
  const p = await newPage({ colorScheme: scheme });
  for (const [name, path_] of Object.entries(pages)) {
    await step(`axe: ${name}, ${scheme}, every palette`, p, async () => {
      await p.goto(url(path_));
      const problems = [];
      // Every rule once in the default palette; contrast in all of them.
      for (const palette of palettes) {
        await p.evaluate((v) => (document.documentElement.dataset.palette = v), palette);
        const options =
          palette === "default"
            ? { resultTypes: ["violations"] }
            : { runOnly: ["color-contrast"], resultTypes: ["violations"] };
        const v = await axe(p, options);
        axeResults.push({ page: name, scheme, palette, violations: v.length });
        for (const x of v) {
          const nodes = x.nodes.slice(0, 3).map((n) => n.target.join(" ")).join("; ");
          problems.push(`${palette}: ${x.id} (${x.impact}) at ${nodes}`);
        }
      }
      if (scheme === "dark" && name === "home") {
        await p.evaluate(() => (document.documentElement.dataset.palette = "default"));
        await p.screenshot({ path: path.join(shots, "home-1280-dark.png"), fullPage: true });
      }
      check(problems.length === 0, problems.join("\n"));
    });
  }
  await p.context().close();
}

// -------------------------------------------------------------- lighthouse

const lighthousePages = Object.fromEntries(Object.entries(pages).map(([k, v]) => [k, url(v)]));
const found = await lighthouse.scores(lighthousePages, devtoolsPort).catch((e) => {
  failures.push(`lighthouse: ${e.message}`);
  return {};
});
for (const [name, r] of Object.entries(found)) {
  const line = lighthouse.CATEGORIES.map((c) => `${c} ${r.scores[c]}`).join(", ");
  log(`lighthouse ${name}: ${line} (${r.runs} run${r.runs > 1 ? "s" : ""})`);
  const low = lighthouse.CATEGORIES.filter((c) => r.scores[c] < lighthouse.MINIMUM);
  if (low.length > 0) {
    failures.push(
      `lighthouse ${name}: ${low.join(", ")} under ${lighthouse.MINIMUM}; lost points: ${r.lost.join(", ")}`,
    );
  }
}
fs.writeFileSync(path.join(out, "lighthouse.json"), JSON.stringify(found, null, 2));

// ------------------------------------------------------------- live reload

// Last, as it edits the site: a reload names the files a rebuild changed,
// and only a tab showing (or having loaded) one of them reloads.
const site = process.env.SALON_SITE;
if (site && postUrl) {
  const edited = await newPage();
  const other = await newPage();
  await step("live reload: the tab showing the edited post reloads, no other", edited, async () => {
    await edited.goto(postUrl);
    await other.goto(url("/code-of-conduct/"));
    // Gone once a tab loads its page again.
    for (const p of [edited, other]) await p.evaluate(() => (window.salonMark = true));
    const slug = new URL(postUrl).pathname.split("/").filter(Boolean).pop();
    const dir = path.join(site, "content/posts");
    const file = fs.readdirSync(dir).find((f) => f === `${slug}.md` || f.endsWith(`-${slug}.md`));
    check(file, `the post's file in ${dir}`);
    fs.appendFileSync(path.join(dir, file), "\n\nA sentence the open tab shows.\n");
    await edited.waitForFunction(() => document.body.textContent.includes("A sentence the open tab shows."));
    check(!(await edited.evaluate(() => window.salonMark)), "the edited post's tab loaded it again");
    // The rebuild told every tab at once; give the other one time to act.
    await other.waitForTimeout(1000);
    check(await other.evaluate(() => window.salonMark === true), "a page the edit left alone stays as it was");
  });
  await step("live reload: a changed picture reloads the pages showing it", edited, async () => {
    const member = url("/members/hmensah/");
    await edited.goto(member);
    await other.goto(url("/code-of-conduct/"));
    const avatar = await edited.evaluate(() =>
      Array.from(document.images, (i) => new URL(i.src).pathname).find((p) => p.includes("hmensah")),
    );
    check(avatar, "the member page shows the member's picture");
    for (const p of [edited, other]) await p.evaluate(() => (window.salonMark = true));
    const file = path.join(site, "static", decodeURIComponent(avatar));
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("</svg>", "<!-- changed --></svg>"));
    await edited.waitForFunction(() => window.salonMark !== true, null, { polling: 100 });
    await other.waitForTimeout(1000);
    check(await other.evaluate(() => window.salonMark === true), "a page without the picture stays");
  });
  await edited.context().close();
  await other.context().close();
}

await browser.close();

const runs = axeResults.length;
const clean = axeResults.filter((r) => r.violations === 0).length;
log(`axe: ${clean} of ${runs} page/palette/scheme runs without serious or critical violations`);
log(`screenshots: ${shots}`);
if (failures.length > 0) {
  console.error(`\n${failures.length} failure(s):\n- ${failures.join("\n- ")}`);
  process.exit(1);
}
log("browser tests passed");
