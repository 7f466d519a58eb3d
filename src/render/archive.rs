//! The date archive's template variables: `/archive/`, `/<yyyy>/` and
//! `/<yyyy>/<mm>/`, and how many titles the first two list.

use serde_json::{json, Value};

use crate::model::{month_name, Month, Site};

/// The `month` template variable.
pub fn month_view(site: &Site, year: i32, m: &Month) -> Value {
    json!({
        "year": year,
        "month": m.month,
        "name": month_name(m.month),
        "url": site.config.url(&format!("/{year}/{:02}/", m.month)),
        "year_url": site.config.url(&format!("/{year}/")),
        "count": m.posts.len(),
    })
}

/// Whether a page whose title budget is `budget` lists `month`'s posts:
/// whole months only, newest first, until one does not fit.
pub fn archive_lists(budget: &mut usize, month: &Month) -> bool {
    let fits = month.posts.len() <= *budget;
    *budget = if fits { *budget - month.posts.len() } else { 0 };
    fits
}

/// The `years` variable of `/archive/`: each year as [`archive_year`]
/// has it, its months' posts listed within the site's `archive_titles`
/// (past it a month shows its count and link only: a 10,000-post archive
/// listed whole is a 3 MB page).
pub fn archive_years<F>(site: &Site, posts: F) -> Value
where
    F: Fn(&[usize]) -> Value,
{
    let mut budget = site.config.archive_titles;
    Value::Array(
        (0..site.archive.len())
            .map(|y| archive_year(site, y, &posts, &mut budget))
            .collect(),
    )
}

/// The `year` variable of `/<yyyy>/`: each month with the posts it lists
/// (none once `budget` runs out; see [`archive_lists`]).
pub fn archive_year<F>(site: &Site, y: usize, posts: F, budget: &mut usize) -> Value
where
    F: Fn(&[usize]) -> Value,
{
    let year = &site.archive[y];
    let months: Vec<Value> = year
        .months
        .iter()
        .map(|m| {
            let mut v = month_view(site, year.year, m);
            let listed: &[usize] = if archive_lists(budget, m) {
                &m.posts
            } else {
                &[]
            };
            v["posts"] = posts(listed);
            v
        })
        .collect();
    json!({
        "year": year.year,
        "url": site.config.url(&format!("/{}/", year.year)),
        "count": year.count(),
        "months": months,
    })
}
