//! Paging and filters of the read lists: `/api/v1/schools` and the roll-ups
//! (circonscriptions, départements, académies, régions).
//!
//! `?departement=&circonscription=&academie=&region=&verdict=` select schools (by code, exactly;
//! a roll-up is then made of the selected schools only); `?limit=N` (1 to [`LIMIT_MAX`],
//! [`LIMIT_DEFAULT`] when absent, or `all`) and `?cursor=` page the answer. Items come in a
//! stable order (schools by UAI, roll-ups by code) and a cursor names the last item of its
//! page, so that walking the pages gives each item once even while reports arrive. The
//! cursor is opaque to the reader (hex of the list's name and that key) and checked like any
//! other input.

use readiness::api::ListPage;
use serde::Deserialize;

use super::error::ApiError;
use crate::aggregate::{SchoolSummary, SchoolVerdict};

/// Items per page when `limit` is absent, and the largest number `limit` may say.
pub const LIMIT_DEFAULT: usize = 1000;
pub const LIMIT_MAX: usize = 10_000;
/// Longest filter value: codes and names of the directory are far shorter.
const FILTER_MAX_CHARS: usize = 200;
/// Longest cursor: hex of a list's name and a code (the directory's codes are far shorter).
const CURSOR_MAX_CHARS: usize = 4096;

/// The query string of a list, as received.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    #[serde(default)]
    departement: Option<String>,
    #[serde(default)]
    circonscription: Option<String>,
    #[serde(default)]
    academie: Option<String>,
    #[serde(default)]
    region: Option<String>,
    #[serde(default)]
    verdict: Option<String>,
    #[serde(default)]
    limit: Option<String>,
    #[serde(default)]
    cursor: Option<String>,
}

/// Which schools a list is made of.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Filters {
    pub departement: Option<String>,
    pub circonscription: Option<String>,
    pub academie: Option<String>,
    pub region: Option<String>,
    pub verdict: Option<SchoolVerdict>,
}

impl Filters {
    pub fn matches(&self, s: &SchoolSummary) -> bool {
        let is =
            |filter: &Option<String>, value: &str| filter.as_deref().is_none_or(|f| f == value);
        is(&self.departement, &s.departement)
            && is(&self.circonscription, &s.circonscription.code)
            && is(&self.academie, &s.academie.code)
            && is(&self.region, &s.region.code)
            && self.verdict.is_none_or(|v| v == s.verdict)
    }

    pub fn is_empty(&self) -> bool {
        *self == Filters::default()
    }
}

/// A validated list query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct List {
    /// The list's name (`schools`, `academies`...), which its cursors carry.
    pub name: &'static str,
    pub filters: Filters,
    /// Items per page; `None` for all of them.
    pub limit: Option<usize>,
    /// The key of the last item of the previous page.
    pub after: Option<String>,
}

fn invalid(message: String) -> ApiError {
    ApiError::bad_request("invalid_query", message)
}

fn invalid_cursor(message: &str) -> ApiError {
    ApiError::bad_request(
        "invalid_cursor",
        format!("{message}: pass back the next_cursor of the previous page, unchanged"),
    )
}

/// A filter's value: not empty, not too long, printable.
fn filter(name: &str, value: Option<String>) -> Result<Option<String>, ApiError> {
    let Some(v) = value else { return Ok(None) };
    if v.is_empty() || v.chars().count() > FILTER_MAX_CHARS || v.chars().any(char::is_control) {
        return Err(invalid(format!(
            "{name} must be a code of 1 to {FILTER_MAX_CHARS} printable characters"
        )));
    }
    Ok(Some(v))
}

impl ListQuery {
    /// Check every value of the query of the list `name`; a refusal is `400 invalid_query`
    /// (or `invalid_cursor`) saying what is wrong.
    pub fn validate(self, name: &'static str) -> Result<List, ApiError> {
        let verdict = match self.verdict {
            None => None,
            Some(v) => Some(SchoolVerdict::parse(&v).ok_or_else(|| {
                let all: Vec<_> = SchoolVerdict::ALL.iter().map(|v| v.as_str()).collect();
                invalid(format!("verdict must be one of {}", all.join(", ")))
            })?),
        };
        let limit = match self.limit.as_deref() {
            None => Some(LIMIT_DEFAULT),
            Some("all") => None,
            Some(l) => Some(
                l.parse::<usize>()
                    .ok()
                    .filter(|n| (1..=LIMIT_MAX).contains(n))
                    .ok_or_else(|| {
                        invalid(format!(
                            "limit must be a number between 1 and {LIMIT_MAX}, or all"
                        ))
                    })?,
            ),
        };
        let after = self.cursor.map(|c| decode_cursor(name, &c)).transpose()?;
        Ok(List {
            name,
            filters: Filters {
                departement: filter("departement", self.departement)?,
                circonscription: filter("circonscription", self.circonscription)?,
                academie: filter("academie", self.academie)?,
                region: filter("region", self.region)?,
                verdict,
            },
            limit,
            after,
        })
    }

