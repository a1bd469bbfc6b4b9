//! The rules a profile's values follow, each with the error text that names its key: ranges,
//! list lengths, text lengths, weights, and the thresholds where less is better.

use std::fmt::Display;
use std::ops::RangeInclusive;

use serde::{Deserialize, Deserializer};

/// `value` within `range`, else "`key` must be between LOW and HIGH, got VALUE" (NaN is
/// never within).
pub(super) fn check_between<T: PartialOrd + Display>(
    key: &str,
    value: T,
    range: RangeInclusive<T>,
) -> Result<(), String> {
    if range.contains(&value) {
        Ok(())
    } else {
        Err(format!(
            "{key} must be between {} and {}, got {value}",
            range.start(),
            range.end()
        ))
    }
}

/// At most `max` entries in the list `key`, else "`key`: N entries, at most MAX".
pub(super) fn check_count(key: &str, count: usize, max: usize) -> Result<(), String> {
    if count <= max {
        Ok(())
    } else {
        Err(format!("{key}: {count} entries, at most {max}"))
    }
}

/// At most `max` characters in `text`, else "`key`: N characters, at most MAX".
pub(super) fn check_chars(key: &str, text: &str, max: usize) -> Result<(), String> {
    let count = text.chars().count();
    if count <= max {
        Ok(())
    } else {
        Err(format!("{key}: {count} characters, at most {max}"))
    }
}

/// A list `key` of at most `max` texts of at most `max_chars` characters each.
pub(super) fn check_texts(
    key: &str,
    texts: &[String],
    max: usize,
    max_chars: usize,
) -> Result<(), String> {
    check_count(key, texts.len(), max)?;
    texts
        .iter()
        .try_for_each(|t| check_chars(&format!("{key}: {t:?}"), t, max_chars))
}

/// A string field of at most `MAX` characters, read by serde (`deserialize_with`), so that
/// the error points at the value's line.
pub(super) fn bounded_text<'de, D: Deserializer<'de>, const MAX: usize>(
    d: D,
) -> Result<String, D::Error> {
    let text = String::deserialize(d)?;
    check_chars("text", &text, MAX).map_err(serde::de::Error::custom)?;
    Ok(text)
}

pub(super) fn name_text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    bounded_text::<D, 64>(d)
}

pub(super) fn description_text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    bounded_text::<D, 1024>(d)
}

pub(super) fn salt_text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    bounded_text::<D, 256>(d)
}

/// Every value at least 1, else "`a` and `b` must be at least 1", naming all the keys.
pub(super) fn check_at_least_one(fields: &[(&str, u32)]) -> Result<(), String> {
    if fields.iter().all(|&(_, value)| value >= 1) {
        return Ok(());
    }
    let keys: Vec<&str> = fields.iter().map(|&(key, _)| key).collect();
    Err(format!("{} must be at least 1", keys.join(" and ")))
}

/// The highest weight of a check.
pub(super) const MAX_WEIGHT: f64 = 1000.0;

pub(super) fn check_weight(weight: f64) -> Result<(), String> {
    if weight.is_finite() && (0.0..=MAX_WEIGHT).contains(&weight) {
        Ok(())
    } else {
        Err(format!(
            "weight must be a finite number between 0 and {MAX_WEIGHT}, got {weight}"
        ))
    }
}

/// The highest rate in Mbit/s, and the highest threshold of a numeric check.
pub(super) const MAX_MBPS: f64 = 1_000_000.0;

/// The highest time threshold in ms (10 minutes).
pub(super) const MAX_THRESHOLD_MS: f64 = 600_000.0;

/// Thresholds where less is better: finite, `0 <= pass <= fail <= max`. `keys` are the
/// profile keys the error names.
pub(super) fn check_less_is_better(
    pass: f64,
    fail: f64,
    max: f64,
    keys: (&str, &str),
) -> Result<(), String> {
    let (pass_key, fail_key) = keys;
    if !(pass.is_finite() && fail.is_finite()) || pass < 0.0 {
        return Err("thresholds must be finite numbers >= 0".into());
    }
    if fail > max {
        return Err(format!("{fail_key} must be at most {max}, got {fail}"));
    }
    if pass > fail {
        return Err(format!(
            "{pass_key} ({pass}) must not be above {fail_key} ({fail}): less is better for this check"
        ));
    }
    Ok(())
}
