//! The knobs admins tune: global defaults, per-story overrides.

use serde::{Deserialize, Serialize};

use crate::domain::Invalid;

/// What the first document of a story does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FirstDocument {
    /// Records what the story knows; no alert.
    Baseline,
    /// Alerts like any other document.
    Alert,
}

/// During quiet hours, alerts are held until the end or dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum QuietMode {
    Hold,
    Drop,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuietHours {
    /// "22:00", in UTC.
    pub start: String,
    pub end: String,
    pub mode: QuietMode,
}

/// Weight of each kind of new fact; 0 turns a kind off.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Weights {
    pub date: f64,
    pub time: f64,
    pub place: f64,
    pub quantity: f64,
    pub status: f64,
}

impl Default for Weights {
    fn default() -> Self {
        Self {
            date: 1.0,
            time: 0.3,
            place: 1.0,
            quantity: 1.0,
            status: 1.0,
        }
    }
}

/// Everything the decision depends on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Thresholds {
    /// A document alerts when its score reaches this.
    pub min_score: f64,
    pub weights: Weights,
    /// Multiplies the weight of a hedged fact ("may", "reportedly", "a leading contender").
    pub hedged_weight: f64,
    /// Score added per share of sentences never seen before in the story.
    pub text_weight: f64,
    /// Whether new wording alone, with no new fact, may alert.
    pub text_alone: bool,
    /// A new fact counts once this many independent sources have stated it.
    pub corroboration: u32,
    /// Least time between two alerts of one story, in minutes.
    pub cooldown_minutes: u32,
    /// At most this many alerts per story per hour (0: no limit).
    pub max_alerts_per_hour: u32,
    pub quiet_hours: Option<QuietHours>,
    pub first_document: FirstDocument,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            min_score: 1.0,
            weights: Weights::default(),
            hedged_weight: 0.4,
            text_weight: 0.2,
            text_alone: false,
            corroboration: 1,
            cooldown_minutes: 0,
            max_alerts_per_hour: 6,
            quiet_hours: None,
            first_document: FirstDocument::Baseline,
        }
    }
}

/// Per-story changes: every field optional, taken over the global value when set.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThresholdOverrides {
    pub min_score: Option<f64>,
    pub weights: Option<Weights>,
    pub hedged_weight: Option<f64>,
    pub text_weight: Option<f64>,
    pub text_alone: Option<bool>,
    pub corroboration: Option<u32>,
    pub cooldown_minutes: Option<u32>,
    pub max_alerts_per_hour: Option<u32>,
    pub quiet_hours: Option<QuietHours>,
    pub first_document: Option<FirstDocument>,
}

impl ThresholdOverrides {
    pub fn apply(&self, base: &Thresholds) -> Thresholds {
        let mut t = base.clone();
        if let Some(v) = self.min_score {
            t.min_score = v
        }
        if let Some(v) = &self.weights {
            t.weights = v.clone()
        }
        if let Some(v) = self.hedged_weight {
            t.hedged_weight = v
        }
        if let Some(v) = self.text_weight {
            t.text_weight = v
        }
        if let Some(v) = self.text_alone {
            t.text_alone = v
        }
        if let Some(v) = self.corroboration {
            t.corroboration = v
        }
        if let Some(v) = self.cooldown_minutes {
            t.cooldown_minutes = v
        }
        if let Some(v) = self.max_alerts_per_hour {
            t.max_alerts_per_hour = v
        }
        if let Some(v) = &self.quiet_hours {
            t.quiet_hours = Some(v.clone())
        }
        if let Some(v) = self.first_document {
            t.first_document = v
        }
        t
    }

    pub fn validate(&self) -> Result<(), Invalid> {
        self.apply(&Thresholds::default()).validate()
    }
}

