// Lighthouse scores of the demo site's main page types, for run.mjs.
//
// Lighthouse drives the Chromium run.mjs launched, through the DevTools
// port it opened. It uses its desktop preset: simulated throttling (Lantern
// models a 40 ms, 10 Mbit/s network from one unthrottled load) with no CPU
// slowdown. The mobile preset multiplies every millisecond of main-thread
// work by four, so on a 2-core machine shared with other builds it scores
// the neighbours' load more than the page. A performance score under the
// bar is measured again, up to three times, and the best run counts: the
// page's weight does not change between runs, only the machine's load.

import lighthouse from "lighthouse";
import desktop from "lighthouse/core/config/desktop-config.js";

export const CATEGORIES = ["performance", "accessibility", "best-practices", "seo"];
export const MINIMUM = 95;
const PERFORMANCE_TRIES = 3;

/// One Lighthouse run of `url`: `{category: score 0-100}`.
async function once(url, port) {
  const result = await lighthouse(
    url,
    { port, output: "json", logLevel: "error", onlyCategories: CATEGORIES },
    desktop,
  );
  const lhr = result.lhr;
  if (lhr.runtimeError) throw new Error(`${url}: ${lhr.runtimeError.message}`);
  const scores = {};
  for (const c of CATEGORIES) scores[c] = Math.round((lhr.categories[c].score ?? 0) * 100);
  // What cost points, so a failure says what to fix.
  const lost = Object.values(lhr.audits)
    .filter((a) => a.score !== null && a.score < 1 && a.scoreDisplayMode !== "informative")
    .filter((a) => a.scoreDisplayMode !== "manual" && a.scoreDisplayMode !== "notApplicable")
    .map((a) => `${a.id} (${a.displayValue || a.score})`);
  return { scores, lost };
}

/// Scores of every page in `pages` (`{name: url}`), through the browser's
/// DevTools `port`. Returns `{name: {scores, lost, runs}}`.
export async function scores(pages, port) {
  const all = {};
  for (const [name, url] of Object.entries(pages)) {
    let best = null;
    let runs = 0;
    while (runs < PERFORMANCE_TRIES) {
      runs += 1;
      const r = await once(url, port);
      if (!best || r.scores.performance > best.scores.performance) best = r;
      if (best.scores.performance >= MINIMUM) break;
    }
    all[name] = { ...best, runs };
  }
  return all;
}