    /// The filters alone, for an answer that is never paged (the CSV export): a `limit` or
    /// a `cursor` is `400 invalid_query`.
    pub fn filters_only(self) -> Result<Filters, ApiError> {
        if self.limit.is_some() || self.cursor.is_some() {
            return Err(invalid(
                "this answer is not paged: it takes no limit nor cursor".to_owned(),
            ));
        }
        Ok(self.validate("export")?.filters)
    }
}

/// The cursor after the item `key` of the list `name`.
pub fn encode_cursor(name: &str, key: &str) -> String {
    hex::encode(format!("{name}:{key}"))
}

/// The key a cursor of the list `name` names.
fn decode_cursor(name: &str, cursor: &str) -> Result<String, ApiError> {
    if cursor.is_empty() || cursor.len() > CURSOR_MAX_CHARS {
        return Err(invalid_cursor("not a cursor (empty or too long)"));
    }
    let bytes = hex::decode(cursor).map_err(|_| invalid_cursor("not a cursor"))?;
    let text = String::from_utf8(bytes).map_err(|_| invalid_cursor("not a cursor"))?;
    match text.split_once(':') {
        // A school's key is its UAI; a roll-up's, its code.
        Some(("schools", key)) if name == "schools" => key
            .parse::<readiness::Uai>()
            .map(|_| key.to_owned())
            .map_err(|_| invalid_cursor("not a cursor of schools")),
        Some((list, key)) if list == name && !key.is_empty() => Ok(key.to_owned()),
        Some((list, _)) if list != name => Err(invalid_cursor(&format!(
            "a cursor of another list, not of {name}"
        ))),
        _ => Err(invalid_cursor("not a cursor")),
    }
}

/// One page of `items` (in the order of `key`, ascending), and where it stands.
pub fn page<'a, T>(
    items: &'a [T],
    key: impl Fn(&T) -> &str,
    list: &List,
) -> (Vec<&'a T>, ListPage) {
    let start = list
        .after
        .as_deref()
        .map_or(0, |after| items.partition_point(|x| key(x) <= after));
    let rest = items.get(start..).unwrap_or_default();
    let taken: Vec<&T> = match list.limit {
        Some(n) => rest.iter().take(n).collect(),
        None => rest.iter().collect(),
    };
    let next_cursor = (taken.len() < rest.len())
        .then(|| taken.last().map(|x| encode_cursor(list.name, key(x))))
        .flatten();
    let page = ListPage {
        limit: list.limit.map(|n| u32::try_from(n).unwrap_or(u32::MAX)),
        total: items.len() as u64,
        next_cursor,
    };
    (taken, page)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(limit: Option<usize>, after: Option<&str>) -> List {
        List {
            name: "things",
            filters: Filters::default(),
            limit,
            after: after.map(str::to_owned),
        }
    }

    #[test]
    fn pages_walk_every_item_once_in_order() {
        let items: Vec<String> = (0..7).map(|i| format!("k{i}")).collect();
        let mut seen = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let (items, page) = page(&items, String::as_str, &list(Some(3), after.as_deref()));
            assert_eq!(page.total, 7);
            seen.extend(items.into_iter().cloned());
            match page.next_cursor {
                Some(c) => after = Some(decode_cursor("things", &c).unwrap()),
                None => break,
            }
        }
        assert_eq!(seen, items);
        let (all, p) = page(&items, String::as_str, &list(None, None));
        assert_eq!((all.len(), p.limit, p.next_cursor), (7, None, None));
    }

    #[test]
    fn hostile_cursors_and_limits_are_refused() {
        let q = |limit: &str, cursor: Option<&str>| ListQuery {
            limit: Some(limit.to_owned()),
            cursor: cursor.map(str::to_owned),
            ..ListQuery::default()
        };
        for l in [
            "0",
            "-1",
            "10001",
            "1e3",
            "",
            "ALL",
            "99999999999999999999999",
        ] {
            assert!(q(l, None).validate("things").is_err(), "limit={l}");
        }
        let other = encode_cursor("schools", "0690101K");
        for c in [
            "",
            "zz",
            "ff",
            &"a".repeat(2000),
            &other,
            &hex::encode("things:"),
        ] {
            assert!(q("5", Some(c)).validate("things").is_err(), "cursor={c}");
        }
        let ok = q("5", Some(&encode_cursor("things", "k1")))
            .validate("things")
            .unwrap();
        assert_eq!(ok.after.as_deref(), Some("k1"));
        assert_eq!(ok.limit, Some(5));
    }
}