impl Thresholds {
    /// Checks every value; the error names the field.
    pub fn validate(&self) -> Result<(), Invalid> {
        let bad =
            |field: &str, why: &str| Invalid::new("invalid_threshold", format!("{field} {why}"));
        if !(self.min_score.is_finite() && self.min_score > 0.0 && self.min_score <= 100.0) {
            return Err(bad("min_score", "must be more than 0 and at most 100"));
        }
        let w = &self.weights;
        for (field, value) in [
            ("weights.date", w.date),
            ("weights.time", w.time),
            ("weights.place", w.place),
            ("weights.quantity", w.quantity),
            ("weights.status", w.status),
        ] {
            if !(value.is_finite() && (0.0..=10.0).contains(&value)) {
                return Err(bad(field, "must be from 0 to 10"));
            }
        }
        for (field, value) in [
            ("hedged_weight", self.hedged_weight),
            ("text_weight", self.text_weight),
        ] {
            if !(value.is_finite() && (0.0..=10.0).contains(&value)) {
                return Err(bad(field, "must be from 0 to 10"));
            }
        }
        if !(1..=20).contains(&self.corroboration) {
            return Err(bad("corroboration", "must be from 1 to 20"));
        }
        if self.cooldown_minutes > 7 * 24 * 60 {
            return Err(bad("cooldown_minutes", "must be at most a week"));
        }
        if let Some(quiet) = &self.quiet_hours
            && (minutes(&quiet.start).is_none() || minutes(&quiet.end).is_none())
        {
            return Err(bad("quiet_hours", "start and end must be HH:MM"));
        }
        Ok(())
    }

    /// Whether `at` falls in the quiet hours.
    pub fn is_quiet(&self, at: chrono::DateTime<chrono::Utc>) -> Option<QuietMode> {
        let quiet = self.quiet_hours.as_ref()?;
        let (start, end) = (minutes(&quiet.start)?, minutes(&quiet.end)?);
        let now = chrono::Timelike::hour(&at) * 60 + chrono::Timelike::minute(&at);
        let inside = if start <= end {
            (start..end).contains(&now)
        } else {
            now >= start || now < end
        };
        inside.then_some(quiet.mode)
    }
}

impl Thresholds {
    /// When the quiet hours that `at` falls in end; `None` outside them.
    pub fn quiet_end(
        &self,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Option<chrono::DateTime<chrono::Utc>> {
        self.is_quiet(at)?;
        let end = minutes(&self.quiet_hours.as_ref()?.end)?;
        let midnight = at.date_naive().and_hms_opt(0, 0, 0)?.and_utc();
        let today = midnight + chrono::Duration::minutes(i64::from(end));
        Some(if today > at {
            today
        } else {
            today + chrono::Duration::days(1)
        })
    }
}

fn minutes(hhmm: &str) -> Option<u32> {
    let (h, m) = hhmm.trim().split_once(':')?;
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quiet_hours_end_on_the_right_day() {
        let at = |h, m| {
            chrono::NaiveDate::from_ymd_opt(2018, 7, 16)
                .and_then(|d| d.and_hms_opt(h, m, 0))
                .map(|t| t.and_utc())
                .expect("time")
        };
        let t = Thresholds {
            quiet_hours: Some(QuietHours {
                start: "22:00".into(),
                end: "06:30".into(),
                mode: QuietMode::Hold,
            }),
            ..Thresholds::default()
        };
        assert_eq!(t.quiet_end(at(12, 0)), None);
        assert_eq!(t.quiet_end(at(3, 0)), Some(at(6, 30)));
        assert_eq!(
            t.quiet_end(at(23, 0)),
            Some(at(6, 30) + chrono::Duration::days(1))
        );
    }

    #[test]
    fn invalid_values_name_their_field() {
        let t = Thresholds {
            min_score: 0.0,
            ..Thresholds::default()
        };
        assert!(
            t.validate()
                .expect_err("zero")
                .message
                .starts_with("min_score")
        );
        let t = Thresholds {
            corroboration: 0,
            ..Thresholds::default()
        };
        assert!(
            t.validate()
                .expect_err("zero")
                .message
                .starts_with("corroboration")
        );
        assert!(Thresholds::default().validate().is_ok());
    }

    #[test]
    fn quiet_hours_wrap_midnight() {
        let t = Thresholds {
            quiet_hours: Some(QuietHours {
                start: "22:00".into(),
                end: "07:00".into(),
                mode: QuietMode::Hold,
            }),
            ..Thresholds::default()
        };
        let at = |h| {
            chrono::DateTime::parse_from_rfc3339(&format!("2026-01-01T{h:02}:30:00Z"))
                .expect("t")
                .to_utc()
        };
        assert_eq!(t.is_quiet(at(23)), Some(QuietMode::Hold));
        assert_eq!(t.is_quiet(at(3)), Some(QuietMode::Hold));
        assert_eq!(t.is_quiet(at(12)), None);
    }
}
